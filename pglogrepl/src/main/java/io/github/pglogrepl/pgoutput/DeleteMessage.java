package io.github.pglogrepl.pgoutput;

/**
 * Delete ({@code 'D'}).
 *
 * <pre>
 * Byte1('D')
 * Int32     xid         (only inside a streamed transaction)
 * Int32     relationId
 * Byte1('K') TupleData  old key (replica identity default/index)
 *   or Byte1('O') TupleData old row (REPLICA IDENTITY FULL)
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param relation the table, from the decoder's relation cache
 * @param oldTupleType {@code 'K'} or {@code 'O'}
 * @param oldTuple the old key or row
 */
public record DeleteMessage(int xid, RelationMessage relation, char oldTupleType, TupleData oldTuple)
		implements PgOutputMessage {

	/**
	 * @return the deleted row's key ({@code 'K'}: non-key columns NULL) or whole row ({@code 'O'})
	 */
	public Row oldRow() {
		return new Row(this.relation, this.oldTuple);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.DELETE;
	}

}
