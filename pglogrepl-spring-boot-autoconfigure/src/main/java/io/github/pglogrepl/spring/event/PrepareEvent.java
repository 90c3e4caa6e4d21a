package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PrepareMessage;

/**
 * A transaction was prepared; acknowledged like a commit.
 */
public final class PrepareEvent extends PgOutputEvent<PrepareMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public PrepareEvent(Object source, String slotName, PrepareMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the global transaction id
	 */
	public String gid() {
		return message().gid();
	}

	/**
	 * @return the end LSN of the prepared transaction
	 */
	public io.github.pglogrepl.Lsn endLsn() {
		return message().endLsn();
	}

}
