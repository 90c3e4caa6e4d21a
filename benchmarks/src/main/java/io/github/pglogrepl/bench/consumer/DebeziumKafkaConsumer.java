package io.github.pglogrepl.bench.consumer;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

/**
 * Debezium's embedded engine feeding a plain {@link KafkaProducer}, the fair equivalent of the starter's relay:
 * the PostgreSQL connector ({@code plugin.name=pgoutput}, {@code snapshot.mode=no_data}) on the same pre-created
 * slot, its JSON format without schemas ({@code ChangeEvent<String, String>}, {@code converter.schemas.enable=false},
 * {@code decimal.handling.mode=string}: the relay's envelope) and a batch handler that does what Debezium Server's
 * Kafka sink does: sends every record of the batch to {@code <topic.prefix>.<schema>.<table>} (the event's
 * destination), waits until the broker acknowledged all of them, then marks them processed and the batch finished
 * — so Debezium's offset flush (which confirms the slot) never passes a record the broker does not have. The
 * producer has the same settings as the relay's: {@code acks=all}, {@code enable.idempotence=true} and the
 * benchmark's {@code --producer} settings. Acknowledgements are watched with the same {@link AckTracker}.
 */
public final class DebeziumKafkaConsumer {

	private DebeziumKafkaConsumer() {
	}

	static volatile AckTracker tracker;

	public static void main(String[] argv) {
		ChildIo.main(argv, DebeziumKafkaConsumer::command, DebeziumKafkaConsumer::run);
	}

	static void command(String line) {
		String[] parts = line.split(" ");
		if (parts.length == 3 && parts[0].equals("expect")) {
			tracker.expect(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
		}
	}

	static void run(ChildIo io) throws Exception {
		boolean latency = "latency".equals(io.get("mode", "throughput"));
		tracker = new AckTracker(latency ? Long.MAX_VALUE : io.getLong("rows"), latency);
		URI uri = URI.create(io.get("url").substring("jdbc:".length()));
		Properties props = new Properties();
		props.setProperty("name", "bench-debezium-kafka");
		props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
		props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
		props.setProperty("offset.flush.interval.ms", "10000");
		props.setProperty("database.hostname", uri.getHost());
		props.setProperty("database.port", String.valueOf(uri.getPort()));
		props.setProperty("database.user", io.get("user"));
		props.setProperty("database.password", io.get("password", ""));
		props.setProperty("database.dbname", uri.getPath().substring(1));
		props.setProperty("topic.prefix", io.get("topic-prefix"));
		props.setProperty("plugin.name", "pgoutput");
		props.setProperty("slot.name", io.get("slot"));
		props.setProperty("publication.name", io.get("publication"));
		props.setProperty("publication.autocreate.mode", "disabled");
		props.setProperty("snapshot.mode", "no_data");
		props.setProperty("table.include.list", io.get("table", "public.bench"));
		props.setProperty("tombstones.on.delete", "false");
		props.setProperty("errors.max.retries", "0");
		// the relay's envelope: JSON without schemas, numeric as a string
		props.setProperty("converter.schemas.enable", "false");
		props.setProperty("key.converter.schemas.enable", "false");
		props.setProperty("value.converter.schemas.enable", "false");
		props.setProperty("decimal.handling.mode", "string");

		Properties producerProps = new Properties();
		producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, io.get("bootstrap"));
		producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-debezium-kafka");
		for (String kv : io.get("producer", "").split(",")) {
			if (!kv.isBlank()) {
				int eq = kv.indexOf('=');
				producerProps.put(kv.substring(0, eq), kv.substring(eq + 1));
			}
		}
		// what the relay enforces
		producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
		producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
		producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
		producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
		KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps);

		CountDownLatch stopped = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		long start = System.nanoTime();
		DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
			.using(props)
			.using((success, message, error) -> {
				if (!success) {
					failure.set((error != null) ? error : new IllegalStateException(message));
				}
				stopped.countDown();
			})
			.notifying((List<ChangeEvent<String, String>> records,
					DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
				List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
				for (ChangeEvent<String, String> event : records) {
					if (event.value() == null) {
						continue;
					}
					ProducerRecord<String, String> record = new ProducerRecord<>(event.destination(), event.key(),
							event.value());
					sends.add(producer.send(record, tracker.callback(record, null)));
				}
				for (Future<RecordMetadata> send : sends) {
					try {
						send.get();
					}
					catch (java.util.concurrent.ExecutionException ex) {
						throw new IllegalStateException("the broker did not acknowledge a record", ex.getCause());
					}
				}
				for (ChangeEvent<String, String> event : records) {
					committer.markProcessed(event);
				}
				committer.markBatchFinished();
			})
			.build();
		ExecutorService executor = Executors.newSingleThreadExecutor();
		executor.execute(engine);
		long timeoutSeconds = Long.parseLong(io.get("timeout", "1800"));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
		while (!tracker.await(1)) {
			if (stopped.getCount() == 0 || System.nanoTime() > deadline) {
				throw new IllegalStateException("Debezium engine stopped or timed out with " + tracker.acknowledged()
						+ " records acknowledged", failure.get());
			}
		}
		if (tracker.failure() != null) {
			throw new IllegalStateException("a send failed", tracker.failure());
		}
		List<Object> result = new ArrayList<>(tracker.results());
		result.addAll(List.of("start", start));
		io.done(result.toArray());
		engine.close();
		executor.shutdown();
		executor.awaitTermination(30, TimeUnit.SECONDS);
		producer.close();
	}

}
