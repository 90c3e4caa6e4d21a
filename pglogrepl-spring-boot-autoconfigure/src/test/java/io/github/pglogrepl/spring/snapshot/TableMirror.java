package io.github.pglogrepl.spring.snapshot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.event.EventListener;

import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.TableName;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;

/**
 * The consumer of the snapshot guarantee: applies every delivered event in delivery order — snapshot rows,
 * inserts and updates as upserts by key (an update that changed the key removes the old one), deletes, truncates
 * — to an in-memory copy of the tables, which can then be compared with the source, row by row, as text.
 */
public class TableMirror {

	/** Per table ({@code schema.name}): key columns. */
	private final Map<String, List<String>> keys;

	/** Per table: key text → row (column → text). */
	private final Map<String, Map<String, Map<String, String>>> tables = new ConcurrentHashMap<>();

	public final AtomicLong snapshotRows = new AtomicLong();

	public final AtomicLong changes = new AtomicLong();

	/**
	 * @param keys per table ({@code schema.name}): its key columns
	 */
	public TableMirror(Map<String, List<String>> keys) {
		this.keys = keys;
		keys.keySet().forEach((table) -> this.tables.put(table, new ConcurrentHashMap<>()));
	}

	@EventListener
	public void on(RowChangeEvent<?, ?> event) {
		String table = event.table().toString();
		Map<String, Map<String, String>> rows = this.tables.get(table);
		if (rows == null) {
			return;
		}
		List<String> key = this.keys.get(table);
		if (event instanceof SnapshotEvent<?> e) {
			this.snapshotRows.incrementAndGet();
			rows.put(key(e.newRow().row(), key), values(e.newRow().row()));
			return;
		}
		this.changes.incrementAndGet();
		if (event instanceof InsertEvent<?> e) {
			rows.put(key(e.newRow().row(), key), values(e.newRow().row()));
		}
		else if (event instanceof UpdateEvent<?> e) {
			if (e.oldRow() != null) {
				rows.remove(key(e.oldRow().row(), key));
			}
			rows.put(key(e.newRow().row(), key), values(e.newRow().row()));
		}
		else if (event instanceof DeleteEvent<?> e) {
			rows.remove(key(e.oldRow().row(), key));
		}
	}

	@EventListener
	public void on(TruncateEvent event) {
		for (TableName table : event.tables()) {
			Map<String, Map<String, String>> rows = this.tables.get(table.toString());
			if (rows != null) {
				rows.clear();
			}
		}
	}

	private static String key(Row row, List<String> key) {
		StringBuilder sb = new StringBuilder();
		for (String column : key) {
			sb.append(row.getText(column)).append('\u0001');
		}
		return sb.toString();
	}

	private static Map<String, String> values(Row row) {
		Map<String, String> values = new TreeMap<>();
		for (int i = 0; i < row.size(); i++) {
			values.put(row.columnName(i), row.tuple().isNull(i) ? null : row.tuple().text(i));
		}
		return values;
	}

	/**
	 * @param table {@code schema.name}
	 * @return the mirror's rows by key
	 */
	public Map<String, Map<String, String>> rows(String table) {
		return new TreeMap<>(this.tables.get(table));
	}

	/**
	 * Reads the source table as text (the server's output functions, as pgoutput and COPY send them).
	 * @param connection a connection with {@code binaryTransfer=false}
	 * @param table {@code schema.name}
	 * @return the rows by key
	 * @throws SQLException if the query fails
	 */
	public Map<String, Map<String, String>> source(Connection connection, String table) throws SQLException {
		Map<String, Map<String, String>> rows = new TreeMap<>();
		List<String> key = this.keys.get(table);
		try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
			int columns = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				Map<String, String> values = new TreeMap<>();
				for (int i = 1; i <= columns; i++) {
					values.put(rs.getMetaData().getColumnName(i), rs.getString(i));
				}
				StringBuilder sb = new StringBuilder();
				for (String column : key) {
					sb.append(values.get(column)).append('\u0001');
				}
				rows.put(sb.toString(), values);
			}
		}
		return rows;
	}

	/**
	 * @param expected the source
	 * @param actual the mirror
	 * @return differences, at most 10 described
	 */
	public static List<String> differences(Map<String, Map<String, String>> expected,
			Map<String, Map<String, String>> actual) {
		List<String> differences = new ArrayList<>();
		for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
			Map<String, String> got = actual.get(e.getKey());
			if (!e.getValue().equals(got)) {
				differences.add("key " + e.getKey().replace('\u0001', ' ') + ": source " + e.getValue() + ", mirror " + got);
			}
		}
		for (String key : actual.keySet()) {
			if (!expected.containsKey(key)) {
				differences.add("key " + key.replace('\u0001', ' ') + " only in the mirror: " + actual.get(key));
			}
		}
		return differences;
	}

}
