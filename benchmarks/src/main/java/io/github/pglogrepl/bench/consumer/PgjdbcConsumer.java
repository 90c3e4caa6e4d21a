package io.github.pglogrepl.bench.consumer;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The plain Java floor: pgjdbc's own {@link PGReplicationStream}, one thread, blocking {@code read()}. It only
 * looks at the first byte of each pgoutput message to count row changes; nothing is decoded.
 */
public final class PgjdbcConsumer {

	private PgjdbcConsumer() {
	}

	public static void main(String[] argv) {
		ChildIo.main(argv, null, PgjdbcConsumer::run);
	}

	static void run(ChildIo io) throws Exception {
		long expected = io.getLong("rows");
		Properties props = new Properties();
		PGProperty.USER.set(props, io.get("user"));
		PGProperty.REPLICATION.set(props, "database");
		PGProperty.PREFER_QUERY_MODE.set(props, "simple");
		PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
		PGProperty.APPLICATION_NAME.set(props, "bench-pgjdbc");
		try (Connection connection = DriverManager.getConnection(io.get("url"), props)) {
			PGConnection pg = connection.unwrap(PGConnection.class);
			long start = System.nanoTime();
			PGReplicationStream stream = pg.getReplicationAPI()
				.replicationStream()
				.logical()
				.withSlotName(io.get("slot"))
				.withStartPosition(LogSequenceNumber.INVALID_LSN)
				.withSlotOption("proto_version", io.get("proto", "1"))
				.withSlotOption("publication_names", io.get("publication"))
				.withStatusInterval(10, TimeUnit.SECONDS)
				.start();
			long rows = 0;
			long messages = 0;
			long first = 0;
			long last = 0;
			while (true) {
				ByteBuffer message = stream.read();
				if (message == null) {
					continue;
				}
				messages++;
				byte type = message.get(message.position());
				if (type == 'I' || type == 'U' || type == 'D') {
					rows++;
					last = System.nanoTime();
					if (rows == 1) {
						first = last;
					}
				}
				else if (type == 'C' && rows >= expected) {
					LogSequenceNumber lsn = stream.getLastReceiveLSN();
					stream.setAppliedLSN(lsn);
					stream.setFlushedLSN(lsn);
					stream.forceUpdateStatus();
					break;
				}
			}
			io.done("rows", rows, "messages", messages, "start", start, "first", first, "last", last);
			stream.close();
		}
	}

}
