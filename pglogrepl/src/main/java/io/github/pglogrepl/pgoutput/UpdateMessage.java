package io.github.pglogrepl.pgoutput;

/**
 * Update ({@code 'U'}).
 *
 * <pre>
 * Byte1('U')
 * Int32     xid         (only inside a streamed transaction)
 * Int32     relationId
 * Byte1('K') TupleData  old key      (optional: replica identity changed, identity index)
 *   or Byte1('O') TupleData old row  (optional: REPLICA IDENTITY FULL)
 * Byte1('N') TupleData  new row
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param relation the table, from the decoder's relation cache
 * @param oldTupleType {@code 'K'} (old key columns), {@code 'O'} (whole old row) or {@code 0} (none sent)
 * @param oldTuple the old key or row, or {@code null}
 * @param newTuple the new row
 */
public record UpdateMessage(int xid, RelationMessage relation, char oldTupleType, TupleData oldTuple,
		TupleData newTuple) implements PgOutputMessage {

	/**
	 * @return the new row, by column name
	 */
	public Row newRow() {
		return new Row(this.relation, this.newTuple);
	}

	/**
	 * @return the old key ({@code 'K'}: only key columns have values, others NULL) or old row ({@code 'O'}),
	 * or {@code null} when the server sent none
	 */
	public Row oldRow() {
		return (this.oldTuple != null) ? new Row(this.relation, this.oldTuple) : null;
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.UPDATE;
	}

}
