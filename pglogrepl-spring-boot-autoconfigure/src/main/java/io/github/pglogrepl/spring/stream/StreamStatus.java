package io.github.pglogrepl.spring.stream;

/**
 * Lifecycle state of the replication stream, as {@link StreamState#status()}, health and the endpoint show it.
 */
public enum StreamStatus {

	/** Not started yet. */
	NEW,
	/** Connecting to the server (at startup, or again after a failure). */
	CONNECTING,
	/** Receiving changes. */
	STREAMING,
	/**
	 * A listener failed and the error handler asked to retry: delivery is blocked at one position and retried
	 * with backoff ({@link StreamState#deliveryFailure()} says where, since when, how often).
	 */
	RETRYING,
	/** Another connection holds the slot; retrying (hot standby). */
	STANDBY,
	/** The connection failed; reconnecting after a backoff. */
	RECONNECTING,
	/**
	 * The server refuses to stream past a position, and retrying cannot change that (e.g. a publication that
	 * did not exist at that WAL position, on PostgreSQL 14–17): an operator has to act. Still retried, at the
	 * longest reconnect interval, in case one does. {@link StreamState#lastError()} says what and how.
	 */
	BLOCKED,
	/**
	 * The slot is lost — it no longer exists although the stream streamed from it, or the server invalidated it
	 * ({@code wal_status = lost}) — and {@code pglogrepl.slot.on-lost} is {@link SlotLossPolicy#FAIL}: the stream
	 * stopped, nothing was re-created. {@link StreamState#lastError()} says what was lost and the ways out.
	 */
	SLOT_LOST,
	/** Stopped, by shutdown, by the error handler, or after the reconnect backoff ran out. */
	STOPPED

}
