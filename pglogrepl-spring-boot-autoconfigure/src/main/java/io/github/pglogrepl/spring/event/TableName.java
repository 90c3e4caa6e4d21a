package io.github.pglogrepl.spring.event;

/**
 * A table's schema and name, as in the Relation message. Both the record accessors and bean getters exist
 * so that SpEL conditions can say {@code #event.table.name == 'orders'}.
 *
 * @param schema the schema, e.g. {@code public}
 * @param name the table name
 */
public record TableName(String schema, String name) {

	/**
	 * @return the schema
	 */
	public String getSchema() {
		return this.schema;
	}

	/**
	 * @return the table name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * @return {@code schema.name}
	 */
	@Override
	public String toString() {
		return this.schema.isEmpty() ? this.name : this.schema + "." + this.name;
	}

}
