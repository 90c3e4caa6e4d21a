package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

import io.github.pglogrepl.connection.ReplicationConnection;

/**
 * Where a stream's connections come from: the replication connection the reader streams on, and ordinary
 * connections for the startup checks, the publication watchdog and the actuator endpoint. The default,
 * {@link JdbcStreamConnectionFactory}, connects with pgjdbc to the configured URL; tests replace it to inject
 * faults, and an application can replace it to wrap connections.
 *
 * <p>Called by the reader (I/O thread) for every (re)connect, by the watchdog thread, and by the threads that
 * start the container or read the endpoint.
 */
public interface StreamConnectionFactory {

	/**
	 * Opens a replication connection ({@code replication=database}).
	 * @return the connection; the caller closes it
	 * @throws SQLException if it cannot be opened
	 */
	ReplicationConnection openReplicationConnection() throws SQLException;

	/**
	 * Opens an ordinary connection to the same database.
	 * @param purpose what it is for, e.g. {@code setup}, {@code watchdog}, {@code endpoint}: added to the
	 * connection's application name so operators can tell them apart in {@code pg_stat_activity}
	 * @return the connection; the caller closes it
	 * @throws SQLException if it cannot be opened
	 */
	Connection openConnection(String purpose) throws SQLException;

	/**
	 * Opens an ordinary connection to the same database on one of the hosts a multi-host URL names, whatever
	 * its role (primary or standby): for checking that a standby holds a synchronised copy of a failover slot.
	 * @param purpose what it is for (see {@link #openConnection(String)})
	 * @param host the host, as the URL names it
	 * @param port its port
	 * @return the connection; the caller closes it
	 * @throws SQLException if it cannot be opened; by default, always ({@link SQLFeatureNotSupportedException}:
	 * a factory that does not connect by URL cannot pick a host)
	 */
	default Connection openConnection(String purpose, String host, int port) throws SQLException {
		throw new SQLFeatureNotSupportedException(getClass().getSimpleName() + " cannot connect to a single host");
	}

}
