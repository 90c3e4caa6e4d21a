package io.github.pglogrepl.connection;

import io.github.pglogrepl.PgLogReplException;

/**
 * Thrown when a feature is asked of a server version that does not have it.
 */
public class UnsupportedFeatureException extends PgLogReplException {

	private static final long serialVersionUID = 1L;

	private final int requiredVersion;

	private final int serverVersion;

	/**
	 * Creates an exception.
	 * @param feature the feature
	 * @param requiredVersion the first major version that has it
	 * @param serverVersion the server's major version
	 */
	public UnsupportedFeatureException(String feature, int requiredVersion, int serverVersion) {
		super(feature + " requires PostgreSQL " + requiredVersion + " or later; the server is PostgreSQL "
				+ serverVersion);
		this.requiredVersion = requiredVersion;
		this.serverVersion = serverVersion;
	}

	/**
	 * @return the first major version with the feature
	 */
	public int requiredVersion() {
		return this.requiredVersion;
	}

	/**
	 * @return the server's major version
	 */
	public int serverVersion() {
		return this.serverVersion;
	}

}
