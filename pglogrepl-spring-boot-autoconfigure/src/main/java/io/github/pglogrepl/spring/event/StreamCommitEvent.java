package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.StreamCommitMessage;

/**
 * A streamed transaction committed: its streamed changes are final.
 */
public final class StreamCommitEvent extends PgOutputEvent<StreamCommitMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public StreamCommitEvent(Object source, String slotName, StreamCommitMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the transaction id
	 */
	public long xid() {
		return Integer.toUnsignedLong(message().xid());
	}

	/**
	 * @return the end LSN of the transaction
	 */
	public io.github.pglogrepl.Lsn endLsn() {
		return message().endLsn();
	}

}
