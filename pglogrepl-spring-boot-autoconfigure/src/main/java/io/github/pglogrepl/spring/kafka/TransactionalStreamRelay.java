package io.github.pglogrepl.spring.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Exactly-once relay of one stream ({@code pglogrepl.kafka.transactional=true}): the records of one or more
 * PostgreSQL transactions are sent in one Kafka transaction, together with a record of the last commit LSN in it
 * on the offsets topic ({@link KafkaOffsets}); the slot is acknowledged past them once the Kafka transaction
 * committed. A Kafka transaction is committed at a PostgreSQL commit once it holds
 * {@code transaction-max-records} records or has been open {@code transaction-max-delay} (zero: one Kafka
 * transaction per PostgreSQL transaction), by the ticker when the stream is idle between transactions, and at
 * the end of a snapshot chunk.
 *
 * <p>A {@code read_committed} consumer sees each PostgreSQL transaction whole or not at all, and once: after a
 * failure the Kafka transaction is aborted and the stream delivered again from the last acknowledged position;
 * after a crash the next producer with the same {@code transactional.id} ({@code <transaction-id-prefix><slot>})
 * fences the old one and aborts its open transaction, and transactions whose commit LSN is not after the one on
 * the offsets topic — on Kafka already, the slot's acknowledgement had not reached the server — are skipped.
 * Snapshot rows are the exception: a chunk read again after a crash is sent again.
 *
 * <p>The producer's transactional calls are made under one lock, by the dispatch thread or the ticker; the lock
 * is never taken while holding this object's monitor.
 */
final class TransactionalStreamRelay extends StreamRelay {

	private static final Log logger = LogFactory.getLog(TransactionalStreamRelay.class);

	private final ReentrantLock lock = new ReentrantLock();

	private final Map<String, Object> producerConfig;

	private final String transactionalId;

	private final KafkaOffsets offsets;

	private final long maxDelayNanos;

	private final int maxRecords;

	// guarded by lock

	private Producer<byte[], byte[]> producer;

	private boolean offsetsTopicChecked;

	private boolean open;

	private long openedAt;

	private int records;

	private int transactionsInKafkaTransaction;

	private boolean inTransaction;

	private boolean skipping;

	private Lsn lastCommitLsn;

	private Lsn lastEndLsn;

	/**
	 * Counts the deliveries given up ({@link #abandon()}): a completion of an earlier one (the records of an aborted
	 * Kafka transaction fail late) is not a new failure.
	 */
	private volatile int generation;

	/** The commit LSN of the last PostgreSQL transaction committed to Kafka. */
	private volatile Lsn onKafka;

	/** The end LSN of the last PostgreSQL transaction committed to Kafka (or skipped as on Kafka already). */
	private volatile Lsn committedEnd;

	TransactionalStreamRelay(KafkaRelay relay, ReplicationStreamContainer container, String slotName,
			Map<String, Object> producerConfig) {
		super(relay, container, slotName, relay.properties().getDeadLetterSuffix());
		KafkaRelayProperties properties = relay.properties();
		this.transactionalId = properties.getTransactionIdPrefix() + slotName;
		this.producerConfig = new HashMap<>(producerConfig);
		this.producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, this.transactionalId);
		this.producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		this.producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
		this.producerConfig.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
		this.producerConfig.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
		this.offsets = new KafkaOffsets(relay.offsetsTopic(slotName), producerConfig);
		this.maxDelayNanos = properties.getTransactionMaxDelay().toNanos();
		this.maxRecords = properties.getTransactionMaxRecords();
	}

	@Override
	void begin(BeginEvent event) {
		throwIfFailed();
		this.lock.lock();
		try {
			producer();
			if (this.inTransaction
					|| (this.lastCommitLsn != null && !event.finalLsn().isAfter(this.lastCommitLsn))) {
				// the stream started over (a new connection after a cut): it sends again from the slot's position,
				// which is before every transaction of the open Kafka transaction — which would hold them twice
				logger.debug("Stream of slot '" + this.slotName + "' started over at " + event.finalLsn()
						+ ": aborting the open Kafka transaction, its PostgreSQL transactions come again");
				abortKafkaTransaction();
			}
			this.inTransaction = true;
			Lsn kafka = this.onKafka;
			this.skipping = kafka != null && !event.finalLsn().isAfter(kafka);
			if (this.skipping) {
				this.relay.transactionSkipped();
			}
		}
		catch (RuntimeException ex) {
			throw new KafkaRelayException("The transactional Kafka producer '" + this.transactionalId
					+ "' could not be started: " + ex, ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	void send(ReplicationEvent event, List<ProducerRecord<byte[], byte[]>> records) {
		throwIfFailed();
		if (records.isEmpty()) {
			return;
		}
		this.lock.lock();
		try {
			if (this.skipping && !(event instanceof SnapshotEvent<?>)) {
				return;
			}
			Producer<byte[], byte[]> current = producer();
			if (!this.open) {
				current.beginTransaction();
				this.open = true;
				this.openedAt = System.nanoTime();
			}
			int sentIn = this.generation;
			for (int i = 0; i < records.size(); i++) {
				ProducerRecord<byte[], byte[]> record = records.get(i);
				String id = DeadLetters.id(record, i, event);
				ProducerRecord<byte[], byte[]> routed = route(record, id, event);
				this.relay.recordSent();
				this.records++;
				Callback callback = callback(routed, id, event, () -> sentIn == this.generation, (exception) -> {
				});
				try {
					current.send(routed, callback);
				}
				catch (RuntimeException ex) {
					this.relay.recordFailed();
					throw ex;
				}
			}
		}
		catch (RuntimeException ex) {
			failed(ex, null, null, event);
		}
		finally {
			this.lock.unlock();
		}
		throwIfFailed();
	}

	@Override
	void committed(CommitEvent event) {
		throwIfFailed();
		this.lock.lock();
		try {
			this.inTransaction = false;
			this.skipping = false;
			if (!this.open) {
				// nothing of it on Kafka (skipped as there already, or no relayed change): nothing to wait for
				this.committedEnd = event.endLsn();
				offer(event.endLsn());
			}
			else {
				this.transactionsInKafkaTransaction++;
				this.lastCommitLsn = event.commitLsn();
				this.lastEndLsn = event.endLsn();
				if (this.maxDelayNanos == 0 || this.records >= this.maxRecords
						|| System.nanoTime() - this.openedAt >= this.maxDelayNanos) {
					commitKafkaTransaction();
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		acknowledge();
		throwIfFailed();
	}

	@Override
	void chunkEnd() {
		throwIfFailed();
		this.lock.lock();
		try {
			if (this.open && !this.inTransaction) {
				commitKafkaTransaction();
			}
		}
		finally {
			this.lock.unlock();
		}
		acknowledge();
		throwIfFailed();
	}

	@Override
	void tick() {
		if (!this.failing && this.lock.tryLock()) {
			try {
				if (this.open && !this.inTransaction && System.nanoTime() - this.openedAt >= this.maxDelayNanos) {
					commitKafkaTransaction();
				}
			}
			finally {
				this.lock.unlock();
			}
		}
		super.tick();
	}

	/** Commits the open Kafka transaction with the offsets record; on failure aborts it and records the failure. */
	private void commitKafkaTransaction() {
		if (this.lastCommitLsn == null) {
			// snapshot rows only: no PostgreSQL transaction to record
			commitOrAbort(null);
			return;
		}
		commitOrAbort(this.offsets.record(this.slotName, this.lastCommitLsn, this.lastEndLsn));
	}

	private void commitOrAbort(ProducerRecord<byte[], byte[]> offsetsRecord) {
		try {
			if (offsetsRecord != null) {
				this.producer.send(offsetsRecord);
			}
			this.producer.commitTransaction();
			this.relay.kafkaTransactionCommitted();
			if (this.lastCommitLsn != null) {
				this.onKafka = this.lastCommitLsn;
				this.committedEnd = this.lastEndLsn;
				offer(this.lastEndLsn);
			}
			reset();
		}
		catch (RuntimeException ex) {
			failed(ex, null, null, null);
			abortKafkaTransaction();
		}
	}

	private void abortKafkaTransaction() {
		if (this.open && this.producer != null) {
			try {
				this.producer.abortTransaction();
			}
			catch (RuntimeException ex) {
				// fenced, or a fatal error: the next producer with this transactional.id aborts it
				logger.warn("Aborting the Kafka transaction of '" + this.transactionalId + "' failed (" + ex
						+ "): closing the producer, its successor aborts it");
				closeProducer();
			}
			this.relay.kafkaTransactionAborted();
		}
		reset();
	}

	private void reset() {
		this.open = false;
		this.records = 0;
		this.transactionsInKafkaTransaction = 0;
		this.lastCommitLsn = null;
		this.lastEndLsn = null;
	}

	/** Under the lock: the producer, created and initialised (and the position on Kafka read) if there is none. */
	private Producer<byte[], byte[]> producer() {
		if (this.producer != null) {
			return this.producer;
		}
		KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(this.producerConfig, new ByteArraySerializer(),
				new ByteArraySerializer());
		try {
			// fences an older producer of this slot and finishes its open transaction
			created.initTransactions();
			if (!this.offsetsTopicChecked) {
				this.offsets.createIfMissing();
				this.offsetsTopicChecked = true;
			}
			this.onKafka = this.offsets.read(this.slotName);
		}
		catch (RuntimeException ex) {
			created.close(Duration.ZERO);
			throw ex;
		}
		this.producer = created;
		logger.info("Kafka relay of slot '" + this.slotName + "': transactional producer '" + this.transactionalId
				+ "' started; Kafka has its transactions up to commit LSN "
				+ ((this.onKafka != null) ? this.onKafka : "(none yet)") + " (offsets topic " + this.offsets.topic()
				+ "), older ones are not sent again");
		return created;
	}

	private void closeProducer() {
		if (this.producer != null) {
			try {
				this.producer.close(Duration.ZERO);
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the producer '" + this.transactionalId + "' failed: " + ex);
			}
			this.producer = null;
		}
	}

	@Override
	int transactionsPending() {
		return this.transactionsInKafkaTransaction;
	}

	@Override
	void abandon() {
		this.lock.lock();
		try {
			this.generation++;
			abortKafkaTransaction();
			this.inTransaction = false;
			this.skipping = false;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	Lsn acknowledgeable() {
		return this.committedEnd;
	}

	@Override
	void close() {
		this.lock.lock();
		try {
			if (this.open && !this.inTransaction && !this.failing) {
				commitKafkaTransaction();
			}
			else {
				abortKafkaTransaction();
			}
			if (this.producer != null) {
				this.producer.close(Duration.ofSeconds(10));
				this.producer = null;
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Closing the transactional producer '" + this.transactionalId + "' failed: " + ex);
		}
		finally {
			this.lock.unlock();
		}
		acknowledge();
	}

	/**
	 * @return the transactional id
	 */
	String transactionalId() {
		return this.transactionalId;
	}

	/**
	 * @return the commit LSN of the last PostgreSQL transaction committed to Kafka, or {@code null}
	 */
	Lsn onKafka() {
		return this.onKafka;
	}

}
