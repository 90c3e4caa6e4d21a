package io.github.pglogrepl.spring.snapshot;

/**
 * When the stream reads the existing rows of its tables ({@code pglogrepl.snapshot.mode}).
 */
public enum SnapshotMode {

	/** Never by itself; backfills are started on demand ({@link Snapshots#start}). The default. */
	NEVER,

	/**
	 * Once, the first time the stream starts for its slot: every published table (or
	 * {@code pglogrepl.snapshot.tables}) is read, then streaming goes on. A restart after the snapshot completed
	 * does not read again; a restart during it resumes it.
	 */
	INITIAL

}
