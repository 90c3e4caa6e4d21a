package io.github.pglogrepl.spring.stream;

/**
 * Lifecycle state of the replication stream.
 */
public enum StreamStatus {

	/** Not started yet. */
	NEW,
	/** Connecting to the server. */
	CONNECTING,
	/** Receiving changes. */
	STREAMING,
	/** Another connection holds the slot; retrying (hot standby). */
	STANDBY,
	/** The connection failed; reconnecting after a backoff. */
	RECONNECTING,
	/** Stopped, by shutdown or by the error handler. */
	STOPPED

}
