package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.BeginMessage;

/**
 * A transaction begins (non-streamed). Its changes follow, then a {@link CommitEvent}.
 */
public final class BeginEvent extends PgOutputEvent<BeginMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public BeginEvent(Object source, String slotName, BeginMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the transaction id
	 */
	public long xid() {
		return Integer.toUnsignedLong(message().xid());
	}

	/**
	 * @return the LSN of the transaction's commit record
	 */
	public io.github.pglogrepl.Lsn finalLsn() {
		return message().finalLsn();
	}

	/**
	 * @return the commit time
	 */
	public java.time.Instant commitTime() {
		return message().commitTime();
	}

}
