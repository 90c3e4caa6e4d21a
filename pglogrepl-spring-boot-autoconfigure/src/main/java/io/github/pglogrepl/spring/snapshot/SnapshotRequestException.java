package io.github.pglogrepl.spring.snapshot;

/**
 * A snapshot request that cannot be carried out: an unknown table, a table the publications do not publish or
 * that has no unique key, an invalid condition, a table already being read. Nothing was started, and the stream
 * is unaffected.
 */
public class SnapshotRequestException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * @param message what is wrong and how to fix it
	 */
	public SnapshotRequestException(String message) {
		super(message);
	}

	/**
	 * @param message what is wrong and how to fix it
	 * @param cause the underlying failure
	 */
	public SnapshotRequestException(String message, Throwable cause) {
		super(message, cause);
	}

}
