package io.github.pglogrepl.spring.event;

/**
 * Base class of the events that mark a table's snapshot starting, completing and being cancelled. They are
 * delivered in stream order with the table's {@link SnapshotEvent}s: started before its first row, completed
 * after its last.
 */
public abstract class SnapshotTableEvent extends ReplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String snapshotId;

	private final TableName table;

	SnapshotTableEvent(Object source, String slotName, String snapshotId, TableName table) {
		super(source, slotName);
		this.snapshotId = snapshotId;
		this.table = table;
	}

	/**
	 * @return the snapshot's id ({@code initial} for the initial snapshot)
	 */
	public String snapshotId() {
		return this.snapshotId;
	}

	/**
	 * @return the table
	 */
	public TableName table() {
		return this.table;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[snapshot=" + this.snapshotId + ", table=" + this.table + "]";
	}

}
