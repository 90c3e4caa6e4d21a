package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.StreamStartMessage;

/**
 * A block of a streamed in-progress transaction starts ({@code pglogrepl.pgoutput.streaming}).
 */
public final class StreamStartEvent extends PgOutputEvent<StreamStartMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public StreamStartEvent(Object source, String slotName, StreamStartMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the transaction id
	 */
	public long xid() {
		return Integer.toUnsignedLong(message().xid());
	}

}
