package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;

/**
 * Why a replication connection failed, as far as it changes what the reader does next.
 *
 * @param kind the class of failure
 * @param message the failure's message (the server's, for server errors)
 */
record ConnectionFailure(Kind kind, String message) {

	/** The classes of failure. */
	enum Kind {

		/**
		 * Another connection holds the slot (SQLSTATE 55006, {@code object_in_use}): this instance is a hot
		 * standby and keeps trying.
		 */
		SLOT_IN_USE,

		/** Anything else: reconnect with backoff. */
		TRANSIENT

	}

	/**
	 * @param ex what the connection failed with
	 * @return its classification
	 */
	static ConnectionFailure of(Throwable ex) {
		String state = (ex instanceof SQLException sql) ? sql.getSQLState() : null;
		if ("55006".equals(state)) {
			return new ConnectionFailure(Kind.SLOT_IN_USE, ex.getMessage());
		}
		return new ConnectionFailure(Kind.TRANSIENT, String.valueOf(ex.getMessage()));
	}

}
