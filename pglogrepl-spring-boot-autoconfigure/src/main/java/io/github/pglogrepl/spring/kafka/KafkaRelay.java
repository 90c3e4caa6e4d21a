package io.github.pglogrepl.spring.kafka;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.ProducerFactory;

import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.OutboxEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotChunkEndEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Relays every change of the replication streams to Kafka and acknowledges each slot behind the broker.
 *
 * <p>Its listeners run on each stream's dispatch thread, in commit order. Each change becomes records
 * ({@link ChangeRecordEncoder}); a stream's slot is acknowledged (the stream runs with {@code ack-mode=manual}) up
 * to a transaction's end only once every record of it and of every earlier transaction is on the broker. How, per
 * stream ({@link StreamRelay}): at-least-once by default ({@link AtLeastOnceStreamRelay}: one idempotent producer,
 * {@code acks=all}, asynchronous sends), or exactly-once with {@code pglogrepl.kafka.transactional=true}
 * ({@link TransactionalStreamRelay}: Kafka transactions, one producer per slot). Per key, records keep the commit
 * order (one producer per stream, idempotence, at most 5 requests in flight).
 *
 * <p><b>Back-pressure.</b> When the broker is slow or down, the producer's buffer ({@code buffer.memory}) fills and
 * {@code send} blocks the dispatch thread (up to {@code max.block.ms}); the stream's bounded queue then fills and
 * reading pauses: memory stays bounded, and the slot keeps everything not acknowledged. {@link #state()} shows
 * how long the broker has acknowledged nothing.
 *
 * <p><b>Failures.</b> A record that could not be sent is never dropped: its transaction is not acknowledged, and
 * the relay's next listener call throws a {@link KafkaRelayException} to the stream's error handler, whose
 * default retries — the stream is delivered again from the last acknowledged position. A record the broker
 * rejects for good (too large, not authorized) first goes to the {@link RejectedRecordHandler} (retry, dead-letter
 * topic, or stop).
 *
 * <p><b>Snapshot rows</b> are sent like changes; at the end of each chunk ({@link SnapshotChunkEndEvent}) the
 * relay waits until the broker has all of them (transactional: commits them), because the chunk is then recorded
 * as delivered independently of the slot's acknowledgement.
 */
public class KafkaRelay implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRelay.class);

	/** How often acknowledgements that had to wait for the dispatch thread are tried again. */
	private static final long TICK_MILLIS = 20;

	private final ProducerFactory<byte[], byte[]> producerFactory;

	private final ChangeRecordEncoder encoder;

	private final RejectedRecordHandler rejectedRecordHandler;

	private final KafkaRelayProperties properties;

	private final Map<Object, StreamRelay> streams = new ConcurrentHashMap<>();

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong deadLettered = new AtomicLong();

	private final AtomicLong kafkaTransactionsCommitted = new AtomicLong();

	private final AtomicLong kafkaTransactionsAborted = new AtomicLong();

	private final AtomicLong transactionsSkipped = new AtomicLong();

	private final ScheduledExecutorService ticker;

	private volatile Producer<byte[], byte[]> producer;

	private volatile LongConsumer sendLatency = (nanos) -> {
	};

	/** When the broker last acknowledged a record (or the relay had nothing in flight). */
	private volatile long lastProgressNanos = System.nanoTime();

	private volatile String lastError;

	private volatile Instant lastErrorAt;

	private volatile boolean failing;

	/**
	 * @param producerFactory makes the producer (byte-array serializers, {@code acks=all}, idempotent); in
	 * transactional mode its settings are those of each stream's transactional producer
	 * @param encoder turns events into records
	 * @param rejectedRecordHandler decides about records the broker rejects for good
	 * @param properties the relay's settings
	 */
	public KafkaRelay(ProducerFactory<byte[], byte[]> producerFactory, ChangeRecordEncoder encoder,
			RejectedRecordHandler rejectedRecordHandler, KafkaRelayProperties properties) {
		this.producerFactory = producerFactory;
		this.encoder = encoder;
		this.rejectedRecordHandler = rejectedRecordHandler;
		this.properties = properties;
		this.ticker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "pglogrepl-kafka-relay");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.scheduleWithFixedDelay(this::tickAll, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
	}

	/**
	 * @param event a transaction begins
	 */
	@EventListener
	public void onBegin(BeginEvent event) {
		stream(event).begin(event);
	}

	/**
	 * @param event an insert
	 */
	@EventListener
	public void onInsert(InsertEvent<?> event) {
		relay(event);
	}

	/**
	 * @param event an update
	 */
	@EventListener
	public void onUpdate(UpdateEvent<?> event) {
		relay(event);
	}

	/**
	 * @param event a delete
	 */
	@EventListener
	public void onDelete(DeleteEvent<?> event) {
		relay(event);
	}

	/**
	 * @param event a truncate
	 */
	@EventListener
	public void onTruncate(TruncateEvent event) {
		relay(event);
	}

	/**
	 * @param event an outbox event
	 */
	@EventListener
	public void onOutbox(OutboxEvent<?> event) {
		relay(event);
	}

	/**
	 * @param event a snapshot row
	 */
	@EventListener
	public void onSnapshot(SnapshotEvent<?> event) {
		relay(event);
	}

	/**
	 * @param event the end of a snapshot chunk: returns once the broker has its rows
	 */
	@EventListener
	public void onSnapshotChunkEnd(SnapshotChunkEndEvent event) {
		stream(event).chunkEnd();
	}

	/**
	 * A transaction committed: it is acknowledged once the broker has its records and every earlier
	 * transaction's.
	 * @param event the commit
	 */
	@EventListener
	public void onCommit(CommitEvent event) {
		stream(event).committed(event);
	}

	private void relay(ReplicationEvent event) {
		StreamRelay stream = stream(event);
		List<ProducerRecord<byte[], byte[]>> records = this.encoder.records(event, stream.database);
		stream.send(event, records);
	}

	private StreamRelay stream(ReplicationEvent event) {
		return this.streams.computeIfAbsent(event.getSource(), (source) -> newStream(source, event.slotName()));
	}

	private StreamRelay newStream(Object source, String slotName) {
		if (!(source instanceof ReplicationStreamContainer container)) {
			throw new IllegalStateException("The Kafka relay needs events of a ReplicationStreamContainer, not of "
					+ source);
		}
		if (this.properties.isTransactional()) {
			return new TransactionalStreamRelay(this, container, slotName,
					this.producerFactory.getConfigurationProperties());
		}
		return new AtLeastOnceStreamRelay(this, container, slotName, this::producer);
	}

	private Producer<byte[], byte[]> producer() {
		Producer<byte[], byte[]> current = this.producer;
		if (current == null) {
			synchronized (this) {
				current = this.producer;
				if (current == null) {
					current = this.producerFactory.createProducer();
					this.producer = current;
				}
			}
		}
		return current;
	}

	private void tickAll() {
		for (StreamRelay stream : this.streams.values()) {
			try {
				stream.tick();
			}
			catch (RuntimeException ex) {
				logger.debug("The relay's tick of slot '" + stream.slotName + "' failed: " + ex);
			}
		}
	}

	KafkaRelayProperties properties() {
		return this.properties;
	}

	RejectedRecordHandler rejectedRecordHandler() {
		return this.rejectedRecordHandler;
	}

	String offsetsTopic(String slotName) {
		String configured = this.properties.getOffsetsTopic();
		return (configured != null) ? configured : this.encoder.topics().prefix(slotName) + ".offsets";
	}

	/**
	 * @param recorder receives the time from each send to the broker's acknowledgement, in nanoseconds
	 */
	public void setSendLatencyRecorder(LongConsumer recorder) {
		this.sendLatency = recorder;
	}

	void recordSent() {
		if (this.sent.get() == this.acknowledged.get() + this.failed.get()) {
			// nothing was in flight: the wait for the broker starts now
			this.lastProgressNanos = System.nanoTime();
		}
		this.sent.incrementAndGet();
	}

	void recordAcknowledged(long latencyNanos) {
		this.acknowledged.incrementAndGet();
		this.lastProgressNanos = System.nanoTime();
		this.sendLatency.accept(latencyNanos);
	}

	void recordFailed() {
		this.failed.incrementAndGet();
	}

	void recordDeadLettered() {
		this.deadLettered.incrementAndGet();
	}

	void failure(String error) {
		this.lastError = error;
		this.lastErrorAt = Instant.now();
		this.failing = true;
	}

	/** A transaction was acknowledged to a slot. */
	void progressed() {
		this.failing = false;
	}

	void kafkaTransactionCommitted() {
		this.kafkaTransactionsCommitted.incrementAndGet();
	}

	void kafkaTransactionAborted() {
		this.kafkaTransactionsAborted.incrementAndGet();
	}

	void transactionSkipped() {
		this.transactionsSkipped.incrementAndGet();
	}

	/**
	 * @return the relay's state now
	 */
	public KafkaRelayState state() {
		int pending = 0;
		int deadLetterWaiting = 0;
		Map<String, String> positions = new TreeMap<>();
		for (StreamRelay stream : this.streams.values()) {
			pending += stream.transactionsPending();
			deadLetterWaiting += stream.deadLetters.waiting();
			positions.put(stream.name, String.valueOf(stream.acknowledged));
		}
		long acked = this.acknowledged.get();
		long failures = this.failed.get();
		long sentRecords = this.sent.get();
		long inFlight = Math.max(0, sentRecords - acked - failures);
		long waitingMillis = (inFlight > 0)
				? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lastProgressNanos) : 0;
		return new KafkaRelayState(this.properties.isTransactional() ? "exactly-once" : "at-least-once", sentRecords,
				acked, failures, inFlight, pending, waitingMillis, this.deadLettered.get(), deadLetterWaiting,
				this.kafkaTransactionsCommitted.get(), this.kafkaTransactionsAborted.get(),
				this.transactionsSkipped.get(), positions, this.failing, this.lastError, this.lastErrorAt);
	}

	/**
	 * Finishes what can be finished (transactional: commits an open Kafka transaction between PostgreSQL
	 * transactions), closes the producers after their sends completed (or 10 s passed), and acknowledges what
	 * they completed if the stream still runs.
	 */
	@Override
	public void destroy() {
		this.ticker.shutdownNow();
		for (StreamRelay stream : this.streams.values()) {
			stream.close();
		}
		Producer<byte[], byte[]> current = this.producer;
		if (current != null) {
			try {
				current.close(java.time.Duration.ofSeconds(10));
			}
			catch (RuntimeException ex) {
				logger.warn("Closing the Kafka relay's producer failed: " + ex);
			}
		}
		for (StreamRelay stream : this.streams.values()) {
			stream.acknowledge();
		}
		if (this.producerFactory instanceof DisposableBean disposable) {
			try {
				disposable.destroy();
			}
			catch (Exception ex) {
				logger.warn("Closing the Kafka relay's producer factory failed: " + ex);
			}
		}
	}

}
