package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.pglogrepl.Lsn;

/**
 * Why a replication connection failed, as far as it changes what the reader does next.
 *
 * @param kind the class of failure
 * @param message the failure's message (the server's, for server errors)
 * @param blockedAt for {@link Kind#PUBLICATION_MISSING}: the WAL position the server cannot decode past, when
 * the server named it, else {@code null}
 */
record ConnectionFailure(Kind kind, String message, Lsn blockedAt) {

	/** The server names the WAL position of a decoding error in the error's context. */
	private static final Pattern ASSOCIATED_LSN = Pattern.compile("associated LSN ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");

	private static final Pattern PUBLICATION = Pattern.compile("publication \"([^\"]*)\" does not exist");

	/** The classes of failure. */
	enum Kind {

		/**
		 * Another connection holds the slot (SQLSTATE 55006, {@code object_in_use}): this instance is a hot
		 * standby and keeps trying.
		 */
		SLOT_IN_USE,

		/**
		 * A publication does not exist in the catalog as of a change's WAL position (SQLSTATE 42704,
		 * PostgreSQL 14–17 after a publication was dropped, and also when it was created again later): the
		 * server decodes with the catalog of each position, so the stream can never get past it by retrying.
		 */
		PUBLICATION_MISSING,

		/** Anything else: reconnect with backoff. */
		TRANSIENT;

		/**
		 * @return whether only an operator can resolve it (retrying cannot)
		 */
		boolean needsOperator() {
			return this == PUBLICATION_MISSING;
		}

	}

	/**
	 * @param ex what the connection failed with
	 * @return its classification
	 */
	static ConnectionFailure of(Throwable ex) {
		String state = (ex instanceof SQLException sql) ? sql.getSQLState() : null;
		String message = String.valueOf(ex.getMessage());
		if ("55006".equals(state)) {
			return new ConnectionFailure(Kind.SLOT_IN_USE, message, null);
		}
		if ("42704".equals(state) && PUBLICATION.matcher(message).find()) {
			Matcher lsn = ASSOCIATED_LSN.matcher(message);
			return new ConnectionFailure(Kind.PUBLICATION_MISSING, message, lsn.find() ? Lsn.parse(lsn.group(1)) : null);
		}
		return new ConnectionFailure(Kind.TRANSIENT, message, null);
	}

	/**
	 * @param slot the slot
	 * @param confirmed the slot's confirmed position as far as the stream knows
	 * @return for a failure that needs an operator: what happened and the ways out, with what each loses
	 */
	String explain(String slot, Lsn confirmed) {
		Matcher publication = PUBLICATION.matcher(this.message);
		String name = publication.find() ? publication.group(1) : "?";
		String at = (this.blockedAt != null) ? this.blockedAt.toString() : "a change after " + confirmed;
		return "The replication slot '" + slot + "' cannot be streamed past " + at + ": publication '" + name
				+ "' did not exist at that WAL position (it was dropped, perhaps created again since). PostgreSQL "
				+ "decodes each change with the catalog of its time, so retrying cannot get past it. Ways out: "
				+ "(1) skip to a position after the publication exists again, losing every change in between: "
				+ "SELECT pg_replication_slot_advance('" + slot + "', pg_current_wal_lsn()) (or the LSN of the "
				+ "CREATE PUBLICATION commit, to lose less); "
				+ "(2) drop the slot and re-create slot and publication, then re-read the published tables (a "
				+ "backfill) to repair what was missed. Server error: " + this.message;
	}

}
