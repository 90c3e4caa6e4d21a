package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.Identifiers;

/**
 * Every query the starter runs on the server's catalog — {@code pg_publication}, {@code pg_publication_tables},
 * {@code pg_replication_slots}, {@code pg_roles}, server settings — for the startup checks, the publication
 * watchdog, the actuator endpoint and metrics. Names are always bound as parameters and compared as
 * {@code name} (the server truncates identifiers longer than 63 bytes, so the comparison must too); the only
 * statement built from names, {@code CREATE PUBLICATION}, quotes them with {@link Identifiers}.
 *
 * <p>A catalog wraps an ordinary (non-replication) JDBC connection that the caller owns and closes. Not
 * thread-safe: one catalog per thread.
 */
public final class ServerCatalog {

	/** The server's current WAL position; on a standby, the last one replayed. */
	private static final String CURRENT_WAL_LSN = "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
			+ "ELSE pg_current_wal_lsn() END";

	private final Connection connection;

	/**
	 * @param connection an open connection to the streamed database
	 */
	public ServerCatalog(Connection connection) {
		this.connection = connection;
	}

	/**
	 * A replication slot as {@code pg_replication_slots} shows it.
	 *
	 * @param slotName the slot
	 * @param plugin its output plugin ({@code null} for a physical slot)
	 * @param slotType {@code logical} or {@code physical}
	 * @param database the slot's database ({@code null} for a physical slot)
	 * @param currentDatabase the database of this connection
	 * @param active whether a connection streams from it
	 * @param activePid the walsender's process id, or {@code null}
	 * @param restartLsn the oldest WAL position the slot keeps, or {@code null}
	 * @param confirmedFlushLsn the position the consumer confirmed, or {@code null}
	 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (PostgreSQL 13+)
	 * @param retainedBytes WAL bytes between the current position and {@code confirmed_flush_lsn}, or {@code null}
	 */
	public record SlotInfo(String slotName, String plugin, String slotType, String database, String currentDatabase,
			boolean active, Integer activePid, Lsn restartLsn, Lsn confirmedFlushLsn, String walStatus,
			Long retainedBytes) {

		/**
		 * @return whether the slot can no longer be used (its WAL was removed)
		 */
		public boolean isLost() {
			return "lost".equals(this.walStatus);
		}

		/**
		 * @return the columns as the endpoint shows them ({@code snake_case} as in the view)
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("slot_name", this.slotName);
			map.put("plugin", this.plugin);
			map.put("slot_type", this.slotType);
			map.put("database", this.database);
			map.put("active", this.active);
			map.put("active_pid", this.activePid);
			map.put("restart_lsn", (this.restartLsn != null) ? this.restartLsn.toString() : null);
			map.put("confirmed_flush_lsn", (this.confirmedFlushLsn != null) ? this.confirmedFlushLsn.toString() : null);
			map.put("wal_status", this.walStatus);
			map.put("retained_bytes", this.retainedBytes);
			return map;
		}

	}

	/**
	 * @return the server's major version, e.g. 18
	 * @throws SQLException if the query fails
	 */
	public int serverMajorVersion() throws SQLException {
		return this.connection.getMetaData().getDatabaseMajorVersion();
	}

	/**
	 * @return the server's current WAL position (on a standby: the last replayed one)
	 * @throws SQLException if the query fails
	 */
	public Lsn currentWalLsn() throws SQLException {
		try (Statement st = this.connection.createStatement(); ResultSet rs = st.executeQuery(
				"SELECT (" + CURRENT_WAL_LSN + ")::text")) {
			rs.next();
			return lsn(rs.getString(1));
		}
	}

	/**
	 * @return the server's {@code wal_level}
	 * @throws SQLException if the query fails
	 */
	public String walLevel() throws SQLException {
		try (Statement st = this.connection.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
			rs.next();
			return rs.getString(1);
		}
	}

	/**
	 * @return the current user if it lacks the {@code REPLICATION} attribute (and is no superuser), otherwise
	 * {@code null}
	 * @throws SQLException if the query fails
	 */
	public String userWithoutReplication() throws SQLException {
		try (Statement st = this.connection.createStatement();
				ResultSet rs = st.executeQuery(
						"SELECT current_user, rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
			return (rs.next() && !rs.getBoolean(2)) ? rs.getString(1) : null;
		}
	}

	/**
	 * @param name a publication name
	 * @return whether the publication exists
	 * @throws SQLException if the query fails
	 */
	public boolean publicationExists(String name) throws SQLException {
		try (PreparedStatement ps = this.connection
			.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = CAST(? AS name)")) {
			ps.setString(1, name);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next();
			}
		}
	}

	/**
	 * @param names publication names
	 * @return those that do not exist, in the given order
	 * @throws SQLException if the query fails
	 */
	public List<String> missingPublications(List<String> names) throws SQLException {
		List<String> missing = new ArrayList<>();
		for (String name : names) {
			if (!publicationExists(name)) {
				missing.add(name);
			}
		}
		return missing;
	}

	/**
	 * Creates a publication.
	 * @param name the publication name (quoted here)
	 * @param quotedTables tables, already quoted ({@link #quoteTables(List)}); empty for {@code FOR ALL TABLES}
	 * @return the statement that was run
	 * @throws SQLException if it fails (SQLSTATE 42710 if it exists)
	 */
	public String createPublication(String name, List<String> quotedTables) throws SQLException {
		String sql = "CREATE PUBLICATION " + Identifiers.quoteIdentifier(name)
				+ (quotedTables.isEmpty() ? " FOR ALL TABLES" : " FOR TABLE " + String.join(", ", quotedTables));
		try (Statement st = this.connection.createStatement()) {
			st.execute(sql);
		}
		return sql;
	}

	/**
	 * Quotes {@code table} or {@code schema.table} names for SQL.
	 * @param tables the names
	 * @return the quoted names
	 * @throws IllegalArgumentException naming the first invalid entry
	 */
	public static List<String> quoteTables(List<String> tables) {
		List<String> quoted = new ArrayList<>();
		for (String table : tables) {
			String[] parts = table.split("\\.", -1);
			if (parts.length > 2 || table.isBlank()) {
				throw new IllegalArgumentException("Invalid table '" + table + "'");
			}
			StringBuilder sb = new StringBuilder();
			for (int i = 0; i < parts.length; i++) {
				if (parts[i].isEmpty()) {
					throw new IllegalArgumentException("Invalid table '" + table + "'");
				}
				if (i > 0) {
					sb.append('.');
				}
				try {
					sb.append(Identifiers.quoteIdentifier(parts[i]));
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalArgumentException("Invalid table '" + table + "': " + ex.getMessage(), ex);
				}
			}
			quoted.add(sb.toString());
		}
		return quoted;
	}

	/**
	 * @param publication a publication name
	 * @return its tables as {@code schema.table}, sorted
	 * @throws SQLException if the query fails
	 */
	public List<String> publishedTables(String publication) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT schemaname || '.' || tablename "
				+ "FROM pg_publication_tables WHERE pubname = CAST(? AS name) ORDER BY 1")) {
			ps.setString(1, publication);
			try (ResultSet rs = ps.executeQuery()) {
				List<String> tables = new ArrayList<>();
				while (rs.next()) {
					tables.add(rs.getString(1));
				}
				return tables;
			}
		}
	}

	/**
	 * @param slotName a slot name
	 * @return the slot, or {@code null} if there is none of that name
	 * @throws SQLException if the query fails
	 */
	public SlotInfo slot(String slotName) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT slot_name::text, plugin::text, slot_type, "
				+ "database::text, current_database()::text, active, active_pid, restart_lsn::text, "
				+ "confirmed_flush_lsn::text, wal_status, "
				+ "pg_wal_lsn_diff(" + CURRENT_WAL_LSN + ", "
				+ "confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = CAST(? AS name)")) {
			ps.setString(1, slotName);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					return null;
				}
				int pid = rs.getInt(7);
				Integer activePid = rs.wasNull() ? null : pid;
				long retained = rs.getLong(11);
				Long retainedBytes = rs.wasNull() ? null : retained;
				return new SlotInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
						rs.getString(5), rs.getBoolean(6), activePid, lsn(rs.getString(8)), lsn(rs.getString(9)),
						rs.getString(10), retainedBytes);
			}
		}
	}

	/**
	 * @param slotName a slot name
	 * @return whether the slot is a failover slot ({@code pg_replication_slots.failover}, PostgreSQL 17+), or
	 * {@code null} if there is no slot of that name
	 * @throws SQLException if the query fails (before PostgreSQL 17: no such column)
	 */
	public Boolean slotFailover(String slotName) throws SQLException {
		try (PreparedStatement ps = this.connection
			.prepareStatement("SELECT failover FROM pg_replication_slots WHERE slot_name = CAST(? AS name)")) {
			ps.setString(1, slotName);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() ? rs.getBoolean(1) : null;
			}
		}
	}

	/**
	 * @return the physical slots named in the server's {@code synchronized_standby_slots} (PostgreSQL 17+; empty
	 * when unset or on older servers), each with whether it exists and a standby streams from it
	 * @throws SQLException if the query fails
	 */
	public List<StandbySlot> synchronizedStandbySlots() throws SQLException {
		String setting;
		try (Statement st = this.connection.createStatement();
				ResultSet rs = st.executeQuery("SELECT current_setting('synchronized_standby_slots', true)")) {
			rs.next();
			setting = rs.getString(1);
		}
		List<StandbySlot> slots = new ArrayList<>();
		if (setting == null || setting.isBlank()) {
			return slots;
		}
		try (PreparedStatement ps = this.connection.prepareStatement(
				"SELECT active FROM pg_replication_slots WHERE slot_type = 'physical' AND slot_name = CAST(? AS name)")) {
			for (String name : setting.split(",")) {
				String slot = name.trim();
				if (slot.startsWith("\"") && slot.endsWith("\"") && slot.length() > 1) {
					slot = slot.substring(1, slot.length() - 1);
				}
				if (slot.isEmpty()) {
					continue;
				}
				ps.setString(1, slot);
				try (ResultSet rs = ps.executeQuery()) {
					boolean exists = rs.next();
					slots.add(new StandbySlot(slot, exists, exists && rs.getBoolean(1)));
				}
			}
		}
		return slots;
	}

	/**
	 * A physical slot named in {@code synchronized_standby_slots}.
	 *
	 * @param name the slot
	 * @param exists whether the primary has a physical slot of that name
	 * @param active whether a standby streams from it now
	 */
	public record StandbySlot(String name, boolean exists, boolean active) {
	}

	/**
	 * @return whether the server is a standby ({@code pg_is_in_recovery()})
	 * @throws SQLException if the query fails
	 */
	public boolean isInRecovery() throws SQLException {
		try (Statement st = this.connection.createStatement();
				ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
			rs.next();
			return rs.getBoolean(1);
		}
	}

	/**
	 * A standby's copy of a failover slot, as its {@code pg_replication_slots} shows it (PostgreSQL 17+).
	 *
	 * @param synced whether the slot sync worker maintains it ({@code synced})
	 * @param temporary whether it is still temporary: the sync worker has not yet found the standby caught up
	 * with it, and a promotion would drop it
	 * @param invalidationReason why it was invalidated ({@code invalidation_reason}), or {@code null}
	 * @param confirmedFlushLsn its confirmed position, or {@code null}
	 * @param syncReplicationSlots the standby's {@code sync_replication_slots} setting
	 */
	public record SyncedSlot(boolean synced, boolean temporary, String invalidationReason, Lsn confirmedFlushLsn,
			boolean syncReplicationSlots) {
	}

	/**
	 * Run on a standby.
	 * @param slotName a slot name
	 * @return the standby's copy of the slot, or {@code null} if it has none (not synchronised)
	 * @throws SQLException if the query fails (before PostgreSQL 17: no such columns)
	 */
	public SyncedSlot syncedSlot(String slotName) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT synced, temporary, invalidation_reason, "
				+ "confirmed_flush_lsn::text, current_setting('sync_replication_slots')::bool "
				+ "FROM pg_replication_slots WHERE slot_name = CAST(? AS name)")) {
			ps.setString(1, slotName);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() ? new SyncedSlot(rs.getBoolean(1), rs.getBoolean(2), rs.getString(3), lsn(rs.getString(4)),
						rs.getBoolean(5)) : null;
			}
		}
	}

	/**
	 * @return the standby's {@code sync_replication_slots} setting (PostgreSQL 17+; {@code false} before)
	 * @throws SQLException if the query fails
	 */
	public boolean syncReplicationSlots() throws SQLException {
		try (Statement st = this.connection.createStatement(); ResultSet rs = st
			.executeQuery("SELECT coalesce(current_setting('sync_replication_slots', true), 'off')::bool")) {
			rs.next();
			return rs.getBoolean(1);
		}
	}

	private static Lsn lsn(String text) {
		return (text != null) ? Lsn.parse(text) : null;
	}

}
