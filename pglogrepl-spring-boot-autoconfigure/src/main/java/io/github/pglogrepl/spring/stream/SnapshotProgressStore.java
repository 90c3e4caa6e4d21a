package io.github.pglogrepl.spring.stream;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.pglogrepl.spring.snapshot.SnapshotStatus;

/**
 * Where the progress of snapshots is kept, one row per snapshot and table: status, the key the next chunk reads
 * after, rows and chunks delivered. With {@link SnapshotSettings.ProgressStore#TABLE} it is a table in the
 * streamed database, created if missing:
 *
 * <pre>
 * CREATE TABLE IF NOT EXISTS pglogrepl_snapshot (
 *     slot_name text, snapshot_id text, table_name text, status text NOT NULL, condition text,
 *     cursor text[], rows_delivered bigint, chunks bigint, rows_estimate bigint,
 *     started_at timestamptz, finished_at timestamptz, reason text, updated_at timestamptz,
 *     PRIMARY KEY (slot_name, snapshot_id, table_name))
 * </pre>
 *
 * A row is written when a snapshot starts, after each delivered chunk (in the transaction of the next chunk's low
 * watermark) and when a table finishes. With {@link SnapshotSettings.ProgressStore#MEMORY} nothing is written.
 */
class SnapshotProgressStore {

	/** A table of a snapshot as stored. */
	record Entry(String snapshotId, String table, SnapshotStatus status, String condition, List<String> cursor,
			long rows, long chunks, long rowsEstimate, Instant startedAt, Instant finishedAt, String reason,
			Instant createdAt) {
	}

	private final String quotedTable;

	private final String slot;

	/**
	 * @param settings the snapshot settings
	 * @param slot the stream's slot
	 */
	SnapshotProgressStore(SnapshotSettings settings, String slot) {
		this.quotedTable = (settings.getProgressStore() == SnapshotSettings.ProgressStore.TABLE)
				? ServerCatalog.quoteTables(List.of(settings.getProgressTable())).get(0) : null;
		this.slot = slot;
	}

	/**
	 * @return whether progress survives a restart
	 */
	boolean isDurable() {
		return this.quotedTable != null;
	}

	/**
	 * @return the quoted table, or {@code null} in memory
	 */
	String quotedTable() {
		return this.quotedTable;
	}

	/**
	 * Reads this slot's entries, creating the table if missing when asked (an initial snapshot); otherwise a
	 * missing table means no entries, and it is created with the first backfill ({@link #ensureTable}).
	 * @param connection an ordinary connection
	 * @param create whether to create the table if it is missing
	 * @return the entries, oldest snapshot first
	 * @throws SQLException if it fails
	 */
	List<Entry> load(Connection connection, boolean create) throws SQLException {
		List<Entry> entries = new ArrayList<>();
		if (this.quotedTable == null) {
			return entries;
		}
		if (!create && !exists(connection)) {
			return entries;
		}
		ensureTable(connection);
		try (PreparedStatement ps = connection.prepareStatement("SELECT snapshot_id, table_name, status, condition, "
				+ "cursor, rows_delivered, chunks, rows_estimate, started_at, finished_at, reason, created_at FROM "
				+ this.quotedTable + " WHERE slot_name = ? ORDER BY created_at, snapshot_id, table_name")) {
			ps.setString(1, this.slot);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					Array cursor = rs.getArray(5);
					entries.add(new Entry(rs.getString(1), rs.getString(2), SnapshotStatus.valueOf(rs.getString(3)),
							rs.getString(4), (cursor != null) ? List.of((String[]) cursor.getArray()) : null,
							rs.getLong(6), rs.getLong(7), rs.getLong(8), instant(rs.getTimestamp(9)),
							instant(rs.getTimestamp(10)), rs.getString(11), instant(rs.getTimestamp(12))));
				}
			}
		}
		return entries;
	}

	/**
	 * Creates the table if missing (before a snapshot's first entry is written).
	 * @param connection an ordinary connection
	 * @throws SQLException if it fails
	 */
	void ensureTable(Connection connection) throws SQLException {
		if (this.quotedTable == null) {
			return;
		}
		try (Statement st = connection.createStatement()) {
			st.execute("CREATE TABLE IF NOT EXISTS " + this.quotedTable + " (slot_name text NOT NULL, "
					+ "snapshot_id text NOT NULL, table_name text NOT NULL, status text NOT NULL, condition text, "
					+ "cursor text[], rows_delivered bigint NOT NULL DEFAULT 0, chunks bigint NOT NULL DEFAULT 0, "
					+ "rows_estimate bigint NOT NULL DEFAULT -1, started_at timestamptz, finished_at timestamptz, "
					+ "reason text, created_at timestamptz NOT NULL DEFAULT now(), "
					+ "updated_at timestamptz NOT NULL DEFAULT now(), "
					+ "PRIMARY KEY (slot_name, snapshot_id, table_name))");
		}
	}

	private boolean exists(Connection connection) throws SQLException {
		try (PreparedStatement ps = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
			ps.setString(1, this.quotedTable);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() && rs.getBoolean(1);
			}
		}
	}

	/**
	 * Writes an entry (insert or update).
	 * @param connection an ordinary connection (its transaction, if any, is the caller's)
	 * @param entry the entry
	 * @throws SQLException if it fails
	 */
	void save(Connection connection, Entry entry) throws SQLException {
		if (this.quotedTable == null) {
			return;
		}
		try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + this.quotedTable
				+ " (slot_name, snapshot_id, table_name, status, condition, cursor, rows_delivered, chunks, "
				+ "rows_estimate, started_at, finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
				+ "ON CONFLICT (slot_name, snapshot_id, table_name) DO UPDATE SET status = EXCLUDED.status, "
				+ "cursor = EXCLUDED.cursor, rows_delivered = EXCLUDED.rows_delivered, chunks = EXCLUDED.chunks, "
				+ "rows_estimate = EXCLUDED.rows_estimate, started_at = EXCLUDED.started_at, "
				+ "finished_at = EXCLUDED.finished_at, reason = EXCLUDED.reason, updated_at = now()")) {
			ps.setString(1, this.slot);
			ps.setString(2, entry.snapshotId());
			ps.setString(3, entry.table());
			ps.setString(4, entry.status().name());
			ps.setString(5, entry.condition());
			ps.setArray(6, (entry.cursor() != null)
					? connection.createArrayOf("text", entry.cursor().toArray()) : null);
			ps.setLong(7, entry.rows());
			ps.setLong(8, entry.chunks());
			ps.setLong(9, entry.rowsEstimate());
			ps.setTimestamp(10, timestamp(entry.startedAt()));
			ps.setTimestamp(11, timestamp(entry.finishedAt()));
			ps.setString(12, entry.reason());
			ps.executeUpdate();
		}
	}

	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}

}
