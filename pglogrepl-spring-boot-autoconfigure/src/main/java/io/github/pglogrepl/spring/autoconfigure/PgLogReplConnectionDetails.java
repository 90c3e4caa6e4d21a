package io.github.pglogrepl.spring.autoconfigure;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Where the replication stream connects. The default takes {@code pglogrepl.url/username/password} and falls
 * back to the application's {@code JdbcConnectionDetails} (DataSource properties, or a Testcontainers /
 * Docker Compose service connection). Declare a bean of this type to connect elsewhere.
 */
public interface PgLogReplConnectionDetails extends ConnectionDetails {

	/**
	 * @return the JDBC URL (without replication settings; {@code replication=database} is added)
	 */
	String getJdbcUrl();

	/**
	 * @return the user name
	 */
	String getUsername();

	/**
	 * @return the password, or {@code null}
	 */
	String getPassword();

}
