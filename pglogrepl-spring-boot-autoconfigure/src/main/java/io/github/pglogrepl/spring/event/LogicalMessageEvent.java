package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;

/**
 * A message written with {@code pg_logical_emit_message} (needs {@code pglogrepl.pgoutput.messages=true}).
 */
public final class LogicalMessageEvent extends PgOutputEvent<LogicalDecodingMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public LogicalMessageEvent(Object source, String slotName, LogicalDecodingMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the prefix
	 */
	public String prefix() {
		return message().prefix();
	}

	/**
	 * @return the content bytes
	 */
	public byte[] content() {
		return message().content().clone();
	}

	/**
	 * @return the content as UTF-8
	 */
	public String contentAsString() {
		return message().contentAsString();
	}

	/**
	 * @return whether the message was part of a transaction
	 */
	public boolean transactional() {
		return message().transactional();
	}

}
