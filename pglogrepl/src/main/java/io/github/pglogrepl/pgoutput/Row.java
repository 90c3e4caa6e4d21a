package io.github.pglogrepl.pgoutput;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

import io.github.pglogrepl.types.ValueDecoder;

/**
 * A row of a table: a {@link TupleData} read through its {@link RelationMessage}, so values can be asked for
 * by column name and come back as Java objects decoded by the column's type (see {@link ValueDecoder}).
 * Values are decoded on first access and cached. NULL and unchanged TOAST both read as {@code null} from
 * {@link #get(String)}; tell them apart with {@link #isNull(String)} and {@link #isUnchangedToast(String)}.
 */
public final class Row {

	private final RelationMessage relation;

	private final TupleData tuple;

	private Object[] values;

	/**
	 * Creates a row view.
	 * @param relation the relation describing the columns
	 * @param tuple the column values
	 */
	public Row(RelationMessage relation, TupleData tuple) {
		this.relation = relation;
		this.tuple = tuple;
	}

	/**
	 * @return the relation this row belongs to
	 */
	public RelationMessage relation() {
		return this.relation;
	}

	/**
	 * @return the raw column values
	 */
	public TupleData tuple() {
		return this.tuple;
	}

	/**
	 * @return the number of columns
	 */
	public int size() {
		return this.tuple.size();
	}

	/**
	 * @param index column index
	 * @return the column's name
	 */
	public String columnName(int index) {
		return this.relation.columns().get(index).name();
	}

	/**
	 * @param column column name
	 * @return whether the row has this column
	 */
	public boolean has(String column) {
		return this.relation.indexOf(column) >= 0;
	}

	private int index(String column) {
		int index = this.relation.indexOf(column);
		if (index < 0 || index >= this.tuple.size()) {
			throw new NoSuchElementException("No column '" + column + "' in " + this.relation.qualifiedName());
		}
		return index;
	}

	/**
	 * @param column column name
	 * @return the decoded value; {@code null} for NULL and for unchanged TOAST
	 * @throws NoSuchElementException if there is no such column
	 * @throws io.github.pglogrepl.types.ValueDecodingException if the bytes are not a valid value of the type
	 */
	public Object get(String column) {
		return get(index(column));
	}

	/**
	 * @param index column index
	 * @return the decoded value; {@code null} for NULL and for unchanged TOAST
	 */
	public Object get(int index) {
		if (!this.tuple.hasValue(index)) {
			return null;
		}
		Object[] cache = this.values;
		if (cache == null) {
			// null = not decoded yet (a column with a value never decodes to null)
			cache = new Object[this.tuple.size()];
			this.values = cache;
		}
		Object value = cache[index];
		if (value == null) {
			int type = this.relation.columns().get(index).typeOid();
			value = (this.tuple.kind(index) == TupleData.Kind.TEXT)
					? ValueDecoder.decodeText(type, this.tuple.buffer(), this.tuple.valueOffset(index),
							this.tuple.valueLength(index))
					: ValueDecoder.decodeBinary(type, this.tuple.buffer(), this.tuple.valueOffset(index),
							this.tuple.valueLength(index));
			cache[index] = value;
		}
		return value;
	}

	/**
	 * @param column column name
	 * @return the value in PostgreSQL's text form (or null); for binary-format values use {@link #get(String)}
	 */
	public String getText(String column) {
		return this.tuple.text(index(column));
	}

	/**
	 * @param column column name
	 * @return whether the value is SQL NULL
	 */
	public boolean isNull(String column) {
		return this.tuple.isNull(index(column));
	}

	/**
	 * @param column column name
	 * @return whether the value is an unchanged TOASTed value that the server did not send
	 */
	public boolean isUnchangedToast(String column) {
		return this.tuple.isUnchangedToast(index(column));
	}

	/**
	 * @return the decoded values by column name, in column order (unchanged TOAST values are left out)
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < this.tuple.size(); i++) {
			if (!this.tuple.isUnchangedToast(i)) {
				map.put(columnName(i), get(i));
			}
		}
		return map;
	}

	@Override
	public String toString() {
		return this.relation.qualifiedName() + toMap();
	}

}
