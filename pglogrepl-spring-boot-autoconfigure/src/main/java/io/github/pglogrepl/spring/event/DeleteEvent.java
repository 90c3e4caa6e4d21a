package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.DeleteMessage;

/**
 * A row was deleted. The old row carries the key columns (other columns NULL) or, with
 * {@code REPLICA IDENTITY FULL}, the whole row.
 *
 * @param <T> the row type (see {@link RowChangeEvent})
 */
public final class DeleteEvent<T> extends RowChangeEvent<T, DeleteMessage> {

	private static final long serialVersionUID = 1L;

	private final transient ChangeRow oldRow;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 * @param transaction its transaction
	 * @param rowType the row type
	 * @param oldRow the deleted key or row
	 */
	public DeleteEvent(Object source, String slotName, DeleteMessage message, Lsn walStart,
			TransactionInfo transaction, Class<T> rowType, ChangeRow oldRow) {
		super(source, slotName, message, walStart, message.relation(), transaction, rowType);
		this.oldRow = oldRow;
	}

	/**
	 * @return the deleted key or row
	 */
	public ChangeRow oldRow() {
		return this.oldRow;
	}

	/**
	 * @return the deleted key or row mapped to the row type
	 */
	public T oldValue() {
		return map(this.oldRow);
	}

	@Override
	void appendValues(StringBuilder sb) {
		appendRow(sb, "oldRow", this.oldRow);
	}

}
