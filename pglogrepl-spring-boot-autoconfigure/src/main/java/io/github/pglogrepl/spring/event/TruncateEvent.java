package io.github.pglogrepl.spring.event;

import java.util.List;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.TruncateMessage;

/**
 * Tables were truncated.
 */
public final class TruncateEvent extends PgOutputEvent<TruncateMessage> {

	private static final long serialVersionUID = 1L;

	private final transient TransactionInfo transaction;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 * @param transaction its transaction
	 */
	public TruncateEvent(Object source, String slotName, TruncateMessage message, Lsn walStart,
			TransactionInfo transaction) {
		super(source, slotName, message, walStart);
		this.transaction = transaction;
	}

	/**
	 * @return the truncated tables
	 */
	public List<TableName> tables() {
		return message().relations().stream().map((r) -> new TableName(r.namespace(), r.name())).toList();
	}

	/**
	 * @return whether CASCADE was given
	 */
	public boolean cascade() {
		return message().cascade();
	}

	/**
	 * @return whether RESTART IDENTITY was given
	 */
	public boolean restartIdentity() {
		return message().restartIdentity();
	}

	/**
	 * @return the transaction
	 */
	public TransactionInfo transaction() {
		return this.transaction;
	}

}
