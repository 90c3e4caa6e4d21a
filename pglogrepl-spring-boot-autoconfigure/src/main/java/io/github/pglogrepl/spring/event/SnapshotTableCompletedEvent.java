package io.github.pglogrepl.spring.event;

import java.time.Duration;

/**
 * A table's snapshot completed: every row was delivered.
 */
public final class SnapshotTableCompletedEvent extends SnapshotTableEvent {

	private static final long serialVersionUID = 1L;

	private final long rows;

	private final Duration duration;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param snapshotId the snapshot's id
	 * @param table the table
	 * @param rows the rows delivered (after a restart: since the snapshot resumed, plus those recorded before)
	 * @param duration from the table's first chunk to its last
	 */
	public SnapshotTableCompletedEvent(Object source, String slotName, String snapshotId, TableName table, long rows,
			Duration duration) {
		super(source, slotName, snapshotId, table);
		this.rows = rows;
		this.duration = duration;
	}

	/**
	 * @return the rows delivered as {@link SnapshotEvent}s
	 */
	public long rows() {
		return this.rows;
	}

	/**
	 * @return how long the table's snapshot took
	 */
	public Duration duration() {
		return this.duration;
	}

	@Override
	public String toString() {
		return "SnapshotTableCompletedEvent[snapshot=" + snapshotId() + ", table=" + table() + ", rows=" + this.rows
				+ ", duration=" + this.duration + "]";
	}

}
