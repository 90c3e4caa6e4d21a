package io.github.pglogrepl.spring.event;

import java.util.List;
import java.util.Map;

import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.pgoutput.Row;

/**
 * A row of a change event: column values by name, decoded to Java types (see the core library's
 * {@code ValueDecoder}), convertible with Spring's {@link ConversionService}. NULL and an unchanged TOASTed
 * value (not sent by the server) both read as {@code null}; {@link #isNull} and {@link #isUnchangedToast}
 * tell them apart.
 */
public final class ChangeRow {

	private final Row row;

	private final ConversionService conversionService;

	/**
	 * Creates a row.
	 * @param row the decoded row
	 * @param conversionService used by {@link #get(String, Class)} and {@link #as(Class)}
	 */
	public ChangeRow(Row row, ConversionService conversionService) {
		this.row = row;
		this.conversionService = conversionService;
	}

	/**
	 * @param column column name
	 * @return the value, decoded by the column's type, or {@code null}
	 * @throws java.util.NoSuchElementException if there is no such column
	 */
	public Object get(String column) {
		return this.row.get(column);
	}

	/**
	 * @param <V> the wanted type
	 * @param column column name
	 * @param type the wanted type
	 * @return the value converted with the conversion service, or {@code null}
	 */
	public <V> V get(String column, Class<V> type) {
		return this.conversionService.convert(this.row.get(column), type);
	}

	/**
	 * @param column column name
	 * @return whether the value is SQL NULL
	 */
	public boolean isNull(String column) {
		return this.row.isNull(column);
	}

	/**
	 * @param column column name
	 * @return whether the value is an unchanged TOASTed value the server did not send
	 */
	public boolean isUnchangedToast(String column) {
		return this.row.isUnchangedToast(column);
	}

	/**
	 * @param column column name
	 * @return whether the table has the column
	 */
	public boolean has(String column) {
		return this.row.has(column);
	}

	/**
	 * @return the column names in table order
	 */
	public List<String> columns() {
		return this.row.relation().columns().stream().map((c) -> c.name()).toList();
	}

	/**
	 * @return the values by column name (unchanged TOAST values left out)
	 */
	public Map<String, Object> toMap() {
		return this.row.toMap();
	}

	/**
	 * Maps the row to a record or bean by column name (snake_case columns match camelCase properties).
	 * @param <T> the type
	 * @param type a record or a bean class with a no-argument constructor
	 * @return the mapped object
	 */
	public <T> T as(Class<T> type) {
		return RowMapper.map(this, type, this.conversionService);
	}

	/**
	 * @return the underlying core-library row
	 */
	public Row row() {
		return this.row;
	}

	ConversionService conversionService() {
		return this.conversionService;
	}

	@Override
	public String toString() {
		return this.row.toString();
	}

}
