package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.CommitMessage;

/**
 * A transaction committed. In {@code auto} ack mode, once every listener of this event returned, {@link #endLsn()} is acknowledged to the server.
 */
public final class CommitEvent extends PgOutputEvent<CommitMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public CommitEvent(Object source, String slotName, CommitMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the LSN of the commit record
	 */
	public io.github.pglogrepl.Lsn commitLsn() {
		return message().commitLsn();
	}

	/**
	 * @return the end LSN of the transaction: the position to acknowledge
	 */
	public io.github.pglogrepl.Lsn endLsn() {
		return message().endLsn();
	}

	/**
	 * @return the commit time
	 */
	public java.time.Instant commitTime() {
		return message().commitTime();
	}

}
