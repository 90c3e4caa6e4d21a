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
	 * Give up the failed event (after the handler recorded it, e.g. in a dead-letter store) and go on with the
	 * next one; the transaction is acknowledged as usual once its remaining events were delivered.
	 */
	SKIP,

	/**
	 * Stop the stream; the health indicator reports DOWN until the application restarts it.
	 */
	STOP

}
