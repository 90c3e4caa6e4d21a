package io.github.pglogrepl.reliability.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checker of the Kafka scenarios: a plain {@code KafkaConsumer} ({@code isolation.level=read_committed}, so that
 * the same checker serves the transactional mode: records of aborted Kafka transactions are never seen) reading the
 * row topic and the outbox topic from the beginning, all the time, in a thread of its own; every record is kept
 * per key, in partition order (one key, one partition), with the time it arrived.
 *
 * <p>{@link #verdict} compares that with what committed ({@link KafkaWriter.Committed}: per key the versions
 * 1..n), per key:
 * <ul>
 * <li><b>lost</b>: a committed (key, version) with no record;</li>
 * <li><b>duplicate</b>: a record of a (key, version) seen before on that key (at-least-once redelivery replays a
 * suffix of the stream: these are the replays);</li>
 * <li><b>order violation</b>: the <em>first</em> record of a (key, version) comes after the first record of a
 * higher version of that key. Order is judged on first occurrences only, so a replayed suffix
 * ({@code 1 2 3 2 3 4}) is in order with two duplicates, while a gap filled later ({@code 1 3 2}) is a
 * violation;</li>
 * <li><b>phantom</b>: a record of a version that never committed (asserted 0).</li>
 * </ul>
 */
public final class KafkaLog implements AutoCloseable {

	private static final JsonMapper JSON = new JsonMapper();

	private final String rowTopic;

	private final String outboxTopic;

	private final KafkaConsumer<byte[], byte[]> consumer;

	private final Thread thread;

	/** Per topic, per key, the versions in partition order. */
	private final Map<String, Map<String, List<Long>>> versions = new HashMap<>();

	/** Row id to when its first record arrived. */
	private final TreeMap<Long, Long> firstRowArrival = new TreeMap<>();

	private long records;

	private long unreadable;

	private volatile boolean running = true;

	private volatile String lastError;

	/**
	 * Starts reading (the topics must exist).
	 * @param bootstrapServers the broker
	 * @param rowTopic the table's topic (key {@code {"id":n}}, {@code after.version})
	 * @param outboxTopic the outbox topic (key the aggregate id, value {@code {"aggregate":a,"seq":s}})
	 */
	public KafkaLog(String bootstrapServers, String rowTopic, String outboxTopic) {
		this.rowTopic = rowTopic;
		this.outboxTopic = outboxTopic;
		this.versions.put(rowTopic, new HashMap<>());
		this.versions.put(outboxTopic, new HashMap<>());
		Map<String, Object> config = new HashMap<>();
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reliability-checker-" + rowTopic);
		config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
		this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
		List<TopicPartition> partitions = new ArrayList<>();
		for (String topic : List.of(rowTopic, outboxTopic)) {
			this.consumer.partitionsFor(topic, Duration.ofSeconds(60))
				.forEach((p) -> partitions.add(new TopicPartition(p.topic(), p.partition())));
		}
		this.consumer.assign(partitions);
		this.consumer.seekToBeginning(partitions);
		this.thread = new Thread(this::run, "reliability-kafka-checker");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void run() {
		while (this.running) {
			try {
				for (ConsumerRecord<byte[], byte[]> record : this.consumer.poll(Duration.ofMillis(100))) {
					add(record, System.currentTimeMillis());
				}
			}
			catch (RuntimeException ex) {
				if (this.running) {
					this.lastError = ex.toString();
					Soak.sleep(100);
				}
			}
		}
		this.consumer.close(Duration.ofSeconds(5));
	}

	private synchronized void add(ConsumerRecord<byte[], byte[]> record, long now) {
		this.records++;
		try {
			String key;
			long version;
			if (record.topic().equals(this.rowTopic)) {
				key = String.valueOf(((Number) JSON.readValue(record.key(), Map.class).get("id")).longValue());
				Map<?, ?> after = (Map<?, ?>) JSON.readValue(record.value(), Map.class).get("after");
				version = ((Number) after.get("version")).longValue();
				this.firstRowArrival.putIfAbsent(Long.parseLong(key), now);
			}
			else {
				key = new String(record.key(), StandardCharsets.UTF_8);
				version = ((Number) JSON.readValue(record.value(), Map.class).get("seq")).longValue();
			}
			this.versions.get(record.topic()).computeIfAbsent(key, (k) -> new ArrayList<>()).add(version);
		}
		catch (RuntimeException ex) {
			// a tombstone or a record of another shape: there are none in these scenarios
			this.unreadable++;
		}
	}

	/**
	 * @param afterId row ids above this count (rows inserted after a fault)
	 * @param sinceMillis arrivals at or after this time count
	 * @return when the first record of such a row arrived, or -1
	 */
	public synchronized long firstNewRowAfter(long afterId, long sinceMillis) {
		long first = -1;
		for (long arrival : this.firstRowArrival.tailMap(afterId, false).values()) {
			if (arrival >= sinceMillis && (first < 0 || arrival < first)) {
				first = arrival;
			}
		}
		return first;
	}

	/**
	 * @return records read so far (both topics)
	 */
	public synchronized long records() {
		return this.records;
	}

	/**
	 * @param committed what committed
	 * @return the comparison
	 */
	public synchronized Verdict verdict(KafkaWriter.Committed committed) {
		return new Verdict(check("rows", this.versions.get(this.rowTopic), committed.rows()),
				check("outbox events", this.versions.get(this.outboxTopic), committed.events()), this.records,
				this.unreadable, this.lastError);
	}

	/**
	 * Waits until nothing committed is missing on Kafka, or the timeout passed.
	 * @param committed what committed (read once)
	 * @param timeout how long at most
	 * @return the last comparison
	 */
	public Verdict awaitAll(Supplier<KafkaWriter.Committed> committed, Duration timeout) {
		KafkaWriter.Committed expected = committed.get();
		long deadline = System.nanoTime() + timeout.toNanos();
		Verdict verdict = verdict(expected);
		while (verdict.lost() > 0 && System.nanoTime() < deadline) {
			Soak.sleep(200);
			verdict = verdict(expected);
		}
		// a little longer: late duplicates (a replay still being sent) count too
		Soak.sleep(1000);
		return verdict(expected);
	}

	private static Check check(String what, Map<String, List<Long>> seen, Map<String, Long> committed) {
		long committedCount = 0;
		long delivered = 0;
		long lost = 0;
		long duplicates = 0;
		long violations = 0;
		long phantoms = 0;
		long maxVersions = 0;
		List<String> lostSample = new ArrayList<>();
		List<String> violationSample = new ArrayList<>();
		Set<String> keys = new HashSet<>(committed.keySet());
		keys.addAll(seen.keySet());
		for (String key : keys) {
			long latest = committed.getOrDefault(key, 0L);
			committedCount += latest;
			maxVersions = Math.max(maxVersions, latest);
			List<Long> versions = seen.getOrDefault(key, List.of());
			Set<Long> first = new HashSet<>();
			long highestFirst = 0;
			for (long version : versions) {
				if (!first.add(version)) {
					duplicates++;
					continue;
				}
				if (version > latest || version < 1) {
					phantoms++;
				}
				if (version < highestFirst) {
					violations++;
					if (violationSample.size() < 5) {
						violationSample.add(key + ": " + abbreviate(versions));
					}
				}
				highestFirst = Math.max(highestFirst, version);
			}
			for (long version = 1; version <= latest; version++) {
				if (first.contains(version)) {
					delivered++;
				}
				else {
					lost++;
					if (lostSample.size() < 10) {
						lostSample.add(key + "@v" + version);
					}
				}
			}
		}
		return new Check(what, committed.size(), committedCount, delivered, lost, duplicates, violations, phantoms,
				maxVersions, lostSample, violationSample);
	}

	private static String abbreviate(List<Long> versions) {
		return (versions.size() <= 30) ? versions.toString()
				: versions.subList(0, 30) + "... (" + versions.size() + " records)";
	}

	@Override
	public void close() {
		this.running = false;
		this.consumer.wakeup();
		try {
			this.thread.join(10_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * One topic's comparison.
	 *
	 * @param what rows or outbox events
	 * @param keys committed keys
	 * @param committed committed (key, version) pairs
	 * @param delivered committed pairs with at least one record
	 * @param lost committed pairs with no record
	 * @param duplicates records of a pair seen before
	 * @param orderViolations first records of a pair after the first record of a higher version of the key
	 * @param phantoms first records of a pair that never committed
	 * @param maxVersions the most versions of one key
	 * @param lostSample some lost pairs
	 * @param violationSample some keys with their versions as read
	 */
	public record Check(String what, long keys, long committed, long delivered, long lost, long duplicates,
			long orderViolations, long phantoms, long maxVersions, List<String> lostSample,
			List<String> violationSample) {

		@Override
		public String toString() {
			return this.what + ": " + this.committed + " committed (" + this.keys + " keys, up to " + this.maxVersions
					+ " versions each), lost " + this.lost + ((this.lost > 0) ? " e.g. " + this.lostSample : "")
					+ ", duplicates " + this.duplicates + ", order violations " + this.orderViolations
					+ ((this.orderViolations > 0) ? " e.g. " + this.violationSample : "") + ", phantoms "
					+ this.phantoms;
		}

	}

	/**
	 * Both topics' comparison.
	 *
	 * @param rows the table's topic
	 * @param events the outbox topic
	 * @param records records read
	 * @param unreadable records of another shape (tombstones and the like; none expected)
	 * @param consumerError the checker's last consumer error, or {@code null}
	 */
	public record Verdict(Check rows, Check events, long records, long unreadable, String consumerError) {

		/**
		 * @return lost rows and events
		 */
		public long lost() {
			return this.rows.lost() + this.events.lost();
		}

		/**
		 * @return duplicate records
		 */
		public long duplicates() {
			return this.rows.duplicates() + this.events.duplicates();
		}

		/**
		 * @return order violations
		 */
		public long orderViolations() {
			return this.rows.orderViolations() + this.events.orderViolations();
		}

		/**
		 * @return phantom records
		 */
		public long phantoms() {
			return this.rows.phantoms() + this.events.phantoms();
		}

		/**
		 * @return the figures in the report's terms (rows and outbox events together)
		 */
		public Outcome outcome() {
			List<Long> none = List.of();
			return new Outcome(this.rows.committed() + this.events.committed(),
					this.rows.delivered() + this.events.delivered(), lost(), duplicates(), none);
		}

		@Override
		public String toString() {
			return this.rows + "; " + this.events + "; " + this.records + " records read"
					+ ((this.unreadable > 0) ? ", " + this.unreadable + " unreadable" : "")
					+ ((this.consumerError != null) ? ", checker's last consumer error: " + this.consumerError : "");
		}

	}

}
