package io.github.pglogrepl;

/**
 * Base class of the unchecked exceptions thrown by this library.
 */
public class PgLogReplException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with a message.
	 * @param message the detail message
	 */
	public PgLogReplException(String message) {
		super(message);
	}

	/**
	 * Creates an exception with a message and a cause.
	 * @param message the detail message
	 * @param cause the cause
	 */
	public PgLogReplException(String message, Throwable cause) {
		super(message, cause);
	}

}
