package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.StreamStopMessage;

/**
 * A block of a streamed in-progress transaction ends.
 */
public final class StreamStopEvent extends PgOutputEvent<StreamStopMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public StreamStopEvent(Object source, String slotName, StreamStopMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

}
