package io.github.pglogrepl.bench.consumer;

import java.time.Duration;
import java.util.Properties;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.DeleteMessage;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.StreamCommitMessage;
import io.github.pglogrepl.pgoutput.UpdateMessage;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;

/**
 * The core library alone: {@link ReplicationConnection}, {@link ReplicationStream} and
 * {@link PgOutputDecoder}, one thread, decoding every message and every column value to its Java type
 * ({@code Row.get(i)} for all columns), standby status updates every 10 s.
 */
public final class CoreConsumer {

	private CoreConsumer() {
	}

	public static void main(String[] argv) {
		ChildIo.main(argv, null, CoreConsumer::run);
	}

	static void run(ChildIo io) throws Exception {
		long expected = io.getLong("rows");
		Properties props = new Properties();
		props.setProperty("user", io.get("user"));
		props.setProperty("ApplicationName", "bench-core");
		PgOutputOptions.Builder options = PgOutputOptions.builder()
			.protoVersion(Integer.parseInt(io.get("proto", "1")))
			.publications(io.get("publication"));
		if (!"off".equals(io.get("streaming", "off"))) {
			options.streaming(io.get("streaming"));
		}
		try (ReplicationConnection connection = ReplicationConnection.open(io.get("url"), props)) {
			long start = System.nanoTime();
			ReplicationStream stream = connection
				.startReplication(StartReplicationCommand.logical(io.get("slot"), Lsn.INVALID).pgoutput(options.build()));
			PgOutputDecoder decoder = new PgOutputDecoder();
			Lsn processed = Lsn.INVALID;
			long interval = Duration.ofSeconds(10).toNanos();
			long nextStatus = System.nanoTime() + interval;
			long rows = 0;
			long messages = 0;
			long first = 0;
			long last = 0;
			long checksum = 0;
			boolean finished = false;
			while (!finished) {
				if (System.nanoTime() >= nextStatus) {
					stream.sendStatusUpdate(processed, processed, processed, false);
					nextStatus = System.nanoTime() + interval;
				}
				ReplicationMessage message = stream.read(Duration.ofMillis(100));
				if (message instanceof XLogData xlog) {
					messages++;
					PgOutputMessage decoded = decoder.decode(xlog);
					Row row = null;
					if (decoded instanceof InsertMessage insert) {
						row = insert.newRow();
					}
					else if (decoded instanceof UpdateMessage update) {
						row = update.newRow();
					}
					else if (decoded instanceof DeleteMessage delete) {
						row = delete.oldRow();
					}
					else if (decoded instanceof CommitMessage commit) {
						processed = commit.endLsn();
						finished = rows >= expected;
					}
					else if (decoded instanceof StreamCommitMessage commit) {
						processed = commit.endLsn();
						finished = rows >= expected;
					}
					if (row != null) {
						for (int i = 0; i < row.size(); i++) {
							Object value = row.get(i);
							checksum += (value != null) ? value.hashCode() : 0;
						}
						rows++;
						last = System.nanoTime();
						if (rows == 1) {
							first = last;
						}
					}
				}
				else if (message instanceof PrimaryKeepalive keepalive && keepalive.replyRequested()) {
					nextStatus = 0;
				}
			}
			stream.sendStatusUpdate(processed, processed, processed, false);
			io.done("rows", rows, "messages", messages, "start", start, "first", first, "last", last, "checksum",
					checksum);
			stream.close();
		}
	}

}
