package io.github.pglogrepl.spring.event;

import java.util.List;
import java.util.Map;

import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.pgoutput.Row;

/**
 * A row of a change event: column values by name, decoded to Java types (see the core library's
 * {@code ValueDecoder}), convertible with Spring's {@link ConversionService}.
 *
 * <p><b>NULL and values the server did not send.</b> Both read as {@code null}. The server does not send an
 * unchanged TOASTed value of an update ({@link #isUnchangedToast}), nor, in the old row of an update or delete
 * without {@code REPLICA IDENTITY FULL}, the columns outside the replica identity (a key-only row:
 * {@link #isKeyOnly}). {@link #isSent} and {@link #unsentColumns} tell a real NULL from a value that was not
 * sent; {@link #isNull} is true only for a real NULL.
 *
 * <p><b>Mapping.</b> {@link #as(Class)} fills a record or bean by column name. A NULL or unsent value for a
 * primitive component or property is refused with an error naming table, column and type, as Spring's
 * {@code BeanPropertyRowMapper} does, unless primitives are defaulted ({@code pglogrepl.mapping
 * .primitives-defaulted-for-null-value=true}); use wrapper types ({@code Long}, {@code Double}) for nullable
 * columns and for the non-key columns of key-only old rows.
 */
public final class ChangeRow {

	private final Row row;

	private final ConversionService conversionService;

	private final boolean keyOnly;

	private final boolean primitivesDefaultedForNullValue;

	/**
	 * Creates a row (a whole row; primitives are not defaulted for NULL).
	 * @param row the decoded row
	 * @param conversionService used by {@link #get(String, Class)} and {@link #as(Class)}
	 */
	public ChangeRow(Row row, ConversionService conversionService) {
		this(row, conversionService, false, false);
	}

	/**
	 * Creates a row.
	 * @param row the decoded row
	 * @param conversionService used by {@link #get(String, Class)} and {@link #as(Class)}
	 * @param keyOnly whether only the replica identity columns were sent (the old key of an update or delete)
	 * @param primitivesDefaultedForNullValue whether {@link #as(Class)} gives primitives their default for a NULL
	 * or unsent value instead of refusing it
	 */
	public ChangeRow(Row row, ConversionService conversionService, boolean keyOnly,
			boolean primitivesDefaultedForNullValue) {
		this.row = row;
		this.conversionService = conversionService;
		this.keyOnly = keyOnly;
		this.primitivesDefaultedForNullValue = primitivesDefaultedForNullValue;
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
	 * @return whether the value is SQL NULL (not: a value the server did not send)
	 */
	public boolean isNull(String column) {
		return this.row.isNull(column) && isSent(this.row.relation().indexOf(column));
	}

	/**
	 * @param column column name
	 * @return whether the server sent the column's value: false for an unchanged TOASTed value, and for a column
	 * outside the replica identity in a key-only old row
	 * @throws java.util.NoSuchElementException if there is no such column
	 */
	public boolean isSent(String column) {
		int index = this.row.relation().indexOf(column);
		if (index < 0) {
			throw new java.util.NoSuchElementException("No column " + column + " in " + this.row.relation().qualifiedName());
		}
		return isSent(index);
	}

	boolean isSent(int index) {
		if (index < 0 || index >= this.row.size()) {
			return false;
		}
		if (this.keyOnly && !this.row.relation().columns().get(index).key()) {
			return false;
		}
		return this.row.tuple().kind(index) != io.github.pglogrepl.pgoutput.TupleData.Kind.UNCHANGED_TOAST;
	}

	/**
	 * @return the columns whose values the server did not send (empty for a whole row)
	 */
	public List<String> unsentColumns() {
		List<String> unsent = new java.util.ArrayList<>();
		for (int i = 0; i < this.row.size(); i++) {
			if (!isSent(i)) {
				unsent.add(this.row.columnName(i));
			}
		}
		return unsent;
	}

	/**
	 * @return whether this is a key-only old row: only the replica identity columns were sent (an update or
	 * delete of a table without {@code REPLICA IDENTITY FULL})
	 */
	public boolean isKeyOnly() {
		return this.keyOnly;
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

	boolean primitivesDefaultedForNullValue() {
		return this.primitivesDefaultedForNullValue;
	}

	@Override
	public String toString() {
		return this.row.toString();
	}

}
