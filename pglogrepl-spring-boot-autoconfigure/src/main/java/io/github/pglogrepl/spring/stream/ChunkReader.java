package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import io.github.pglogrepl.connection.Identifiers;
import io.github.pglogrepl.pgoutput.TupleData;

/**
 * Reads one chunk of a table: the next rows after a key, in key order (keyset pagination on the primary key or
 * replica identity index), with {@code COPY (SELECT ...) TO STDOUT} in a short read-only repeatable-read
 * transaction whose snapshot ({@code pg_current_snapshot()}) is kept with the rows. COPY writes values with the
 * types' output functions, exactly as pgoutput sends them in text mode. Memory is bounded: rows beyond the
 * chunk's byte budget are read and dropped, and the chunk ends at the last row kept.
 */
final class ChunkReader {

	private final ServerCatalog.PublishedTable table;

	private final String condition;

	private final String selectList;

	private final String keyList;

	private final List<Integer> keyPositions = new ArrayList<>();

	private final List<String> keyTypes = new ArrayList<>();

	/**
	 * @param table the table
	 * @param condition the backfill's condition (checked by {@link SnapshotCondition}), or {@code null}
	 */
	ChunkReader(ServerCatalog.PublishedTable table, String condition) {
		this.table = table;
		this.condition = condition;
		List<String> columns = new ArrayList<>();
		for (ServerCatalog.TableColumn column : table.columns()) {
			columns.add(Identifiers.quoteIdentifier(column.name()));
		}
		List<String> keys = new ArrayList<>();
		for (String key : table.chunkKey()) {
			keys.add(Identifiers.quoteIdentifier(key));
			int position = -1;
			for (int i = 0; i < table.columns().size(); i++) {
				if (table.columns().get(i).name().equals(key)) {
					position = i;
					this.keyTypes.add(table.columns().get(i).typeName());
				}
			}
			if (position < 0) {
				throw new IllegalArgumentException("Key column " + key + " of " + table.qualifiedName()
						+ " is not published (publication column list)");
			}
			this.keyPositions.add(position);
		}
		this.selectList = String.join(", ", columns);
		this.keyList = String.join(", ", keys);
	}

	/** A chunk as read. */
	record Result(List<TupleData> rows, List<String> lastKey, SnapshotVisibility visibility, boolean last,
			long bytes) {
	}

	/**
	 * @return positions of the chunk key's columns in the rows
	 */
	List<Integer> keyPositions() {
		return this.keyPositions;
	}

	/**
	 * The query of a chunk (also used to check a condition: with limit 0).
	 * @param after the key to read after, or {@code null} from the start
	 * @param limit the most rows
	 * @return the SELECT
	 */
	String query(List<String> after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT ").append(this.selectList)
			.append(" FROM ")
			.append(this.table.partitionedRoot() ? "" : "ONLY ")
			.append(this.table.quotedName());
		List<String> where = new ArrayList<>();
		if (after != null) {
			List<String> values = new ArrayList<>();
			for (int i = 0; i < after.size(); i++) {
				values.add("CAST(" + Identifiers.quoteSqlLiteral(after.get(i)) + " AS " + this.keyTypes.get(i) + ")");
			}
			where.add("(" + this.keyList + ") > (" + String.join(", ", values) + ")");
		}
		if (this.table.rowFilter() != null) {
			where.add("(" + this.table.rowFilter() + ")");
		}
		if (this.condition != null) {
			where.add("(" + this.condition + ")");
		}
		if (!where.isEmpty()) {
			sql.append(" WHERE ").append(String.join(" AND ", where));
		}
		return sql.append(" ORDER BY ").append(this.keyList).append(" LIMIT ").append(limit).toString();
	}

	/**
	 * Reads a chunk. The connection is in auto-commit mode and is left so.
	 * @param connection an ordinary connection
	 * @param after the key to read after, or {@code null} from the start
	 * @param limit the most rows
	 * @param maxBytes the most bytes of rows to keep
	 * @return the rows
	 * @throws SQLException if reading fails
	 */
	Result read(Connection connection, List<String> after, int limit, long maxBytes) throws SQLException {
		connection.setAutoCommit(false);
		connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		connection.setReadOnly(true);
		try {
			SnapshotVisibility visibility;
			try (Statement st = connection.createStatement();
					ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text")) {
				rs.next();
				visibility = SnapshotVisibility.parse(rs.getString(1));
			}
			CopyOut copy = connection.unwrap(PGConnection.class)
				.getCopyAPI()
				.copyOut("COPY (" + query(after, limit) + ") TO STDOUT");
			List<TupleData> rows = new ArrayList<>();
			int columns = this.table.columns().size();
			long bytes = 0;
			long read = 0;
			boolean cut = false;
			byte[] line;
			while ((line = copy.readFromCopy()) != null) {
				read++;
				if (cut) {
					continue;
				}
				if (!rows.isEmpty() && bytes + line.length > maxBytes) {
					cut = true;
					continue;
				}
				bytes += line.length;
				rows.add(TupleData.fromCopyText(line, columns));
			}
			connection.commit();
			List<String> lastKey = null;
			if (!rows.isEmpty()) {
				TupleData lastRow = rows.get(rows.size() - 1);
				lastKey = new ArrayList<>();
				for (int position : this.keyPositions) {
					lastKey.add(lastRow.text(position));
				}
			}
			return new Result(rows, lastKey, visibility, !cut && read < limit, bytes);
		}
		catch (SQLException | RuntimeException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setReadOnly(false);
			connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
			connection.setAutoCommit(true);
		}
	}

	/**
	 * Checks that the condition is one valid boolean expression on the table (the server parses and plans the
	 * chunk query as a prepared statement, which takes one statement only).
	 * @param connection an ordinary connection
	 * @throws SQLException the server's error
	 */
	void checkQuery(Connection connection) throws SQLException {
		try (var ps = connection.prepareStatement(query(null, 0))) {
			ps.getMetaData();
		}
	}

}
