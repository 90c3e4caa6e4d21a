package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.StreamAbortMessage;
import io.github.pglogrepl.pgoutput.StreamCommitMessage;
import io.github.pglogrepl.pgoutput.StreamPrepareMessage;
import io.github.pglogrepl.pgoutput.StreamStartMessage;
import io.github.pglogrepl.spring.event.KeepaliveEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.StreamInterruptedEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;

/**
 * The dispatch thread's work: takes batches from the {@link DispatchQueue}, turns each message into events
 * ({@link EventFactory}), publishes them — the listeners run here, synchronously, in stream order — and reports
 * each transaction's end to the {@link Acknowledger} once all its listeners returned. A listener that throws
 * goes to the {@link ReplicationErrorHandler}, with the retry state kept in {@link DeliveryFailures}:
 * <ul>
 * <li>{@link ErrorAction#RETRY}: the rest of the delivery is given up and the reader is asked to redeliver
 * from the acknowledged position after the listener retry backoff;</li>
 * <li>{@link ErrorAction#SKIP}: the failed event is given up and delivery goes on;</li>
 * <li>{@link ErrorAction#STOP}: the stream stops.</li>
 * </ul>
 * When a new connection starts while streamed transactions were delivered in part (blocks delivered, no end),
 * it first publishes a {@link StreamInterruptedEvent} for each: the server sends them again from their start.
 */
final class EventDispatcher implements Runnable {

	private static final Log logger = LogFactory.getLog(EventDispatcher.class);

	private final Object source;

	private final String slotName;

	private final DispatchQueue queue;

	private final EventFactory events;

	private final ApplicationEventPublisher publisher;

	private final ReplicationErrorHandler errorHandler;

	private final Acknowledger acknowledger;

	private final DeliveryFailures failures;

	private final StreamMonitor monitor;

	private final boolean publishRaw;

	private final boolean publishDecoded;

	private final boolean logRowValues;

	private final BooleanSupplier running;

	private final Consumer<Duration> redeliver;

	private final Runnable stopStream;

	private SnapshotCoordinator snapshots;

	/**
	 * Streamed transactions (top-level xids) of which blocks were delivered and whose end was not, in the order
	 * first seen; dispatch thread only. Kept across connections until their {@link StreamInterruptedEvent} was
	 * delivered.
	 */
	private final Set<Long> partiallyStreamed = new LinkedHashSet<>();

	/**
	 * @param source the events' source (the container)
	 * @param properties the stream's properties
	 * @param families which event families are published
	 * @param queue where batches come from
	 * @param events makes the events
	 * @param publisher publishes them
	 * @param errorHandler decides on listener failures
	 * @param acknowledger acknowledges delivered transactions
	 * @param failures the retry state
	 * @param monitor receives counters and errors
	 * @param running whether the stream still runs
	 * @param redeliver asks the reader to redeliver from the acknowledged position after a delay
	 * @param stopStream stops the stream (error handler's {@link ErrorAction#STOP})
	 */
	EventDispatcher(Object source, StreamContainerProperties properties, EventFamilies families, DispatchQueue queue,
			EventFactory events,
			ApplicationEventPublisher publisher, ReplicationErrorHandler errorHandler, Acknowledger acknowledger,
			DeliveryFailures failures, StreamMonitor monitor, BooleanSupplier running, Consumer<Duration> redeliver,
			Runnable stopStream) {
		this.source = source;
		this.slotName = properties.getSlotName();
		this.queue = queue;
		this.events = events;
		this.publisher = publisher;
		this.errorHandler = errorHandler;
		this.acknowledger = acknowledger;
		this.failures = failures;
		this.monitor = monitor;
		this.publishRaw = families.raw();
		this.publishDecoded = families.decoded();
		this.logRowValues = properties.isLogRowValues();
		this.running = running;
		this.redeliver = redeliver;
		this.stopStream = stopStream;
	}

	/**
	 * @param snapshots sees every message first, to merge snapshot chunks into the stream
	 */
	void setSnapshots(SnapshotCoordinator snapshots) {
		this.snapshots = snapshots;
	}

	@Override
	public void run() {
		Delivery delivery = new Delivery();
		while (this.running.getAsBoolean()) {
			DispatchQueue.Entry next;
			try {
				next = this.queue.poll(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			if (next == null) {
				continue;
			}
			try {
				if (next instanceof DispatchQueue.Batch batch) {
					for (Received received : batch.messages()) {
						if (delivery.givenUp || !this.running.getAsBoolean() || !dispatch(received, delivery)) {
							break;
						}
					}
				}
				else {
					// a new connection: the server sends again from its confirmed position
					delivery = new Delivery();
					if (this.snapshots != null) {
						this.snapshots.connectionRestarted();
					}
					voidPartialStreams(delivery);
				}
			}
			finally {
				this.queue.finished();
			}
		}
	}

	/** Delivery state since the last (re)connect. */
	private static final class Delivery {

		final EventFactory.Transaction transaction = new EventFactory.Transaction();

		/** A listener failed and the rest is redelivered on the next connection. */
		boolean givenUp;

	}

	/**
	 * Publishes the events of one received message and acknowledges a transaction's end once delivered.
	 * @return false to stop delivering the current batch
	 */
	private boolean dispatch(Received received, Delivery delivery) {
		if (received instanceof Received.Keepalive keepalive) {
			this.publisher.publishEvent(new KeepaliveEvent(this.source, this.slotName, keepalive.keepalive()));
			return true;
		}
		Received.Change change = (Received.Change) received;
		if (change.message() instanceof StreamStartMessage start) {
			// before its listeners run: from now on they may hold part of it
			this.partiallyStreamed.add(Integer.toUnsignedLong(start.xid()));
		}
		ReplicationEvent current = null;
		try {
			if (this.publishRaw) {
				current = new XLogDataEvent(this.source, this.slotName, change.data());
				this.publisher.publishEvent(current);
			}
			SnapshotCoordinator.Output snapshot = (this.snapshots != null)
					? this.snapshots.seen(change.message(), change.data().walStart()) : null;
			if (snapshot != null) {
				return publishSnapshot(snapshot, change, delivery);
			}
			ReplicationEvent event = this.events.create(change.message(), change.data().walStart(),
					delivery.transaction);
			if (event != null && this.publishDecoded) {
				current = event;
				this.publisher.publishEvent(event);
			}
		}
		catch (RuntimeException | Error ex) {
			if (!handleFailure(current, change, ex, delivery)) {
				return false;
			}
		}
		streamEnded(change.message());
		Lsn end = change.message().transactionEnd();
		if (end != null) {
			this.acknowledger.delivered(end);
			this.monitor.transactionDelivered();
			if (this.failures.delivered()) {
				this.monitor.deliveryRecovered();
			}
		}
		return true;
	}

	/** A streamed transaction's end was delivered: it is no longer delivered in part. */
	private void streamEnded(PgOutputMessage message) {
		if (message instanceof StreamCommitMessage commit) {
			this.partiallyStreamed.remove(Integer.toUnsignedLong(commit.xid()));
		}
		else if (message instanceof StreamAbortMessage abort && abort.xid() == abort.subXid()) {
			this.partiallyStreamed.remove(Integer.toUnsignedLong(abort.xid()));
		}
		else if (message instanceof StreamPrepareMessage prepare) {
			this.partiallyStreamed.remove(Integer.toUnsignedLong(prepare.xid()));
		}
	}

	/**
	 * A new connection starts: tells the listeners that what they received of streamed transactions cut off by
	 * it is void, before anything of the new connection.
	 */
	private void voidPartialStreams(Delivery delivery) {
		if (this.partiallyStreamed.isEmpty()) {
			return;
		}
		if (!this.publishDecoded) {
			this.partiallyStreamed.clear();
			return;
		}
		logger.info("Streamed transaction(s) " + this.partiallyStreamed + " of slot '" + this.slotName
				+ "' were delivered in part before the stream started over: publishing StreamInterruptedEvent for each"
				+ " (their partial delivery is void; the server sends them again from their start)");
		Iterator<Long> xids = this.partiallyStreamed.iterator();
		while (xids.hasNext()) {
			StreamInterruptedEvent event = new StreamInterruptedEvent(this.source, this.slotName, xids.next());
			try {
				this.publisher.publishEvent(event);
			}
			catch (RuntimeException | Error ex) {
				// RETRY or STOP: this one and the rest are published again on the next connection
				if (!handleFailure(event, event.toString(), this.acknowledger.flushed(), ex, delivery)) {
					return;
				}
			}
			xids.remove();
		}
	}

	/**
	 * Publishes what the snapshot coordinator put in the place of a message (a chunk's rows at its high
	 * watermark; nothing for a hidden message). Snapshot messages end no transaction.
	 * @return false to stop delivering the current batch
	 */
	private boolean publishSnapshot(SnapshotCoordinator.Output output, Received.Change change, Delivery delivery) {
		while (output.events.hasNext()) {
			ReplicationEvent event = output.events.next();
			try {
				this.publisher.publishEvent(event);
			}
			catch (RuntimeException | Error ex) {
				if (!handleFailure(event, change, ex, delivery)) {
					output.failed();
					return false;
				}
			}
		}
		output.delivered();
		return true;
	}

	/**
	 * @return whether delivery goes on ({@link ErrorAction#SKIP})
	 */
	private boolean handleFailure(ReplicationEvent event, Received.Change change, Throwable ex, Delivery delivery) {
		String description = (event != null) ? event.describe(this.logRowValues)
				: change.message().messageType() + " at " + change.data().walStart();
		return handleFailure(event, description, change.data().walStart(), ex, delivery);
	}

	/**
	 * @return whether delivery goes on ({@link ErrorAction#SKIP})
	 */
	private boolean handleFailure(ReplicationEvent event, String description, Lsn position, Throwable ex,
			Delivery delivery) {
		StreamState.DeliveryFailure failure = this.failures.failed(position,
				"Listener failed on " + description + ": " + ex);
		this.monitor.deliveryFailed(failure);
		ErrorAction action = this.errorHandler.handle(event, ex, failure.attempts());
		if (action == ErrorAction.SKIP) {
			// the handler has recorded the event (e.g. in a dead-letter store); the transaction goes on
			logger.warn("Skipping " + description + " after a listener failure, as the error handler asked");
			return true;
		}
		// before the batch is finished, so the reader never advances past the failed transaction
		this.acknowledger.deliveryInterrupted();
		delivery.givenUp = true;
		if (action == ErrorAction.STOP) {
			logger.error("Stopping the replication stream of slot '" + this.slotName + "' as the error handler asked");
			this.stopStream.run();
		}
		else {
			this.redeliver.accept(this.failures.nextDelay());
		}
		return false;
	}

}
