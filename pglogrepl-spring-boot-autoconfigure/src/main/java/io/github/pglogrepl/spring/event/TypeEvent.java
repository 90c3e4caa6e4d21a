package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.TypeMessage;

/**
 * A non-built-in data type is described.
 */
public final class TypeEvent extends PgOutputEvent<TypeMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public TypeEvent(Object source, String slotName, TypeMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

}
