package io.github.pglogrepl.spring.stream;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.postgresql.Driver;
import org.postgresql.PGProperty;

import io.github.pglogrepl.connection.ReplicationConnection;

/**
 * The default {@link StreamConnectionFactory}: pgjdbc connections to the properties' JDBC URL with their
 * connection properties. Ordinary connections get the application name {@code <name>-<purpose>}; the
 * watchdog's also a 30 s socket timeout, so a check on a stalled network fails instead of hanging.
 */
public class JdbcStreamConnectionFactory implements StreamConnectionFactory {

	private final String jdbcUrl;

	private final Properties properties;

	/**
	 * @param properties the stream's properties (URL and connection properties are read now)
	 */
	public JdbcStreamConnectionFactory(StreamContainerProperties properties) {
		this.jdbcUrl = properties.getJdbcUrl();
		this.properties = new Properties();
		this.properties.putAll(properties.getConnectionProperties());
	}

	@Override
	public ReplicationConnection openReplicationConnection() throws SQLException {
		return ReplicationConnection.open(this.jdbcUrl, this.properties);
	}

	@Override
	public Connection openConnection(String purpose) throws SQLException {
		Properties props = new Properties();
		props.putAll(this.properties);
		props.setProperty("ApplicationName", props.getProperty("ApplicationName", "pglogrepl") + "-" + purpose);
		if ("watchdog".equals(purpose) && !props.containsKey("socketTimeout")) {
			props.setProperty("socketTimeout", "30");
		}
		return DriverManager.getConnection(this.jdbcUrl, props);
	}

	/**
	 * Connects to {@code host:port} with the URL's database, parameters and this factory's properties;
	 * {@code targetServerType=any}, and at most 5 s to connect and 10 s per query unless the URL or the
	 * properties say otherwise, so that an unreachable standby does not hold up health or the endpoint.
	 */
	@Override
	public Connection openConnection(String purpose, String host, int port) throws SQLException {
		Properties url = Driver.parseURL(this.jdbcUrl, null);
		if (url == null) {
			throw new SQLException("Cannot parse the JDBC URL " + JdbcUrls.maskPassword(this.jdbcUrl));
		}
		Properties props = new Properties();
		for (String name : url.stringPropertyNames()) {
			if (!name.equals(PGProperty.PG_HOST.getName()) && !name.equals(PGProperty.PG_PORT.getName())
					&& !name.equals(PGProperty.PG_DBNAME.getName())) {
				props.setProperty(name, url.getProperty(name));
			}
		}
		props.putAll(this.properties);
		props.setProperty("ApplicationName", props.getProperty("ApplicationName", "pglogrepl") + "-" + purpose);
		props.setProperty(PGProperty.TARGET_SERVER_TYPE.getName(), "any");
		props.putIfAbsent(PGProperty.CONNECT_TIMEOUT.getName(), "5");
		props.putIfAbsent(PGProperty.SOCKET_TIMEOUT.getName(), "10");
		String database = URLEncoder.encode(url.getProperty(PGProperty.PG_DBNAME.getName(), ""), StandardCharsets.UTF_8);
		String hostPart = host.contains(":") ? "[" + host + "]" : host;
		return DriverManager.getConnection("jdbc:postgresql://" + hostPart + ":" + port + "/" + database, props);
	}

	@Override
	public String toString() {
		return "JdbcStreamConnectionFactory[url=" + JdbcUrls.maskPassword(this.jdbcUrl) + ", user="
				+ this.properties.getProperty("user") + "]";
	}

}
