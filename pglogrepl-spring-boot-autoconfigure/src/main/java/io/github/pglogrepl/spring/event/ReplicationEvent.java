package io.github.pglogrepl.spring.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the events published for a replication stream. The source is the stream container. SpEL
 * conditions read the accessors by their names: {@code #event.stream}, {@code #event.table.name}.
 * Events are immutable; they are published on the container's dispatch thread, one at a time, in stream
 * order.
 */
public abstract class ReplicationEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String stream;

	private final String slotName;

	/**
	 * Creates an event.
	 * @param source the publishing container (a {@link ReplicationEventSource}, which names the stream)
	 * @param slotName the replication slot
	 */
	protected ReplicationEvent(Object source, String slotName) {
		super(source);
		this.stream = (source instanceof ReplicationEventSource eventSource) ? eventSource.streamName() : null;
		this.slotName = slotName;
	}

	/**
	 * @return the name of the stream the event came from ({@code default} when the application has one stream;
	 * {@code null} if the source is no stream), e.g. for
	 * {@code @EventListener(condition = "#event.stream == 'billing'")}
	 */
	public String stream() {
		return this.stream;
	}

	/**
	 * @return the replication slot the event came from
	 */
	public String slotName() {
		return this.slotName;
	}

	/**
	 * Describes the event for logs and error reports. Row contents can be personal data, so the row events show
	 * their table, WAL position, transaction and column names, and their values only when asked
	 * ({@code pglogrepl.log-row-values=true}); {@link #toString()} never shows values.
	 * @param withRowValues whether to include column values
	 * @return the description
	 */
	public String describe(boolean withRowValues) {
		return toString();
	}

}
