package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.Lsn;

/**
 * How the stream knows, across restarts, that it has streamed from its slot before: a marker row per slot in a
 * small table of the streamed database, next to the snapshot progress table (same schema), created if missing:
 *
 * <pre>
 * CREATE TABLE IF NOT EXISTS pglogrepl_slot (
 *     slot_name text PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT now(), recorded_lsn pg_lsn)
 * </pre>
 *
 * The row is written once, when the stream sets up its slot and finds no row: before it creates a new slot, so the
 * row's own insert lies before the slot's start and is never streamed (for a slot that existed before the table,
 * the insert is streamed once: with a {@code FOR ALL TABLES} publication, listeners see it). A slot that is missing
 * at startup while its row exists was lost, and {@link SlotLossPolicy} decides; a missing slot without a row is
 * simply created. The marker cannot be kept by the slot itself (it is what goes missing), and a table in the
 * streamed database moves with it: a physical standby has it after a failover, where the slot may be missing.
 *
 * <p>With {@code pglogrepl.snapshot.progress-store=memory} nothing is created and nothing is known across restarts:
 * only a slot lost while the stream runs is noticed. If the role cannot create the table, a WARN says so (with the
 * statement to run) and the stream goes on without it.
 */
final class SlotHistory {

	private static final Log logger = LogFactory.getLog(SlotHistory.class);

	/** The table's name, in the schema of the snapshot progress table. */
	static final String TABLE = "pglogrepl_slot";

	/** The slot's marker as stored. */
	record Entry(Instant recordedAt, Lsn recordedLsn) {
	}

	private final String quotedTable;

	private final String slot;

	/**
	 * @param settings the snapshot settings (the progress store decides whether and where)
	 * @param slot the stream's slot
	 */
	SlotHistory(SnapshotSettings settings, String slot) {
		this.slot = slot;
		if (settings.getProgressStore() != SnapshotSettings.ProgressStore.TABLE) {
			this.quotedTable = null;
			return;
		}
		String progress = settings.getProgressTable();
		int dot = progress.lastIndexOf('.');
		this.quotedTable = ServerCatalog.quoteTables(List.of((dot < 0) ? TABLE : progress.substring(0, dot + 1) + TABLE))
			.get(0);
	}

	/**
	 * @return whether a marker is kept at all (not with {@code progress-store=memory})
	 */
	boolean isDurable() {
		return this.quotedTable != null;
	}

	/**
	 * @return the table as quoted in SQL, or {@code null}
	 */
	String quotedTable() {
		return this.quotedTable;
	}

	/**
	 * @param connection an ordinary connection to the streamed database
	 * @return the slot's marker, or {@code null} if it has none (or no table)
	 * @throws SQLException if the query fails
	 */
	Entry find(Connection connection) throws SQLException {
		if (!tableExists(connection)) {
			return null;
		}
		try (PreparedStatement ps = connection.prepareStatement(
				"SELECT recorded_at, recorded_lsn::text FROM " + this.quotedTable + " WHERE slot_name = ?")) {
			ps.setString(1, this.slot);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					return null;
				}
				String lsn = rs.getString(2);
				return new Entry(rs.getTimestamp(1).toInstant(), (lsn != null) ? Lsn.parse(lsn) : null);
			}
		}
	}

	/**
	 * Writes the slot's marker unless it has one, creating the table if missing. A failure (the role may not
	 * create tables) is logged at WARN, not thrown: the stream works without it, only a loss during a restart
	 * goes unnoticed.
	 * @param connection an ordinary connection to the streamed database (autocommit)
	 * @return whether the marker is there now
	 */
	boolean record(Connection connection) {
		if (this.quotedTable == null) {
			return false;
		}
		try {
			if (!tableExists(connection)) {
				try (Statement st = connection.createStatement()) {
					st.execute(createStatement());
				}
			}
			try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + this.quotedTable
					+ " (slot_name, recorded_lsn) VALUES (?, pg_current_wal_lsn()) ON CONFLICT (slot_name) DO NOTHING")) {
				ps.setString(1, this.slot);
				ps.executeUpdate();
			}
			return true;
		}
		catch (SQLException ex) {
			logger.warn("Cannot record that slot '" + this.slot + "' is streamed by this application in " + this.quotedTable
					+ " (" + ex.getMessage() + "): if the slot is lost while the application is down, the next start "
					+ "cannot tell and creates it again, losing the changes in between without an error. Let the role "
					+ "create it (" + createStatement() + "; GRANT SELECT, INSERT, DELETE ON " + this.quotedTable
					+ " TO ...), or set pglogrepl.snapshot.progress-store=memory to do without it.");
			return false;
		}
	}

	/**
	 * @return the statement that creates the table
	 */
	String createStatement() {
		return "CREATE TABLE IF NOT EXISTS " + this.quotedTable + " (slot_name text PRIMARY KEY, "
				+ "recorded_at timestamptz NOT NULL DEFAULT now(), recorded_lsn pg_lsn)";
	}

	/** Checked first: CREATE TABLE IF NOT EXISTS needs the CREATE privilege even when the table exists. */
	private boolean tableExists(Connection connection) throws SQLException {
		return new ServerCatalog(connection).resolveTable(this.quotedTable) != null;
	}

}
