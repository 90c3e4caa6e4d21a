package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
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
	 * @return why the server invalidated the slot ({@code invalidation_reason}, PostgreSQL 17+: e.g.
	 * {@code wal_removed}, {@code idle_timeout}, {@code rows_removed}), or {@code null} if it is not invalidated, does
	 * not exist, or the server is older (where {@code wal_status = lost} is the only sign)
	 * @throws SQLException if the query fails
	 */
	public String slotInvalidationReason(String slotName) throws SQLException {
		if (serverMajorVersion() < 17) {
			return null;
		}
		try (PreparedStatement ps = this.connection.prepareStatement(
				"SELECT invalidation_reason FROM pg_replication_slots WHERE slot_name = CAST(? AS name)")) {
			ps.setString(1, slotName);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() ? rs.getString(1) : null;
			}
		}
	}

	/**
	 * A table as a publication publishes it, for a snapshot: its columns in table order (only those in the
	 * publication's column list, if it has one), which of them pgoutput flags as replica identity, the unique
	 * key the snapshot chunks by, and the publication's row filter.
	 *
	 * @param oid the table's OID
	 * @param schema its schema
	 * @param name its name
	 * @param partitionedRoot whether it is a partitioned table (read with its partitions)
	 * @param replicaIdentity {@code d}, {@code i}, {@code f} or {@code n} as in {@code pg_class.relreplident}
	 * @param columns the published columns
	 * @param chunkKey the columns of the primary key (or else of the replica identity index), in index order;
	 * empty if the table has neither
	 * @param rowFilter the publications' row filter ({@code null}: every row is published)
	 */
	public record PublishedTable(long oid, String schema, String name, boolean partitionedRoot, char replicaIdentity,
			List<TableColumn> columns, List<String> chunkKey, String rowFilter) {

		/**
		 * @return {@code "schema"."name"}, quoted for SQL
		 */
		public String quotedName() {
			return Identifiers.quoteIdentifier(this.schema) + "." + Identifiers.quoteIdentifier(this.name);
		}

		/**
		 * @return {@code schema.name} as the events name it (not quoted)
		 */
		public String qualifiedName() {
			return this.schema + "." + this.name;
		}

	}

	/**
	 * A published column.
	 *
	 * @param name the column name
	 * @param typeOid its type's OID
	 * @param typeModifier its type modifier
	 * @param typeName its type as SQL writes it ({@code format_type})
	 * @param identity whether pgoutput flags it as part of the replica identity
	 */
	public record TableColumn(String name, int typeOid, int typeModifier, String typeName, boolean identity) {
	}

	/**
	 * Resolves a table name the way SQL does ({@code orders}, {@code public.orders}, {@code "My Table"}), with
	 * the connection's search path.
	 * @param name the name as a user wrote it
	 * @return {@code [schema, table]}, or {@code null} if there is no such table
	 * @throws SQLException if the name is not a valid name (SQLSTATE 42602) or the query fails
	 */
	public String[] resolveTable(String name) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT n.nspname::text, c.relname::text "
				+ "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
			ps.setString(1, name);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next() ? new String[] { rs.getString(1), rs.getString(2) } : null;
			}
		}
	}

	/**
	 * Describes the tables the publications publish (as {@code pg_publication_tables} lists them: the partition
	 * root with {@code publish_via_partition_root}, otherwise the partitions).
	 * @param publications the publication names
	 * @return the tables, sorted by schema and name
	 * @throws SQLException if a query fails
	 */
	public List<PublishedTable> publishedTables(List<String> publications) throws SQLException {
		return publishedTables(publications, null);
	}

	/**
	 * Describes some of the tables the publications publish (each description costs three catalog queries, so a
	 * request for one table of a large publication describes that one only).
	 * @param publications the publication names
	 * @param only the tables wanted, as {@code schema.table} (not quoted); {@code null} for all
	 * @return those of them the publications publish, sorted by schema and name
	 * @throws SQLException if a query fails
	 */
	public List<PublishedTable> publishedTables(List<String> publications, java.util.Set<String> only)
			throws SQLException {
		boolean columnLists = serverMajorVersion() >= 15;
		Map<String, String[]> names = new java.util.TreeMap<>();
		Map<String, java.util.Set<String>> attnames = new java.util.HashMap<>();
		Map<String, List<String>> filters = new java.util.HashMap<>();
		java.util.Set<String> unfiltered = new java.util.HashSet<>();
		java.util.Set<String> allColumns = new java.util.HashSet<>();
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT schemaname::text, tablename::text"
				+ (columnLists ? ", attnames::text[], rowfilter" : "")
				+ " FROM pg_publication_tables WHERE pubname = ANY (CAST(? AS name[]))")) {
			ps.setArray(1, this.connection.createArrayOf("text", publications.toArray()));
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					String key = rs.getString(1) + "." + rs.getString(2);
					names.put(rs.getString(1) + "\u0000" + rs.getString(2), new String[] { rs.getString(1), rs.getString(2) });
					if (!columnLists) {
						allColumns.add(key);
						unfiltered.add(key);
						continue;
					}
					java.sql.Array cols = rs.getArray(3);
					if (cols == null) {
						allColumns.add(key);
					}
					else {
						attnames.computeIfAbsent(key, (k) -> new java.util.HashSet<>())
							.addAll(List.of((String[]) cols.getArray()));
					}
					String filter = rs.getString(4);
					if (filter == null) {
						unfiltered.add(key);
					}
					else {
						filters.computeIfAbsent(key, (k) -> new ArrayList<>()).add(filter);
					}
				}
			}
		}
		List<PublishedTable> tables = new ArrayList<>();
		for (String[] name : names.values()) {
			String key = name[0] + "." + name[1];
			if (only != null && !only.contains(key)) {
				continue;
			}
			java.util.Set<String> columns = allColumns.contains(key) ? null : attnames.get(key);
			String filter = unfiltered.contains(key) ? null
					: "(" + String.join(") OR (", filters.get(key)) + ")";
			tables.add(describeTable(name[0], name[1], columns, filter));
		}
		return tables;
	}

	private PublishedTable describeTable(String schema, String name, java.util.Set<String> publishedColumns,
			String rowFilter) throws SQLException {
		long oid;
		boolean partitioned;
		char identity;
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT c.oid::bigint, c.relkind::text, "
				+ "c.relreplident::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
				+ "WHERE n.nspname = CAST(? AS name) AND c.relname = CAST(? AS name)")) {
			ps.setString(1, schema);
			ps.setString(2, name);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					throw new SQLException("Table " + schema + "." + name + " does not exist", "42P01");
				}
				oid = rs.getLong(1);
				partitioned = "p".equals(rs.getString(2));
				identity = rs.getString(3).charAt(0);
			}
		}
		// the unique key to chunk by: the primary key, else the replica identity index
		List<String> primaryKey = indexColumns(oid, "indisprimary");
		List<String> identityIndex = indexColumns(oid, "indisreplident");
		List<String> chunkKey = !primaryKey.isEmpty() ? primaryKey : identityIndex;
		java.util.Set<String> identityColumns = new java.util.HashSet<>(
				(identity == 'd') ? primaryKey : (identity == 'i') ? identityIndex : List.of());
		List<TableColumn> columns = new ArrayList<>();
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT a.attname::text, a.atttypid::int, "
				+ "a.atttypmod, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = ? "
				+ "AND a.attnum > 0 AND NOT a.attisdropped"
				+ ((serverMajorVersion() >= 12) ? " AND a.attgenerated = ''" : "") + " ORDER BY a.attnum")) {
			ps.setLong(1, oid);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					String column = rs.getString(1);
					if (publishedColumns == null || publishedColumns.contains(column)) {
						columns.add(new TableColumn(column, rs.getInt(2), rs.getInt(3), rs.getString(4),
								identity == 'f' || identityColumns.contains(column)));
					}
				}
			}
		}
		return new PublishedTable(oid, schema, name, partitioned, identity, List.copyOf(columns), chunkKey, rowFilter);
	}

	private List<String> indexColumns(long tableOid, String flag) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT a.attname::text FROM pg_index i "
				+ "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
				+ "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
				+ "WHERE i.indrelid = ? AND i." + flag + " ORDER BY k.ord")) {
			ps.setLong(1, tableOid);
			try (ResultSet rs = ps.executeQuery()) {
				List<String> columns = new ArrayList<>();
				while (rs.next()) {
					columns.add(rs.getString(1));
				}
				return columns;
			}
		}
	}

	/**
	 * How much WAL a slot holds back, as {@code pg_replication_slots} shows it: a cheap query, polled while the
	 * stream runs.
	 *
	 * @param restartLsn the oldest WAL position the slot keeps, or {@code null} (never used, or lost)
	 * @param retainedBytes WAL bytes between the server's current position and {@code restart_lsn}: what the
	 * server cannot remove because of this slot; {@code null} without a {@code restart_lsn}
	 * @param safeWalSize {@code safe_wal_size}: bytes that can still be written before the slot is in danger of
	 * being invalidated; {@code null} when the server sets no limit ({@code max_slot_wal_keep_size = -1}, the
	 * default) or the slot is lost
	 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
	 * @param polledAt when the figures were read
	 */
	public record SlotRetention(Lsn restartLsn, Long retainedBytes, Long safeWalSize, String walStatus,
			Instant polledAt) {

		/**
		 * @return the figures as health and the endpoint show them (without the {@code null} ones)
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			if (this.restartLsn != null) {
				map.put("restartLsn", this.restartLsn.toString());
			}
			if (this.retainedBytes != null) {
				map.put("retainedBytes", this.retainedBytes);
			}
			if (this.safeWalSize != null) {
				map.put("safeWalSize", this.safeWalSize);
			}
			map.put("walStatus", this.walStatus);
			map.put("polledAt", this.polledAt.toString());
			return map;
		}

	}

	/**
	 * @param slotName a slot name
	 * @return how much WAL the slot holds back, or {@code null} if there is no slot of that name
	 * @throws SQLException if the query fails
	 */
	public SlotRetention slotRetention(String slotName) throws SQLException {
		try (PreparedStatement ps = this.connection.prepareStatement("SELECT restart_lsn::text, "
				+ "pg_wal_lsn_diff(" + CURRENT_WAL_LSN + ", restart_lsn)::bigint, safe_wal_size, wal_status "
				+ "FROM pg_replication_slots WHERE slot_name = CAST(? AS name)")) {
			ps.setString(1, slotName);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					return null;
				}
				long retained = rs.getLong(2);
				Long retainedBytes = rs.wasNull() ? null : retained;
				long safe = rs.getLong(3);
				Long safeWalSize = rs.wasNull() ? null : safe;
				return new SlotRetention(lsn(rs.getString(1)), retainedBytes, safeWalSize, rs.getString(4),
						Instant.now());
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
