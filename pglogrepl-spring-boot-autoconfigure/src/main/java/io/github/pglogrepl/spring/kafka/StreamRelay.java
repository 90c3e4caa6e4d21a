package io.github.pglogrepl.spring.kafka;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.JdbcUrls;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * The relay of one stream: sends its changes, and acknowledges its slot up to the end of the last transaction
 * whose records are all on the broker — the one place the relay moves a slot. Two ways to get there:
 * {@link AtLeastOnceStreamRelay} (records acknowledged one by one, asynchronously) and
 * {@link TransactionalStreamRelay} (records committed in Kafka transactions).
 *
 * <p>Threads: the listener methods ({@link #begin}, {@link #send}, {@link #committed}, {@link #chunkEnd}) run on
 * the stream's dispatch thread; completions on the producer's I/O thread; {@link #tick()} on the relay's ticker.
 * A failed send is recorded by {@link #failed} and thrown on the dispatch thread by {@link #throwIfFailed()}, so
 * that the stream's error handler redelivers from the last acknowledged position.
 */
abstract class StreamRelay {

	private static final Log logger = LogFactory.getLog(StreamRelay.class);

	final KafkaRelay relay;

	final String name;

	final String slotName;

	final String database;

	final ReplicationStreamContainer container;

	final Acknowledgement acknowledgement;

	final DeadLetters deadLetters;

	/** A send that failed since the stream was last (re)delivered; guarded by this. */
	private Failure failure;

	/** Whether {@link #failure} is set (read without the lock by the ticker). */
	volatile boolean failing;

	/** The end of the last transaction fully on the broker; guarded by this. */
	private Lsn ready;

	volatile Lsn acknowledged;

	private record Failure(Throwable exception, String description, ProducerRecord<byte[], byte[]> record, String id,
			ReplicationEvent event) {
	}

	StreamRelay(KafkaRelay relay, ReplicationStreamContainer container, String slotName, String deadLetterSuffix) {
		this.relay = relay;
		this.container = container;
		this.slotName = slotName;
		this.name = container.streamName();
		this.acknowledgement = container.acknowledgement();
		this.database = JdbcUrls.database(container.getContainerProperties().getJdbcUrl());
		this.acknowledged = this.acknowledgement.acknowledged();
		this.deadLetters = new DeadLetters(deadLetterSuffix);
	}

	/**
	 * A transaction begins.
	 * @param event its begin
	 */
	void begin(BeginEvent event) {
	}

	/**
	 * Sends a change's records.
	 * @param event the change
	 * @param records its records, in order
	 */
	abstract void send(ReplicationEvent event, List<ProducerRecord<byte[], byte[]>> records);

	/**
	 * A transaction committed (its listeners may still be running).
	 * @param event its commit
	 */
	abstract void committed(CommitEvent event);

	/** The last row of a snapshot chunk was sent: return only once every row of it is on the broker. */
	abstract void chunkEnd();

	/** The ticker: acknowledgements refused earlier, and whatever the mode does on time. */
	void tick() {
		acknowledge();
	}

	/**
	 * @return PostgreSQL transactions whose records are not all on the broker (or not committed in Kafka)
	 */
	abstract int transactionsPending();

	/** The stream is delivered again from the last acknowledged position: drop what was pending. */
	abstract void abandon();

	/** The relay shuts down: finish what can be finished. */
	abstract void close();

	/**
	 * @return the end LSN of the last transaction fully on the broker, or {@code null} if none newer
	 */
	abstract Lsn acknowledgeable();

	/**
	 * @param record a record to send
	 * @param id its {@link DeadLetters#id}
	 * @param event its change
	 * @return the record to send: itself, or its dead-letter record if the handler chose that before
	 */
	final ProducerRecord<byte[], byte[]> route(ProducerRecord<byte[], byte[]> record, String id, ReplicationEvent event) {
		ProducerRecord<byte[], byte[]> routed = this.deadLetters.route(record, id, event);
		if (routed != record) {
			this.relay.recordDeadLettered();
		}
		return routed;
	}

	/**
	 * A send's completion: counts the record and reports a failure, unless the delivery it belongs to was given up
	 * since (a late completion of an abandoned send is not a new failure); then runs {@code then}.
	 * @param record the record sent
	 * @param id its {@link DeadLetters#id}
	 * @param event its change
	 * @param current whether the delivery the record was sent in still counts
	 * @param then what the mode does with the outcome (the exception, or {@code null})
	 * @return the callback; also called directly for a send the producer refused before sending
	 */
	final Callback callback(ProducerRecord<byte[], byte[]> record, String id, ReplicationEvent event,
			BooleanSupplier current, Consumer<Exception> then) {
		long started = System.nanoTime();
		return (metadata, exception) -> {
			if (exception == null) {
				this.relay.recordAcknowledged(System.nanoTime() - started);
			}
			else {
				this.relay.recordFailed();
				if (current.getAsBoolean()) {
					failed(exception, record, id, event);
				}
			}
			then.accept(exception);
		};
	}

	/**
	 * A send failed: the next listener call throws ({@link #throwIfFailed()}).
	 */
	final synchronized void failed(Throwable exception, ProducerRecord<byte[], byte[]> record, String id,
			ReplicationEvent event) {
		String description = (record != null) ? "topic " + record.topic() + ", " + event.describe(false)
				: (event != null) ? event.describe(false) : "the commit of a Kafka transaction of slot '" + this.slotName + "'";
		if (this.failure == null) {
			this.failure = new Failure(exception, description, record, id, event);
			this.failing = true;
		}
		this.relay.failure("Kafka send failed for " + description + ": " + exception);
	}

	/**
	 * Dispatch thread: after a failed send, applies the rejected-record policy, gives up what is pending (it is
	 * delivered again from the last acknowledged position) and throws to the stream's error handler.
	 */
	final void throwIfFailed() {
		Failure cause;
		synchronized (this) {
			cause = this.failure;
			if (cause == null) {
				return;
			}
			this.failure = null;
			this.failing = false;
		}
		// outside the monitor: abandoning takes the transactional relay's lock, and its holder may wait for a
		// completion that needs the monitor
		abandon();
		String outcome = "the stream is delivered again from " + this.acknowledgement.acknowledged();
		if (cause.record() != null && cause.exception() instanceof Exception exception
				&& RejectedRecordHandler.isRejection(exception)
				&& cause.record().headers().lastHeader(DeadLetters.ORIGINAL_TOPIC) == null) {
			RejectedRecordAction action = this.relay.rejectedRecordHandler().handle(cause.record(), exception,
					cause.event());
			if (action == RejectedRecordAction.DEAD_LETTER) {
				this.deadLetters.remember(cause.id(), exception, cause.event());
				outcome += ", the rejected record going to " + cause.record().topic()
						+ this.relay.properties().getDeadLetterSuffix();
			}
			else if (action == RejectedRecordAction.STOP) {
				outcome = "the stream stops";
				stopStream();
			}
		}
		throw new KafkaRelayException("A record of slot '" + this.slotName + "' was not acknowledged by the broker ("
				+ cause.description() + "): " + outcome, cause.exception());
	}

	private void stopStream() {
		Thread stopper = new Thread(() -> {
			try {
				this.container.stop();
			}
			catch (RuntimeException ex) {
				logger.warn("Stopping the stream of slot '" + this.slotName + "' failed: " + ex);
			}
		}, "pglogrepl-kafka-stop-" + this.slotName);
		stopper.setDaemon(true);
		stopper.start();
	}

	/**
	 * Offers a transaction end whose records are all on the broker.
	 * @param end its end LSN
	 */
	final synchronized void offer(Lsn end) {
		if (end != null && (this.ready == null || end.isAfter(this.ready))) {
			this.ready = end;
		}
	}

	/**
	 * Acknowledges the slot up to the last transaction fully on the broker. Refused while the transaction's
	 * {@code CommitEvent} is still being delivered (its listeners, this relay's included, have not all returned):
	 * the ticker tries again shortly.
	 */
	final synchronized void acknowledge() {
		offer(acknowledgeable());
		if (this.ready == null || (this.acknowledged != null && !this.ready.isAfter(this.acknowledged))) {
			return;
		}
		try {
			this.acknowledgement.acknowledge(this.ready);
			this.acknowledged = this.ready;
			this.deadLetters.acknowledged(this.ready);
			this.relay.progressed();
		}
		catch (IllegalArgumentException notDeliveredYet) {
			// the commit's listeners are still running: the ticker tries again
		}
	}
}
