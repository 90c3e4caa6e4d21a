package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.BeginPrepareMessage;

/**
 * A transaction prepared with {@code PREPARE TRANSACTION} begins (two-phase slots).
 */
public final class BeginPrepareEvent extends PgOutputEvent<BeginPrepareMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public BeginPrepareEvent(Object source, String slotName, BeginPrepareMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the global transaction id
	 */
	public String gid() {
		return message().gid();
	}

}
