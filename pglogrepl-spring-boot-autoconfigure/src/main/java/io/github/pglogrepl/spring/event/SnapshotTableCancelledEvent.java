package io.github.pglogrepl.spring.event;

/**
 * A table's snapshot was cancelled before it completed: the rows delivered so far stay delivered, no more
 * follow.
 */
public final class SnapshotTableCancelledEvent extends SnapshotTableEvent {

	private static final long serialVersionUID = 1L;

	private final long rows;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param snapshotId the snapshot's id
	 * @param table the table
	 * @param rows the rows delivered before the cancellation
	 */
	public SnapshotTableCancelledEvent(Object source, String slotName, String snapshotId, TableName table,
			long rows) {
		super(source, slotName, snapshotId, table);
		this.rows = rows;
	}

	/**
	 * @return the rows delivered before the cancellation
	 */
	public long rows() {
		return this.rows;
	}

}
