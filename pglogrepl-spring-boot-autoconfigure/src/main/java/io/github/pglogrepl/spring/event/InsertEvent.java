package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.InsertMessage;

/**
 * A row was inserted.
 *
 * <pre>{@code
 * @EventListener
 * void on(InsertEvent<Order> event) { Order order = event.newValue(); }
 * }</pre>
 *
 * @param <T> the row type (see {@link RowChangeEvent})
 */
public final class InsertEvent<T> extends RowChangeEvent<T, InsertMessage> {

	private static final long serialVersionUID = 1L;

	private final transient ChangeRow newRow;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 * @param transaction its transaction
	 * @param rowType the row type
	 * @param newRow the inserted row
	 */
	public InsertEvent(Object source, String slotName, InsertMessage message, Lsn walStart,
			TransactionInfo transaction, Class<T> rowType, ChangeRow newRow) {
		super(source, slotName, message, walStart, message.relation(), transaction, rowType);
		this.newRow = newRow;
	}

	/**
	 * @return the inserted row
	 */
	public ChangeRow newRow() {
		return this.newRow;
	}

	/**
	 * @return the inserted row mapped to the row type
	 */
	public T newValue() {
		return map(this.newRow);
	}

	@Override
	void appendValues(StringBuilder sb) {
		appendRow(sb, "newRow", this.newRow);
	}

}
