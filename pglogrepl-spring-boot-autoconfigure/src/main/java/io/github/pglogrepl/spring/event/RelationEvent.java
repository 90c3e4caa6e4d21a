package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.RelationMessage;

/**
 * A table is described (sent before its first change on a connection, and after it is altered).
 */
public final class RelationEvent extends PgOutputEvent<RelationMessage> {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the message
	 * @param walStart its WAL position
	 */
	public RelationEvent(Object source, String slotName, RelationMessage message, Lsn walStart) {
		super(source, slotName, message, walStart);
	}

	/**
	 * @return the table
	 */
	public TableName table() {
		return new TableName(message().namespace(), message().name());
	}

}
