package io.github.pglogrepl.spring.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.ProducerFactory;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.OutboxEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Relays every change of the replication streams to Kafka and acknowledges the slot behind the broker.
 *
 * <p>Its listeners run on each stream's dispatch thread, in commit order. Each change becomes records
 * ({@link ChangeRecordEncoder}) sent with one idempotent producer ({@code acks=all}), asynchronously; a stream's
 * slot is acknowledged (the stream runs with {@code ack-mode=manual}) up to a transaction's end once the broker
 * acknowledged every record of it and of every earlier transaction ({@link PendingTransactions}). Per key, records
 * keep the commit order: one producer, idempotence, at most 5 requests in flight.
 *
 * <p><b>Back-pressure.</b> When the broker is slow or down, the producer's buffer ({@code buffer.memory}) fills and
 * {@code send} blocks the dispatch thread (up to {@code max.block.ms}); the stream's bounded queue then fills and
 * reading pauses: memory stays bounded, and the slot keeps everything not acknowledged.
 *
 * <p><b>Failures.</b> A record the broker rejects or that times out ({@code delivery.timeout.ms}) is never dropped:
 * its transaction is never acknowledged, and the relay's next listener call throws a {@link KafkaRelayException}
 * to the stream's error handler, whose default retries — the stream is delivered again from the last acknowledged
 * position and every record after it is sent again (at-least-once: duplicates, never gaps). The state
 * ({@link #state()}) shows records sent, in flight, transactions waiting for the broker and the last error.
 *
 * <p><b>Snapshot rows</b> are sent and awaited one by one: a snapshot records a chunk as delivered when its
 * listeners returned, independently of the slot's acknowledgement, so a row must be on the broker by then.
 */
public class KafkaRelay implements DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaRelay.class);

	/** How often acknowledgements that had to wait for the dispatch thread are tried again. */
	private static final long ACKNOWLEDGE_RETRY_MILLIS = 20;

	private final ProducerFactory<byte[], byte[]> producerFactory;

	private final ChangeRecordEncoder encoder;

	private final Map<Object, StreamRelay> streams = new ConcurrentHashMap<>();

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final ScheduledExecutorService ticker;

	private volatile Producer<byte[], byte[]> producer;

	private volatile boolean failing;

	private volatile String lastError;

	private volatile Instant lastErrorAt;

	/**
	 * @param producerFactory makes the producer (byte-array serializers, {@code acks=all}, idempotent)
	 * @param encoder turns events into records
	 */
	public KafkaRelay(ProducerFactory<byte[], byte[]> producerFactory, ChangeRecordEncoder encoder) {
		this.producerFactory = producerFactory;
		this.encoder = encoder;
		this.ticker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "pglogrepl-kafka-ack");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.scheduleWithFixedDelay(this::acknowledgeAll, ACKNOWLEDGE_RETRY_MILLIS, ACKNOWLEDGE_RETRY_MILLIS,
				TimeUnit.MILLISECONDS);
	}

	/**
	 * @param event an insert
	 */
	@EventListener
	public void onInsert(InsertEvent<?> event) {
		relay(event, false);
	}

	/**
	 * @param event an update
	 */
	@EventListener
	public void onUpdate(UpdateEvent<?> event) {
		relay(event, false);
	}

	/**
	 * @param event a delete
	 */
	@EventListener
	public void onDelete(DeleteEvent<?> event) {
		relay(event, false);
	}

	/**
	 * @param event a truncate
	 */
	@EventListener
	public void onTruncate(TruncateEvent event) {
		relay(event, false);
	}

	/**
	 * @param event an outbox event
	 */
	@EventListener
	public void onOutbox(OutboxEvent<?> event) {
		relay(event, false);
	}

	/**
	 * @param event a snapshot row: waits until the broker acknowledged it
	 */
	@EventListener
	public void onSnapshot(SnapshotEvent<?> event) {
		relay(event, true);
	}

	/**
	 * A transaction committed: it is acknowledged once the broker acknowledged its records and every earlier
	 * transaction's.
	 * @param event the commit
	 */
	@EventListener
	public void onCommit(CommitEvent event) {
		StreamRelay stream = stream(event);
		stream.throwIfFailed();
		stream.pending.committed(event.endLsn());
		stream.acknowledge();
	}

	private void relay(ReplicationEvent event, boolean await) {
		StreamRelay stream = stream(event);
		stream.throwIfFailed();
		List<ProducerRecord<byte[], byte[]>> records = this.encoder.records(event, stream.database);
		CompletableFuture<Void> last = null;
		for (ProducerRecord<byte[], byte[]> record : records) {
			last = stream.send(record, event);
		}
		if (await && last != null) {
			awaitSnapshotRow(last, stream);
		}
		stream.throwIfFailed();
	}

	private void awaitSnapshotRow(CompletableFuture<Void> sentRecord, StreamRelay stream) {
		try {
			sentRecord.get(10, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KafkaRelayException("Interrupted while waiting for the broker to acknowledge a snapshot row", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			// the failure was recorded by the callback (thrown below), or it never completed
			if (ex instanceof TimeoutException) {
				stream.failed(new KafkaRelayException("No acknowledgement from the broker for a snapshot row", ex),
						"a snapshot row");
			}
		}
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

	private StreamRelay stream(ReplicationEvent event) {
		return this.streams.computeIfAbsent(event.getSource(), (source) -> new StreamRelay(source, event.slotName()));
	}

	private void acknowledgeAll() {
		for (StreamRelay stream : this.streams.values()) {
			try {
				stream.acknowledge();
			}
			catch (RuntimeException ex) {
				logger.debug("Acknowledgement of slot '" + stream.slotName + "' failed: " + ex);
			}
		}
	}

	/**
	 * @return the relay's state now
	 */
	public KafkaRelayState state() {
		int pending = 0;
		Map<String, String> positions = new TreeMap<>();
		for (StreamRelay stream : this.streams.values()) {
			pending += stream.pending.committedPending();
			positions.put(stream.name, String.valueOf(stream.acknowledged));
		}
		long acked = this.acknowledged.get();
		long failures = this.failed.get();
		long sentRecords = this.sent.get();
		return new KafkaRelayState(sentRecords, acked, failures, Math.max(0, sentRecords - acked - failures), pending,
				positions, this.failing, this.lastError, this.lastErrorAt);
	}

	/**
	 * Closes the producer after its sends completed (or its close timeout passed), acknowledging what they
	 * completed if the stream still runs.
	 */
	@Override
	public void destroy() {
		Producer<byte[], byte[]> current = this.producer;
		if (current != null) {
			try {
				current.close(Duration.ofSeconds(10));
			}
			catch (RuntimeException ex) {
				logger.warn("Closing the Kafka relay's producer failed: " + ex);
			}
		}
		acknowledgeAll();
		this.ticker.shutdownNow();
		if (this.producerFactory instanceof DisposableBean disposable) {
			try {
				disposable.destroy();
			}
			catch (Exception ex) {
				logger.warn("Closing the Kafka relay's producer factory failed: " + ex);
			}
		}
	}

	/** The relay's state for one stream. */
	private final class StreamRelay {

		final String name;

		final String slotName;

		final Acknowledgement acknowledgement;

		final String database;

		volatile PendingTransactions pending = new PendingTransactions();

		/** A send that failed since the stream was last (re)delivered; guarded by this. */
		private Throwable failure;

		private String failureDescription;

		/** The end of the last transaction fully on the broker; guarded by this. */
		private Lsn ready;

		volatile Lsn acknowledged;

		StreamRelay(Object source, String slotName) {
			this.slotName = slotName;
			if (source instanceof ReplicationStreamContainer container) {
				this.name = container.streamName();
				this.acknowledgement = container.acknowledgement();
				this.database = databaseName(container.getContainerProperties().getJdbcUrl());
				this.acknowledged = this.acknowledgement.acknowledged();
			}
			else {
				throw new IllegalStateException("The Kafka relay needs events of a ReplicationStreamContainer, not of "
						+ source);
			}
		}

		CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record, ReplicationEvent event) {
			PendingTransactions transactions = this.pending;
			PendingTransactions.Transaction transaction = transactions.sending();
			CompletableFuture<Void> done = new CompletableFuture<>();
			AtomicBoolean completed = new AtomicBoolean();
			KafkaRelay.this.sent.incrementAndGet();
			try {
				producer().send(record, (metadata, exception) -> {
					if (completed.compareAndSet(false, true)) {
						completed(transactions, transaction, exception, record, event, done);
					}
				});
			}
			catch (RuntimeException ex) {
				if (completed.compareAndSet(false, true)) {
					completed(transactions, transaction, ex, record, event, done);
				}
			}
			return done;
		}

		private void completed(PendingTransactions transactions, PendingTransactions.Transaction transaction,
				Exception exception, ProducerRecord<byte[], byte[]> record, ReplicationEvent event,
				CompletableFuture<Void> done) {
			transactions.completed(transaction, exception);
			if (exception == null) {
				KafkaRelay.this.acknowledged.incrementAndGet();
				done.complete(null);
				acknowledge();
				return;
			}
			KafkaRelay.this.failed.incrementAndGet();
			synchronized (this) {
				if (transactions == this.pending) {
					failed(exception, "topic " + record.topic() + ", " + event.describe(false));
				}
			}
			done.completeExceptionally(exception);
		}

		synchronized void failed(Throwable exception, String what) {
			if (this.failure == null) {
				this.failure = exception;
				this.failureDescription = what;
			}
			String error = "Kafka send failed for " + what + ": " + exception;
			KafkaRelay.this.lastError = error;
			KafkaRelay.this.lastErrorAt = Instant.now();
			KafkaRelay.this.failing = true;
		}

		/**
		 * After a failed send: gives up what is pending (it is delivered again from the last acknowledged position)
		 * and throws to the stream's error handler.
		 */
		void throwIfFailed() {
			Throwable cause;
			String what;
			synchronized (this) {
				cause = this.failure;
				if (cause == null) {
					return;
				}
				what = this.failureDescription;
				this.failure = null;
				this.failureDescription = null;
				this.pending.abandon();
				this.pending = new PendingTransactions();
			}
			throw new KafkaRelayException("A record of slot '" + this.slotName + "' was not acknowledged by the broker ("
					+ what + "): the stream is delivered again from " + this.acknowledgement.acknowledged(), cause);
		}

		/**
		 * Acknowledges the slot up to the last transaction fully on the broker. The acknowledgement is refused
		 * while the transaction's {@code CommitEvent} is still being delivered (its listeners, this relay's
		 * included, have not all returned); it is tried again shortly.
		 */
		synchronized void acknowledge() {
			Lsn end = this.pending.acknowledgeable();
			if (end != null && (this.ready == null || end.isAfter(this.ready))) {
				this.ready = end;
			}
			if (this.ready == null || (this.acknowledged != null && !this.ready.isAfter(this.acknowledged))) {
				return;
			}
			try {
				this.acknowledgement.acknowledge(this.ready);
				this.acknowledged = this.ready;
				if (this.failure == null) {
					KafkaRelay.this.failing = false;
				}
			}
			catch (IllegalArgumentException notDeliveredYet) {
				// the commit's listeners are still running: the ticker tries again
			}
		}

	}

	static String databaseName(String jdbcUrl) {
		if (jdbcUrl == null) {
			return null;
		}
		Properties parsed = org.postgresql.Driver.parseURL(jdbcUrl, new Properties());
		return (parsed != null) ? parsed.getProperty("PGDBNAME") : null;
	}

}
