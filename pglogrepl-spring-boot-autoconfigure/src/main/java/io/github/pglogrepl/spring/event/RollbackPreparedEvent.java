package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.RollbackPreparedMessage;

/**
 * A prepared transaction was rolled back with {@code ROLLBACK PREPARED}.
 */
public final class RollbackPreparedEvent extends PgOutputEvent<RollbackPreparedMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public RollbackPreparedEvent(Object source, String slotName, RollbackPreparedMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the global transaction id
	 */
	public String gid() {
		return message().gid();
	}

	/**
	 * @return the end LSN of the rollback
	 */
	public io.github.pglogrepl.Lsn endLsn() {
		return message().rollbackEndLsn();
	}

}
