package io.github.pglogrepl.test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQL helpers for test servers: each call opens its own connection (autocommit) and turns a failure into an
 * {@link IllegalStateException} carrying the server's message.
 */
public interface SqlAccess {

	/**
	 * @return a new ordinary connection
	 * @throws SQLException if it fails
	 */
	Connection connect() throws SQLException;

	/**
	 * Runs SQL statements on a new connection, each in autocommit.
	 * @param statements the statements
	 */
	default void execute(String... statements) {
		try (Connection c = connect(); Statement st = c.createStatement()) {
			for (String sql : statements) {
				st.execute(sql);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("SQL failed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Runs a query returning one value.
	 * @param sql the query
	 * @return the first column of the first row as a string, or {@code null} if there is no row
	 */
	default String queryString(String sql) {
		try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
			return rs.next() ? rs.getString(1) : null;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("SQL failed: " + ex.getMessage(), ex);
		}
	}

}
