package io.github.pglogrepl.spring.event;

/**
 * A table's schema and name, as in the Relation message. SpEL reads the record accessors by name:
 * {@code #event.table.name == 'orders'}.
 *
 * @param schema the schema, e.g. {@code public}
 * @param name the table name
 */
public record TableName(String schema, String name) {

	/**
	 * @return {@code schema.name}
	 */
	@Override
	public String toString() {
		return this.schema.isEmpty() ? this.name : this.schema + "." + this.name;
	}

}
