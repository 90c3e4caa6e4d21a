package io.github.pglogrepl.spring.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the events published for a replication stream. The source is the stream container.
 * Events are immutable; they are published on the container's dispatch thread, one at a time, in stream
 * order.
 */
public abstract class ReplicationEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String slotName;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the replication slot
	 */
	protected ReplicationEvent(Object source, String slotName) {
		super(source);
		this.slotName = slotName;
	}

	/**
	 * @return the replication slot the event came from
	 */
	public String slotName() {
		return this.slotName;
	}

	/**
	 * @return the replication slot the event came from (for SpEL conditions)
	 */
	public String getSlotName() {
		return this.slotName;
	}

}
