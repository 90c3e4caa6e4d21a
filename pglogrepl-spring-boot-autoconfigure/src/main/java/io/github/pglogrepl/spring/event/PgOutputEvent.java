package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputMessage;

/**
 * Base class of the decoded pgoutput events: carries the core-library message and its WAL position.
 *
 * @param <M> the message type
 */
public abstract class PgOutputEvent<M extends PgOutputMessage> extends ReplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient M message;

	private final transient Lsn walStart;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the decoded message
	 * @param walStart WAL position of the message
	 */
	protected PgOutputEvent(Object source, String slotName, M message, Lsn walStart) {
		super(source, slotName);
		this.message = message;
		this.walStart = walStart;
	}

	/**
	 * @return the decoded pgoutput message
	 */
	public M message() {
		return this.message;
	}

	/**
	 * @return the WAL position of the message
	 */
	public Lsn walStart() {
		return this.walStart;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.message + "]";
	}

}
