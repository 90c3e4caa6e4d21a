package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.UpdateMessage;

/**
 * A row was updated. The old row is sent by the server only for {@code REPLICA IDENTITY FULL} (whole row) or
 * when the key changed (key columns only).
 *
 * @param <T> the row type (see {@link RowChangeEvent})
 */
public final class UpdateEvent<T> extends RowChangeEvent<T, UpdateMessage> {

	private static final long serialVersionUID = 1L;

	private final transient ChangeRow newRow;

	private final transient ChangeRow oldRow;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 * @param transaction its transaction
	 * @param rowType the row type
	 * @param newRow the new row
	 * @param oldRow the old key or row, or {@code null}
	 */
	public UpdateEvent(Object source, String slotName, UpdateMessage message, Lsn walStart,
			TransactionInfo transaction, Class<T> rowType, ChangeRow newRow, ChangeRow oldRow) {
		super(source, slotName, message, walStart, message.relation(), transaction, rowType);
		this.newRow = newRow;
		this.oldRow = oldRow;
	}

	/**
	 * @return the new row
	 */
	public ChangeRow newRow() {
		return this.newRow;
	}

	/**
	 * @return the old key or row, or {@code null} when the server sent none
	 */
	public ChangeRow oldRow() {
		return this.oldRow;
	}

	/**
	 * @return the new row mapped to the row type
	 */
	public T newValue() {
		return map(this.newRow);
	}

	/**
	 * @return the old row mapped to the row type, or {@code null}
	 */
	public T oldValue() {
		return map(this.oldRow);
	}

	@Override
	void appendValues(StringBuilder sb) {
		appendRow(sb, "newRow", this.newRow);
		appendRow(sb, "oldRow", this.oldRow);
	}

}
