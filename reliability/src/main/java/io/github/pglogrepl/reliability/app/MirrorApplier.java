package io.github.pglogrepl.reliability.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.TableName;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;

/**
 * The realistic consumer of the snapshot guarantee: applies every delivered row event, in delivery order, to a
 * copy of the tables in another database, one autocommitted statement per event — snapshot rows, inserts and
 * updates as upserts by key (an update that changed the key deletes the old key in the same statement),
 * deletes, truncates — so that when the listener returns, its effect is committed and survives a SIGKILL of
 * this JVM. Redelivery after a kill (at-least-once) applies events again, which the upserts absorb.
 *
 * <p>Tables in the mirror database (created if missing):
 * <ul>
 * <li>{@code mirror_row(table_name, row_key, row_value)}: the copy, one row per source row, key and value
 * encoded by {@link #key} and {@link #value} (the columns' text, as the server's output functions write it);</li>
 * <li>{@code mirror_chunk(table_name, lsn, rows)}: snapshot rows applied, per table and snapshot chunk (a chunk
 * is known by the stream position it was merged at, {@code SnapshotEvent.walStart()}), updated in the same
 * statement as the row — so rows applied again after a kill are counted, and a chunk read again after a kill
 * shows as one more position.</li>
 * </ul>
 * A failed statement throws (the starter delivers the event again) and the next event reconnects.
 */
public class MirrorApplier implements DisposableBean {

	private static final String UPSERT = "INSERT INTO mirror_row (table_name, row_key, row_value) VALUES (?, ?, ?) "
			+ "ON CONFLICT (table_name, row_key) DO UPDATE SET row_value = EXCLUDED.row_value";

	private static final String SNAPSHOT_ROW = "WITH r AS (" + UPSERT + ") INSERT INTO mirror_chunk (table_name, "
			+ "lsn, rows) VALUES (?, ?, 1) ON CONFLICT (table_name, lsn) DO UPDATE SET rows = mirror_chunk.rows + 1";

	private static final String DELETE = "DELETE FROM mirror_row WHERE table_name = ? AND row_key = ?";

	private static final String MOVE = "WITH d AS (" + DELETE + ") " + UPSERT;

	private final String url;

	private final Properties properties;

	private Connection connection;

	/**
	 * @param url JDBC URL of the mirror database
	 * @param user user, or {@code null}
	 * @param password password, or {@code null}
	 */
	public MirrorApplier(String url, String user, String password) {
		this.url = url;
		this.properties = new Properties();
		if (user != null) {
			this.properties.setProperty("user", user);
		}
		if (password != null) {
			this.properties.setProperty("password", password);
		}
		this.properties.setProperty("ApplicationName", "reliability-mirror");
		try (Connection c = DriverManager.getConnection(url, this.properties); Statement st = c.createStatement()) {
			createTables(st);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot prepare the mirror database: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Creates the mirror's tables if missing.
	 * @param st a statement on the mirror database
	 * @throws SQLException if it fails
	 */
	public static void createTables(Statement st) throws SQLException {
		st.execute("CREATE TABLE IF NOT EXISTS mirror_row (table_name text, row_key text, row_value text NOT NULL, "
				+ "PRIMARY KEY (table_name, row_key))");
		st.execute("CREATE TABLE IF NOT EXISTS mirror_chunk (table_name text, lsn text, rows bigint NOT NULL, "
				+ "PRIMARY KEY (table_name, lsn))");
	}

	/**
	 * Applies a row event.
	 * @param event the event
	 * @throws SQLException if the mirror database fails (the event is delivered again)
	 */
	@EventListener
	public synchronized void on(RowChangeEvent<?, ?> event) throws SQLException {
		String table = event.table().toString();
		if (event instanceof SnapshotEvent<?> e) {
			Row row = e.newRow().row();
			execute(SNAPSHOT_ROW, table, key(row), value(row), table, e.walStart().toString());
		}
		else if (event instanceof InsertEvent<?> e) {
			Row row = e.newRow().row();
			execute(UPSERT, table, key(row), value(row));
		}
		else if (event instanceof UpdateEvent<?> e) {
			Row row = e.newRow().row();
			String newKey = key(row);
			String oldKey = (e.oldRow() != null) ? key(e.oldRow().row()) : newKey;
			if (oldKey.equals(newKey)) {
				execute(UPSERT, table, newKey, value(row));
			}
			else {
				execute(MOVE, table, oldKey, table, newKey, value(row));
			}
		}
		else if (event instanceof DeleteEvent<?> e) {
			execute(DELETE, table, key(e.oldRow().row()));
		}
	}

	/**
	 * Applies a truncate.
	 * @param event the event
	 * @throws SQLException if the mirror database fails
	 */
	@EventListener
	public synchronized void on(TruncateEvent event) throws SQLException {
		for (TableName table : event.tables()) {
			execute("DELETE FROM mirror_row WHERE table_name = ?", table.toString());
		}
	}

	private void execute(String sql, String... params) throws SQLException {
		try {
			if (this.connection == null) {
				this.connection = DriverManager.getConnection(this.url, this.properties);
			}
			try (PreparedStatement ps = this.connection.prepareStatement(sql)) {
				for (int i = 0; i < params.length; i++) {
					ps.setString(i + 1, params[i]);
				}
				ps.executeUpdate();
			}
		}
		catch (SQLException ex) {
			closeQuietly();
			throw ex;
		}
	}

	/**
	 * @param row a row (a whole row, or the key-only old row of an update or delete)
	 * @return its key: the replica identity columns' text, in column order
	 */
	public static String key(Row row) {
		RelationMessage relation = row.relation();
		List<String> values = new ArrayList<>();
		for (int i = 0; i < relation.columns().size(); i++) {
			if (relation.columns().get(i).key()) {
				values.add(row.tuple().isNull(i) ? null : row.tuple().text(i));
			}
		}
		if (values.isEmpty()) {
			throw new IllegalStateException("No key columns in " + relation.qualifiedName());
		}
		return encode(values);
	}

	/**
	 * @param row a whole row
	 * @return its value: every column's name and text
	 */
	public static String value(Row row) {
		Map<String, String> values = new TreeMap<>();
		for (int i = 0; i < row.size(); i++) {
			values.put(row.columnName(i), row.tuple().isNull(i) ? null : row.tuple().text(i));
		}
		return value(values);
	}

	/**
	 * @param values column name → text (or {@code null} for NULL)
	 * @return the encoded value, columns by name
	 */
	public static String value(Map<String, String> values) {
		List<String> parts = new ArrayList<>();
		new TreeMap<>(values).forEach((column, text) -> {
			parts.add(column);
			parts.add(text);
		});
		return encode(parts);
	}

	/**
	 * @param values texts, {@code null} for NULL
	 * @return them joined unambiguously
	 */
	public static String encode(List<String> values) {
		StringBuilder sb = new StringBuilder();
		for (String value : values) {
			if (sb.length() > 0) {
				sb.append('|');
			}
			sb.append((value != null) ? "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("|", "\\|") + "'"
					: "NULL");
		}
		return sb.toString();
	}

	private void closeQuietly() {
		if (this.connection != null) {
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				// broken already
			}
			this.connection = null;
		}
	}

	@Override
	public synchronized void destroy() {
		closeQuietly();
	}

}
