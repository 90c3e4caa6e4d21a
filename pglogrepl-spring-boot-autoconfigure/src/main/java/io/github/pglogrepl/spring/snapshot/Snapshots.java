package io.github.pglogrepl.spring.snapshot;

import java.util.List;
import java.util.Optional;

/**
 * Snapshots of one stream: start a backfill while streaming, list them with their progress, cancel one. The
 * rows arrive as {@code SnapshotEvent}s among the stream's other events; see the README's "Snapshots" section for
 * the guarantee. Each stream has one ({@code ReplicationStreamContainer.snapshots()}); with a single stream it is
 * also a bean.
 */
public interface Snapshots {

	/**
	 * Starts reading the given tables while the stream goes on.
	 * @param request the tables and an optional condition
	 * @return the new snapshot's progress
	 * @throws SnapshotRequestException if the request cannot be carried out (nothing is started)
	 */
	SnapshotProgress start(SnapshotRequest request);

	/**
	 * @return every snapshot of this stream known since the application started, or kept in the progress
	 * store, newest first
	 */
	List<SnapshotProgress> list();

	/**
	 * @param id a snapshot id
	 * @return the snapshot's progress, if there is such a snapshot
	 */
	Optional<SnapshotProgress> get(String id);

	/**
	 * Cancels a snapshot: no more chunks are read; rows already delivered stay delivered.
	 * @param id a snapshot id
	 * @return the snapshot's progress, if there is such a snapshot
	 */
	Optional<SnapshotProgress> cancel(String id);

}
