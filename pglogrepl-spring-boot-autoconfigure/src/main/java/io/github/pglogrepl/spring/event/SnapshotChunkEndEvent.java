package io.github.pglogrepl.spring.event;

/**
 * The last row of a snapshot chunk was published: published after a chunk's {@link SnapshotEvent}s (and before
 * the table's {@link SnapshotTableCompletedEvent} when it was the last chunk), also for a chunk none of whose rows
 * was published (every key was changed by the stream meanwhile).
 *
 * <p>The chunk is recorded as delivered when this event's listeners have returned, and is not read again after
 * a restart. A listener that buffers rows (a batch insert into another store, a Kafka producer sending
 * asynchronously) must make them durable before it returns; if it throws, the chunk is read and delivered again
 * (its rows are then seen twice).
 */
public final class SnapshotChunkEndEvent extends SnapshotTableEvent {

	private static final long serialVersionUID = 1L;

	private final int rows;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param snapshotId the snapshot's id
	 * @param table the table
	 * @param rows the rows of the chunk that were published
	 */
	public SnapshotChunkEndEvent(Object source, String slotName, String snapshotId, TableName table, int rows) {
		super(source, slotName, snapshotId, table);
		this.rows = rows;
	}

	/**
	 * @return the rows of the chunk that were published as {@link SnapshotEvent}s
	 */
	public int rows() {
		return this.rows;
	}

	@Override
	public String toString() {
		return "SnapshotChunkEndEvent[snapshot=" + snapshotId() + ", table=" + table() + ", rows=" + this.rows + "]";
	}

}
