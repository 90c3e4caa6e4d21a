package io.github.pglogrepl.bench.consumer;

import java.net.URI;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;

/**
 * The Debezium embedded engine with the PostgreSQL connector ({@code plugin.name=pgoutput}) on the same
 * pre-created slot, {@code snapshot.mode=no_data} ({@code --snapshot-mode initial} for the snapshot workload S1,
 * with {@code --table public.snap}), in-memory offsets, Kafka Connect records (no JSON serialization). The
 * handler counts the records of the table (snapshot reads, op {@code r}, and changes alike).
 */
public final class DebeziumConsumer {

	private DebeziumConsumer() {
	}

	public static void main(String[] argv) {
		ChildIo.main(argv, null, DebeziumConsumer::run);
	}

	static void run(ChildIo io) throws Exception {
		long expected = io.getLong("rows");
		URI uri = URI.create(io.get("url").substring("jdbc:".length()));
		Properties props = new Properties();
		props.setProperty("name", "bench-debezium");
		props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
		props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
		props.setProperty("offset.flush.interval.ms", "10000");
		props.setProperty("database.hostname", uri.getHost());
		props.setProperty("database.port", String.valueOf(uri.getPort()));
		props.setProperty("database.user", io.get("user"));
		props.setProperty("database.password", io.get("password", ""));
		props.setProperty("database.dbname", uri.getPath().substring(1));
		props.setProperty("topic.prefix", "bench");
		props.setProperty("plugin.name", "pgoutput");
		props.setProperty("slot.name", io.get("slot"));
		props.setProperty("publication.name", io.get("publication"));
		props.setProperty("publication.autocreate.mode", "disabled");
		props.setProperty("snapshot.mode", io.get("snapshot-mode", "no_data"));
		props.setProperty("table.include.list", io.get("table", "public.bench"));
		props.setProperty("tombstones.on.delete", "false");
		props.setProperty("errors.max.retries", "0");
		long[] counters = new long[3]; // rows, first, last
		long[] checksum = new long[1];
		CountDownLatch finished = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		long start = System.nanoTime();
		DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
			.create(ChangeEventFormat.of(Connect.class))
			.using(props)
			.using((success, message, error) -> {
				if (!success) {
					failure.set((error != null) ? error : new IllegalStateException(message));
					finished.countDown();
				}
			})
			.notifying((RecordChangeEvent<SourceRecord> event) -> {
				SourceRecord record = event.record();
				if (record.value() instanceof Struct value && value.schema().field("after") != null) {
					Struct after = value.getStruct("after");
					long id = (after != null) ? after.getInt64("id") : 0;
					// the engine may call the handler from several threads
					synchronized (counters) {
						if (counters[0] >= expected) {
							// the rest of the snapshot (measured over its first rows only)
							return;
						}
						checksum[0] += id;
						long now = System.nanoTime();
						if (counters[0] == 0) {
							counters[1] = now;
						}
						counters[2] = now;
						if (++counters[0] >= expected) {
							finished.countDown();
						}
					}
				}
			})
			.build();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		executor.execute(engine);
		long timeoutSeconds = Long.parseLong(io.get("timeout", "1800"));
		if (!finished.await(timeoutSeconds, TimeUnit.SECONDS)) {
			throw new IllegalStateException("timed out with " + counters[0] + " rows");
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Debezium engine stopped: " + failure.get(), failure.get());
		}
		synchronized (counters) {
			// read under the lock the handler wrote with
		}
		io.done("rows", counters[0], "start", start, "first", counters[1], "last", counters[2], "checksum",
				checksum[0]);
		engine.close();
		executor.shutdown();
		executor.awaitTermination(30, TimeUnit.SECONDS);
	}

}
