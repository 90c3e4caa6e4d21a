package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

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

	@Override
	public String toString() {
		return "JdbcStreamConnectionFactory[url=" + JdbcUrls.maskPassword(this.jdbcUrl) + ", user="
				+ this.properties.getProperty("user") + "]";
	}

}
