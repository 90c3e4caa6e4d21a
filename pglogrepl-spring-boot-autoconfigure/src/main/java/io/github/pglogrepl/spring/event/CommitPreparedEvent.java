package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.CommitPreparedMessage;

/**
 * A prepared transaction was committed with {@code COMMIT PREPARED}.
 */
public final class CommitPreparedEvent extends PgOutputEvent<CommitPreparedMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public CommitPreparedEvent(Object source, String slotName, CommitPreparedMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the global transaction id
	 */
	public String gid() {
		return message().gid();
	}

	/**
	 * @return the end LSN
	 */
	public io.github.pglogrepl.Lsn endLsn() {
		return message().endLsn();
	}

}
