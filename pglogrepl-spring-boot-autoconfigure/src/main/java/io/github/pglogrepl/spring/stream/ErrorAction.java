package io.github.pglogrepl.spring.stream;

/**
 * What the container does after a listener failed.
 */
public enum ErrorAction {

	/**
	 * Back off, reconnect and redeliver from the last acknowledged position (at-least-once). The failed
	 * transaction is delivered again.
	 */
	RETRY,

	/**
	 * Skip the rest of the failed transaction and acknowledge it as if delivered (e.g. after recording it in a
	 * dead-letter store).
	 */
	SKIP,

	/**
	 * Stop the stream; the health indicator reports DOWN until the application restarts it.
	 */
	STOP

}
