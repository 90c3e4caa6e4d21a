package io.github.pglogrepl.spring.stream;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;

/**
 * A snapshot chunk's marker in the stream: a non-transactional logical decoding message, which pgoutput sends
 * at its place in the WAL — after every transaction whose commit record came before it, before every later
 * one. The low watermark is written before a chunk is read, the high one after; the stream's changes between
 * the two tell which rows of the chunk may be older than the stream (see {@link SnapshotCoordinator}).
 *
 * <p>Content: {@code kind|slot|run|chunk}; the slot keeps other slots' consumers of the same database out, the
 * run (random per container start) keeps watermarks written before a restart from being taken for new ones.
 *
 * @param kind {@code L} low watermark, {@code H} high watermark, {@code C} a table's snapshot was cancelled
 * @param slot the slot whose stream the marker is for
 * @param run the container run that wrote it
 * @param chunk the chunk's number in that run
 */
record Watermark(char kind, String slot, String run, long chunk) {

	/** The prefix of every watermark message (other messages with it are ignored too). */
	static final String PREFIX = "pglogrepl.snapshot";

	/**
	 * The statement writing a watermark. Taking a transaction id makes the commit flush the WAL (with
	 * {@code synchronous_commit = local} for the transaction, whatever the server's default: flushed here, not
	 * waiting for synchronous standbys), so the message is streamed at once: a non-transactional message is
	 * otherwise streamed only once the WAL writer flushes, up to {@code wal_writer_delay} (200 ms) later.
	 */
	private static final String EMIT = "SELECT pg_logical_emit_message(false, '" + PREFIX + "', ?), pg_current_xact_id()";

	/**
	 * @param message a received message
	 * @return whether it carries the snapshot prefix (a watermark of any stream)
	 */
	static boolean isWatermark(LogicalDecodingMessage message) {
		return PREFIX.equals(message.prefix());
	}

	/**
	 * @param message a message with the snapshot prefix
	 * @return the watermark, or {@code null} if the content is not one
	 */
	static Watermark parse(LogicalDecodingMessage message) {
		String[] parts = new String(message.content(), StandardCharsets.UTF_8).split("\\|", -1);
		if (parts.length != 4 || parts[0].length() != 1) {
			return null;
		}
		try {
			return new Watermark(parts[0].charAt(0), parts[1], parts[2], Long.parseLong(parts[3]));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	String content() {
		return this.kind + "|" + this.slot + "|" + this.run + "|" + this.chunk;
	}

	/**
	 * Writes the watermark and commits. The connection must be in auto-commit mode; it is left so.
	 * @param connection an ordinary connection to the streamed database
	 * @param beforeCommit a statement to run in the same transaction (progress), or {@code null}
	 * @throws SQLException if it fails
	 */
	void emit(Connection connection, SqlWork beforeCommit) throws SQLException {
		connection.setAutoCommit(false);
		try {
			try (java.sql.Statement st = connection.createStatement()) {
				st.execute("SET LOCAL synchronous_commit = local");
			}
			if (beforeCommit != null) {
				beforeCommit.run(connection);
			}
			try (PreparedStatement ps = connection.prepareStatement(EMIT)) {
				ps.setString(1, content());
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
				}
			}
			connection.commit();
		}
		catch (SQLException | RuntimeException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setAutoCommit(true);
		}
	}

	/** JDBC work run in the watermark's transaction. */
	@FunctionalInterface
	interface SqlWork {

		void run(Connection connection) throws SQLException;

	}

}
