package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.StreamAbortMessage;

/**
 * A streamed (sub)transaction aborted: discard the changes streamed for {@link #subXid()}.
 */
public final class StreamAbortEvent extends PgOutputEvent<StreamAbortMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public StreamAbortEvent(Object source, String slotName, StreamAbortMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the top-level transaction id
	 */
	public long xid() {
		return Integer.toUnsignedLong(message().xid());
	}

	/**
	 * @return the aborted (sub)transaction id
	 */
	public long subXid() {
		return Integer.toUnsignedLong(message().subXid());
	}

}
