package io.github.pglogrepl.connection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Optional;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyDual;

import io.github.pglogrepl.Lsn;

/**
 * A replication connection ({@code replication=database}, simple query mode) and the replication commands
 * of the streaming replication protocol. One connection runs one command at a time; after
 * {@link #startReplication} it is in CopyBoth mode until the returned stream is closed.
 *
 * <pre>{@code
 * try (ReplicationConnection conn = ReplicationConnection.open(url, user, password)) {
 *     IdentifySystemResult system = conn.identifySystem();
 *     conn.createReplicationSlot(CreateReplicationSlotCommand.logical("demo", "pgoutput").temporary());
 *     try (ReplicationStream stream = conn.startReplication(StartReplicationCommand.logical("demo", system.xlogPos())
 *             .pgoutput(PgOutputOptions.builder().protoVersion(4).publications("pub").build()))) {
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class ReplicationConnection implements AutoCloseable {

	private final Connection connection;

	private final int serverMajorVersion;

	private ReplicationStream stream;

	private ReplicationConnection(Connection connection) throws SQLException {
		this.connection = connection;
		this.serverMajorVersion = connection.getMetaData().getDatabaseMajorVersion();
	}

	/**
	 * Opens a logical replication connection.
	 * @param jdbcUrl a pgjdbc URL, e.g. {@code jdbc:postgresql://localhost:5432/app}
	 * @param user user name (needs the REPLICATION attribute)
	 * @param password password, may be {@code null}
	 * @return the connection
	 * @throws SQLException if the connection fails
	 */
	public static ReplicationConnection open(String jdbcUrl, String user, String password) throws SQLException {
		Properties props = new Properties();
		if (user != null) {
			props.setProperty("user", user);
		}
		if (password != null) {
			props.setProperty("password", password);
		}
		return open(jdbcUrl, props);
	}

	/**
	 * Opens a replication connection. {@code replication} defaults to {@code database} (logical; set it to
	 * {@code true} for a physical connection), and simple query mode is forced as the replication protocol
	 * requires. Other pgjdbc properties (TLS etc.) pass through.
	 * @param jdbcUrl a pgjdbc URL
	 * @param properties connection properties (not modified)
	 * @return the connection
	 * @throws SQLException if the connection fails
	 */
	public static ReplicationConnection open(String jdbcUrl, Properties properties) throws SQLException {
		Properties props = replicationProperties(properties);
		Connection connection = DriverManager.getConnection(jdbcUrl, props);
		try {
			return new ReplicationConnection(connection);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * Returns a copy of the properties with what a replication connection needs added.
	 * @param properties base properties
	 * @return properties with {@code replication} (default {@code database}), {@code preferQueryMode=simple}
	 * and {@code assumeMinServerVersion}
	 */
	public static Properties replicationProperties(Properties properties) {
		Properties props = new Properties();
		if (properties != null) {
			props.putAll(properties);
		}
		if (PGProperty.REPLICATION.getOrDefault(props) == null) {
			PGProperty.REPLICATION.set(props, "database");
		}
		PGProperty.PREFER_QUERY_MODE.set(props, "simple");
		PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
		return props;
	}

	/**
	 * @return the underlying JDBC connection
	 */
	public Connection jdbcConnection() {
		return this.connection;
	}

	/**
	 * @return the server's major version, e.g. 18
	 */
	public int serverMajorVersion() {
		return this.serverMajorVersion;
	}

	/**
	 * Runs {@code IDENTIFY_SYSTEM}.
	 * @return the system id, timeline, current WAL position and database
	 * @throws SQLException on a server error
	 */
	public IdentifySystemResult identifySystem() throws SQLException {
		try (Statement st = statement(); ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
			requireRow(rs, "IDENTIFY_SYSTEM");
			return new IdentifySystemResult(rs.getString("systemid"), rs.getInt("timeline"),
					Lsn.parse(rs.getString("xlogpos")), rs.getString("dbname"));
		}
	}

	/**
	 * Runs {@code CREATE_REPLICATION_SLOT}.
	 * @param command the command
	 * @return the slot name, consistent point, snapshot name and plugin
	 * @throws SQLException on a server error (e.g. the slot exists: SQLSTATE 42710)
	 * @throws UnsupportedFeatureException if an option needs a newer server
	 */
	public CreateReplicationSlotResult createReplicationSlot(CreateReplicationSlotCommand command)
			throws SQLException {
		String sql = command.toSql(this.serverMajorVersion);
		try (Statement st = statement(); ResultSet rs = st.executeQuery(sql)) {
			requireRow(rs, "CREATE_REPLICATION_SLOT");
			String point = rs.getString("consistent_point");
			return new CreateReplicationSlotResult(rs.getString("slot_name"), (point != null) ? Lsn.parse(point) : null,
					rs.getString("snapshot_name"), rs.getString("output_plugin"));
		}
	}

	/**
	 * Runs {@code DROP_REPLICATION_SLOT}.
	 * @param slotName the slot
	 * @param waitIfActive with {@code WAIT}: wait until a connection using the slot ends instead of failing
	 * @throws SQLException on a server error (e.g. no such slot: 42704, in use: 55006)
	 */
	public void dropReplicationSlot(String slotName, boolean waitIfActive) throws SQLException {
		String sql = "DROP_REPLICATION_SLOT " + Identifiers.quoteIdentifier(Identifiers.validateSlotName(slotName))
				+ (waitIfActive ? " WAIT" : "");
		try (Statement st = statement()) {
			st.execute(sql);
		}
	}

	/**
	 * Runs {@code ALTER_REPLICATION_SLOT name (FAILOVER true|false)} (PostgreSQL 17+): whether the slot is
	 * synchronised to standbys that have {@code sync_replication_slots} on.
	 * @param slotName the slot (logical, not temporary)
	 * @param failover whether to synchronise it
	 * @throws SQLException on a server error (e.g. no such slot: 42704, in use: 55006)
	 * @throws UnsupportedFeatureException before PostgreSQL 17
	 */
	public void alterReplicationSlotFailover(String slotName, boolean failover) throws SQLException {
		if (this.serverMajorVersion < 17) {
			throw new UnsupportedFeatureException("ALTER_REPLICATION_SLOT (FAILOVER slots)", 17, this.serverMajorVersion);
		}
		String sql = "ALTER_REPLICATION_SLOT " + Identifiers.quoteIdentifier(Identifiers.validateSlotName(slotName))
				+ " (FAILOVER " + failover + ")";
		try (Statement st = statement()) {
			st.execute(sql);
		}
	}

	/**
	 * Runs {@code READ_REPLICATION_SLOT} (PostgreSQL 15+).
	 * @param slotName the slot (physical slots only on the server side: a logical slot raises an error)
	 * @return the slot's type, restart LSN and timeline, or empty if there is no such slot
	 * @throws SQLException on a server error
	 * @throws UnsupportedFeatureException on PostgreSQL 14
	 */
	public Optional<ReadReplicationSlotResult> readReplicationSlot(String slotName) throws SQLException {
		if (this.serverMajorVersion < 15) {
			throw new UnsupportedFeatureException("READ_REPLICATION_SLOT", 15, this.serverMajorVersion);
		}
		String sql = "READ_REPLICATION_SLOT " + Identifiers.quoteIdentifier(Identifiers.validateSlotName(slotName));
		try (Statement st = statement(); ResultSet rs = st.executeQuery(sql)) {
			requireRow(rs, "READ_REPLICATION_SLOT");
			String type = rs.getString("slot_type");
			if (type == null) {
				return Optional.empty();
			}
			String restart = rs.getString("restart_lsn");
			return Optional.of(new ReadReplicationSlotResult(type, (restart != null) ? Lsn.parse(restart) : null,
					rs.getInt("restart_tli")));
		}
	}

	/**
	 * Runs {@code TIMELINE_HISTORY}.
	 * @param timeline a timeline id greater than 1 (timeline 1 has no history file)
	 * @return the history file name and content
	 * @throws SQLException on a server error (e.g. no history file for the timeline)
	 */
	public TimelineHistory timelineHistory(int timeline) throws SQLException {
		if (timeline < 1) {
			throw new IllegalArgumentException("timeline must be positive, was " + timeline);
		}
		try (Statement st = statement(); ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + timeline)) {
			requireRow(rs, "TIMELINE_HISTORY");
			byte[] content = (rs.getMetaData().getColumnType(2) == Types.BINARY) ? rs.getBytes(2)
					: rs.getString(2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
			return new TimelineHistory(rs.getString(1), content);
		}
	}

	/**
	 * Runs {@code START_REPLICATION} and returns the CopyBoth stream. Until the stream is closed no other
	 * command can run on this connection.
	 * @param command the command
	 * @return the stream
	 * @throws SQLException on a server error (e.g. slot in use: 55006, no such slot: 42704)
	 */
	public ReplicationStream startReplication(StartReplicationCommand command) throws SQLException {
		if (this.stream != null && this.stream.isActive()) {
			throw new IllegalStateException("A replication stream is already active on this connection");
		}
		CopyDual copy = this.connection.unwrap(PGConnection.class).getCopyAPI().copyDual(command.toSql());
		this.stream = new ReplicationStream(copy, command.isLogical(), command.startLsn());
		return this.stream;
	}

	private Statement statement() throws SQLException {
		if (this.stream != null && this.stream.isActive()) {
			throw new IllegalStateException("Cannot run a command while a replication stream is active");
		}
		return this.connection.createStatement();
	}

	private static void requireRow(ResultSet rs, String command) throws SQLException {
		if (!rs.next()) {
			throw new SQLException(command + " returned no row");
		}
	}

	/**
	 * @return whether the connection is closed
	 * @throws SQLException on a driver error
	 */
	public boolean isClosed() throws SQLException {
		return this.connection.isClosed();
	}

	/**
	 * Closes the stream (if active) and the connection. Temporary slots created on it are dropped by the
	 * server.
	 * @throws SQLException on a driver error
	 */
	@Override
	public void close() throws SQLException {
		try {
			if (this.stream != null) {
				this.stream.close();
			}
		}
		catch (SQLException ex) {
			// the connection is being closed anyway
		}
		finally {
			this.connection.close();
		}
	}

}
