package io.github.pglogrepl.pgoutput;

/**
 * Insert ({@code 'I'}).
 *
 * <pre>
 * Byte1('I')
 * Int32     xid         (only inside a streamed transaction)
 * Int32     relationId
 * Byte1('N')
 * TupleData newTuple
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param relation the table, from the decoder's relation cache
 * @param newTuple the inserted row
 */
public record InsertMessage(int xid, RelationMessage relation, TupleData newTuple) implements PgOutputMessage {

	/**
	 * @return the inserted row, by column name
	 */
	public Row newRow() {
		return new Row(this.relation, this.newTuple);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.INSERT;
	}

}
