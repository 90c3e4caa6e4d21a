package io.github.pglogrepl.spring.stream;

import io.github.pglogrepl.PgLogReplException;

/**
 * The replication stream cannot start because of configuration or server setup. Carries a description and
 * the action that fixes it; a Spring Boot FailureAnalyzer prints both at startup.
 */
public class ReplicationSetupException extends PgLogReplException {

	private static final long serialVersionUID = 1L;

	private final String action;

	/**
	 * Creates an exception.
	 * @param description what is wrong, naming the property or server setting
	 * @param action how to fix it
	 */
	public ReplicationSetupException(String description, String action) {
		super(description);
		this.action = action;
	}

	/**
	 * Creates an exception.
	 * @param description what is wrong
	 * @param action how to fix it
	 * @param cause the underlying failure
	 */
	public ReplicationSetupException(String description, String action, Throwable cause) {
		super(description, cause);
		this.action = action;
	}

	/**
	 * @return how to fix it
	 */
	public String action() {
		return this.action;
	}

}
