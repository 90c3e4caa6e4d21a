package io.github.pglogrepl.spring.event;

/**
 * A table's snapshot starts: its rows follow as {@link SnapshotEvent}s (interleaved with the stream's changes).
 */
public final class SnapshotTableStartedEvent extends SnapshotTableEvent {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param snapshotId the snapshot's id
	 * @param table the table
	 */
	public SnapshotTableStartedEvent(Object source, String slotName, String snapshotId, TableName table) {
		super(source, slotName, snapshotId, table);
	}

}
