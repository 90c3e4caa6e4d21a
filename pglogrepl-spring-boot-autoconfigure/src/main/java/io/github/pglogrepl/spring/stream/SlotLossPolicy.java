package io.github.pglogrepl.spring.stream;

/**
 * What the stream does when its slot is lost ({@code pglogrepl.slot.on-lost}): the slot this application streamed
 * from before no longer exists (dropped, or a failover to a server without it), or the server invalidated it
 * ({@code wal_status = lost}: {@code max_slot_wal_keep_size}, PostgreSQL 18's {@code idle_replication_slot_timeout}).
 * Either way the changes between the last acknowledged position and a new slot's start are gone: a new slot starts
 * at the server's current WAL position.
 */
public enum SlotLossPolicy {

	/**
	 * Stop: at startup a {@link ReplicationSetupException}, while running status {@link StreamStatus#SLOT_LOST}
	 * (health DOWN), with an ERROR naming what was lost and the ways out. Nothing is re-created. The default.
	 */
	FAIL,

	/**
	 * Drop the invalidated slot if it is still there, create it again at the server's current WAL position and
	 * stream on: logged at ERROR with the lost range, counted by {@code pglogrepl.slot.recreated}. The changes in
	 * between are not delivered.
	 */
	RECREATE,

	/**
	 * Like {@link #RECREATE}, then backfill every published table with a snapshot
	 * ({@code Snapshots.start(new SnapshotRequest(List.of(), null))}), so a consumer that upserts by key is repaired:
	 * rows changed or added in between arrive as {@code SnapshotEvent}s (rows deleted in between are not reported).
	 * Needs {@code pglogrepl.snapshot.enabled=true} and {@code pglogrepl.pgoutput.streaming=off}.
	 */
	RECREATE_AND_SNAPSHOT

}
