package io.github.pglogrepl.spring.snapshot;

/**
 * Where a snapshot, or one table of it, stands.
 */
public enum SnapshotStatus {

	/** Waiting for a reader thread. */
	PENDING,

	/** Being read. */
	RUNNING,

	/** Every row was delivered. */
	COMPLETED,

	/** Cancelled before it completed; the rows delivered so far stay delivered. */
	CANCELLED,

	/** Not read: the table cannot be snapshotted (see the reason), or the reading failed. */
	FAILED;

	/**
	 * @return whether nothing more happens
	 */
	public boolean isFinished() {
		return this == COMPLETED || this == CANCELLED || this == FAILED;
	}

}
