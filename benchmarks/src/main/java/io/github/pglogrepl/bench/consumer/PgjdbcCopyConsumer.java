package io.github.pglogrepl.bench.consumer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyOut;

/**
 * The floor a Java client can reach when reading a table: pgjdbc's {@code COPY (SELECT * FROM t) TO STDOUT}
 * (text format) on one connection, counting rows (one {@code readFromCopy()} per row); nothing is parsed. With
 * {@code --order key} the query is {@code ... ORDER BY key}: the index-order scan a keyset reader pays for.
 */
public final class PgjdbcCopyConsumer {

	private PgjdbcCopyConsumer() {
	}

	public static void main(String[] argv) {
		ChildIo.main(argv, null, PgjdbcCopyConsumer::run);
	}

	static void run(ChildIo io) throws Exception {
		String table = io.get("table");
		String order = io.get("order", "");
		String query = "COPY (SELECT * FROM " + table + (order.isEmpty() ? "" : " ORDER BY " + order) + ") TO STDOUT";
		Properties props = new Properties();
		PGProperty.USER.set(props, io.get("user"));
		PGProperty.APPLICATION_NAME.set(props, "bench-copy");
		try (Connection connection = DriverManager.getConnection(io.get("url"), props)) {
			long start = System.nanoTime();
			CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(query);
			long rows = 0;
			long bytes = 0;
			long first = 0;
			byte[] line;
			while ((line = copy.readFromCopy()) != null) {
				if (rows == 0) {
					first = System.nanoTime();
				}
				rows++;
				bytes += line.length;
			}
			long last = System.nanoTime();
			io.done("rows", rows, "start", start, "first", first, "last", last, "bytes", bytes);
		}
	}

}
