package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.OriginMessage;

/**
 * The current transaction came from the named replication origin.
 */
public final class OriginEvent extends PgOutputEvent<OriginMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public OriginEvent(Object source, String slotName, OriginMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the origin name
	 */
	public String name() {
		return message().name();
	}

}
