package io.github.pglogrepl.spring.stream;

/**
 * How the flushed position reported to the server advances.
 */
public enum AckMode {

	/**
	 * After every synchronous listener of a transaction's events returned normally, its end LSN is
	 * acknowledged.
	 */
	AUTO,

	/**
	 * The application acknowledges through {@link Acknowledgement}; nothing is acknowledged otherwise.
	 */
	MANUAL

}
