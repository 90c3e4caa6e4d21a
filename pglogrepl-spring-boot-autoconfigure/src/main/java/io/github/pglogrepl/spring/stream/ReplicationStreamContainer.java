package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.Assert;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;
import io.github.pglogrepl.spring.snapshot.Snapshots;
import io.github.pglogrepl.pgoutput.PgOutputMessageType;
import io.github.pglogrepl.spring.event.ReplicationEventSource;

/**
 * Streams one logical replication slot and publishes its changes as Spring events: the lifecycle owner of a
 * stream. It wires the parts, each with one responsibility, and reports their {@link #state()}:
 * <ul>
 * <li>{@link ServerSetup} checks the server and creates slot and publications at {@link #start()} (caller's
 * thread);</li>
 * <li>the reader ({@code pglogrepl-io-<stream>} thread) owns the replication connection: reads, decodes,
 * batches, answers keepalives, sends status updates and reconnects;</li>
 * <li>a bounded {@link DispatchQueue} hands batches to the dispatcher ({@code pglogrepl-dispatch-<stream>}
 * thread), which publishes the events — listeners run there, synchronously, in stream order — and applies the
 * {@link ReplicationErrorHandler};</li>
 * <li>the {@link Acknowledger} is the one place where the flushed position (what the slot confirms) moves;</li>
 * <li>the publication watchdog ({@code pglogrepl-watchdog-<stream>} thread) reports a dropped publication.</li>
 * </ul>
 * A slow listener therefore never delays status updates, and nothing is acknowledged before its listeners
 * returned (at-least-once, in commit order).
 *
 * <p>Build one with {@link StreamContainerProperties} — the auto-configuration does, from {@code pglogrepl.*}
 * — then set the optional parts before it starts. {@link #start()} and {@link #stop()} are called by the
 * application context (phase {@link StreamContainerProperties#DEFAULT_PHASE}: late in startup, early in
 * shutdown); {@link #state()} and {@link #acknowledgement()} from any thread.
 */
public class ReplicationStreamContainer implements SmartLifecycle, ReplicationEventSource {

	private static final Log logger = LogFactory.getLog(ReplicationStreamContainer.class);

	private final StreamContainerProperties properties;

	private final ApplicationEventPublisher publisher;

	private final Acknowledger acknowledger;

	private final StreamMonitor monitor;

	private final FailoverTracker failovers;

	/** The last {@link #failoverReadiness()}, kept for {@link #FAILOVER_CHECK_INTERVAL}. */
	private volatile FailoverReadiness failoverReadiness;

	private ReplicationErrorHandler errorHandler = new DefaultReplicationErrorHandler();

	private RowTypeRegistry rowTypes = new RowTypeRegistry();

	private ListenedEventTypes listenedEventTypes = new ListenedEventTypes();

	private ConversionService conversionService;

	private StreamConnectionFactory connectionFactory;

	private io.github.pglogrepl.spring.outbox.OutboxCodec outboxCodec;

	private OutboxPayloadTypes outboxPayloadTypes = new OutboxPayloadTypes();

	private boolean autoStartup = true;

	private int phase = StreamContainerProperties.DEFAULT_PHASE;

	private volatile boolean running;

	/** The parts of one run (start to stop); {@code null} when not running. */
	private volatile Run run;

	/**
	 * Creates a container.
	 * @param properties what to stream and how (read at {@link #start()})
	 * @param publisher where events are published
	 */
	public ReplicationStreamContainer(StreamContainerProperties properties, ApplicationEventPublisher publisher) {
		Assert.notNull(properties, "properties must not be null");
		Assert.notNull(publisher, "publisher must not be null");
		this.properties = properties;
		this.publisher = publisher;
		// the mode is read when used, not now: customizers (the Kafka relay's: manual) set it after construction
		this.acknowledger = new Acknowledger(properties::getAckMode, Lsn.INVALID);
		this.monitor = new StreamMonitor(properties.getStreamName(), properties.getSlotName());
		this.failovers = new FailoverTracker(properties.getSlotName());
	}

	/**
	 * @param errorHandler what to do when a listener throws (default: {@link DefaultReplicationErrorHandler})
	 */
	public void setErrorHandler(ReplicationErrorHandler errorHandler) {
		Assert.notNull(errorHandler, "errorHandler must not be null");
		this.errorHandler = errorHandler;
	}

	/**
	 * @param rowTypes which Java type rows of each table map to (default: none, every row is a {@code ChangeRow})
	 */
	public void setRowTypeRegistry(RowTypeRegistry rowTypes) {
		Assert.notNull(rowTypes, "rowTypes must not be null");
		this.rowTypes = rowTypes;
	}

	/**
	 * @param listenedEventTypes the event types the application listens to (decides {@code XLogDataEvent} and
	 * {@code KeepaliveEvent} when the properties leave them open)
	 */
	public void setListenedEventTypes(ListenedEventTypes listenedEventTypes) {
		Assert.notNull(listenedEventTypes, "listenedEventTypes must not be null");
		this.listenedEventTypes = listenedEventTypes;
	}

	/**
	 * @param conversionService converts column values for {@code ChangeRow.get(column, type)} and row mapping
	 */
	public void setConversionService(ConversionService conversionService) {
		this.conversionService = conversionService;
	}

	/**
	 * @param connectionFactory where connections come from (default: {@link JdbcStreamConnectionFactory})
	 */
	public void setConnectionFactory(StreamConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * @param codec reads outbox events (messages with its prefix) into {@code OutboxEvent}s; {@code null} (the
	 * default without Jackson): no outbox events
	 * @param payloadTypes the payload type of each outbox event type (from the application's listeners)
	 */
	public void setOutbox(io.github.pglogrepl.spring.outbox.OutboxCodec codec, OutboxPayloadTypes payloadTypes) {
		this.outboxCodec = codec;
		this.outboxPayloadTypes = (payloadTypes != null) ? payloadTypes : new OutboxPayloadTypes();
	}

	/**
	 * @return where connections come from
	 */
	public StreamConnectionFactory getConnectionFactory() {
		StreamConnectionFactory factory = this.connectionFactory;
		if (factory == null) {
			factory = new JdbcStreamConnectionFactory(this.properties);
			this.connectionFactory = factory;
		}
		return factory;
	}

	/**
	 * @param autoStartup whether the application context starts the container ({@code true} by default)
	 */
	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	/**
	 * @param phase the lifecycle phase (default {@link StreamContainerProperties#DEFAULT_PHASE})
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * @return the properties
	 */
	public StreamContainerProperties getContainerProperties() {
		return this.properties;
	}

	@Override
	public String streamName() {
		return this.properties.getStreamName();
	}

	/**
	 * @return the acknowledgement API (used in {@link AckMode#MANUAL})
	 */
	public Acknowledgement acknowledgement() {
		return this.acknowledger;
	}

	/**
	 * Checks the server and configuration, sets up slot and publications, and starts streaming.
	 * @throws ReplicationSetupException if the configuration or server setup is wrong
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		StreamContainerProperties props = this.properties;
		StreamConnectionFactory connections = getConnectionFactory();
		ServerSetup.Result setup = ServerSetup.run(props, connections);
		if (setup.confirmedFlush() != null) {
			this.acknowledger.restart(setup.confirmedFlush());
		}
		// health and the endpoint show the slot's position and the server's WAL end before the first message
		this.monitor.starting(this.acknowledger.flushed(), setup.serverWalEnd());
		Run next = new Run(props, connections, setup);
		if (props.isTemporarySlot()) {
			try {
				next.reader.createTemporarySlot();
			}
			catch (SQLException ex) {
				throw new ReplicationSetupException("Creating the temporary replication slot '" + props.getSlotName()
						+ "' failed: " + ex.getMessage(),
						"Check that max_replication_slots and max_wal_senders leave room for this connection.", ex);
			}
		}
		this.monitor.status(StreamStatus.CONNECTING);
		this.run = next;
		this.running = true;
		next.start();
		if (setup.slotRecreatedAfter() != null) {
			slotRecreated(setup.slotRecreatedAfter());
		}
	}

	/**
	 * The slot was created again after it was lost (at startup, or by the I/O thread while running): counted, and
	 * with {@link SlotLossPolicy#RECREATE_AND_SNAPSHOT} every published table is backfilled — on a thread of its
	 * own, so the I/O thread does not wait for the snapshot's start.
	 */
	private void slotRecreated(SlotLoss loss) {
		this.monitor.slotRecreated();
		if (this.properties.getSlotLossPolicy() != SlotLossPolicy.RECREATE_AND_SNAPSHOT) {
			return;
		}
		Thread starter = new Thread(() -> {
			try {
				SnapshotProgress progress = this.snapshots.start(new SnapshotRequest(List.of(), null));
				logger.info("Snapshot " + progress.id() + " of every published table started after replication slot '"
						+ loss.slot() + "' was created again (pglogrepl.slot.on-lost=recreate-and-snapshot)");
			}
			catch (RuntimeException ex) {
				logger.error("The snapshot after replication slot '" + loss.slot() + "' was created again "
						+ "(pglogrepl.slot.on-lost=recreate-and-snapshot) could not start: " + ex.getMessage()
						+ ". Start it with Snapshots.start (or the pglogrepl actuator endpoint) to repair the consumer's state.",
						ex);
			}
		}, "pglogrepl-slot-recreated-" + streamName());
		starter.setDaemon(true);
		starter.start();
	}

	/**
	 * @return how often the slot was created again after it was lost ({@code pglogrepl.slot.on-lost}), any thread
	 */
	public long slotRecreations() {
		return this.monitor.slotRecreations();
	}

	/**
	 * Stops after the event being delivered: sends a final status update with the acknowledged position and
	 * closes the connection (dropping the slot if configured). Waits at most
	 * {@link StreamContainerProperties#getShutdownTimeout()}, then interrupts the stream's threads and drops
	 * the connection.
	 */
	@Override
	public void stop() {
		Run current = beginStop();
		if (current != null) {
			current.awaitStop();
		}
	}

	/**
	 * Stops like {@link #stop()} without blocking the caller, and runs {@code callback} once stopped.
	 * @param callback run when the container has stopped
	 */
	@Override
	public void stop(Runnable callback) {
		Run current = beginStop();
		if (current == null) {
			callback.run();
			return;
		}
		Thread stopper = new Thread(() -> {
			try {
				current.awaitStop();
			}
			finally {
				callback.run();
			}
		}, "pglogrepl-stop-" + streamName());
		stopper.start();
	}

	private synchronized Run beginStop() {
		if (!this.running) {
			return null;
		}
		Run current = this.run;
		// before the dispatcher can see the stop and give up what it holds: the idle advance must not skip it
		this.acknowledger.deliveryInterrupted();
		this.running = false;
		current.beginStop();
		return current;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * @return a snapshot of the stream's state (any thread)
	 */
	public StreamState state() {
		return this.monitor.state(this.acknowledger.flushed());
	}

	/**
	 * @return this stream's snapshots: start a backfill, list, cancel (while the stream runs)
	 */
	public Snapshots snapshots() {
		return this.snapshots;
	}

	private final Snapshots snapshots = new Snapshots() {

		private SnapshotCoordinator coordinator() {
			Run current = ReplicationStreamContainer.this.run;
			SnapshotCoordinator coordinator = (current != null && isRunning()) ? current.snapshots : null;
			if (coordinator == null) {
				throw new SnapshotRequestException("Stream '" + streamName() + "' is not running"
						+ (ReplicationStreamContainer.this.properties.getSnapshot().isEnabled() ? ""
								: " with snapshots (pglogrepl.snapshot.enabled=false)"));
			}
			return coordinator;
		}

		@Override
		public SnapshotProgress start(SnapshotRequest request) {
			return coordinator().start(request);
		}

		@Override
		public List<SnapshotProgress> list() {
			Run current = ReplicationStreamContainer.this.run;
			return (current != null && current.snapshots != null) ? current.snapshots.list() : List.of();
		}

		@Override
		public Optional<SnapshotProgress> get(String id) {
			Run current = ReplicationStreamContainer.this.run;
			return (current != null && current.snapshots != null) ? current.snapshots.get(id) : Optional.empty();
		}

		@Override
		public Optional<SnapshotProgress> cancel(String id) {
			return coordinator().cancel(id);
		}

	};

	/** Snapshot counters over every run of this container (meters need monotonic counts). */
	final SnapshotCoordinator.Counters snapshotCounters = new SnapshotCoordinator.Counters();

	/**
	 * @return rows delivered as {@code SnapshotEvent}s since the container was created
	 */
	public long snapshotRows() {
		return this.snapshotCounters.rows.get();
	}

	/**
	 * @return snapshot chunks delivered since the container was created
	 */
	public long snapshotChunks() {
		return this.snapshotCounters.chunks.get();
	}

	/**
	 * @return snapshot chunks read again (a reconnect, a listener failure, a transaction invisible to the read)
	 * since the container was created
	 */
	public long snapshotChunksReadAgain() {
		return this.snapshotCounters.chunksReadAgain.get();
	}

	/**
	 * @return tables of running snapshots not finished yet
	 */
	public long snapshotTablesRemaining() {
		Run current = this.run;
		return (current != null && current.snapshots != null) ? current.snapshots.tablesRemaining() : 0;
	}

	/**
	 * @param type a pgoutput message kind
	 * @return how many messages of that kind were received
	 */
	public long messageCount(PgOutputMessageType type) {
		return this.monitor.messageCount(type);
	}

	/** How long a {@link #failoverReadiness()} is reused before the servers are asked again. */
	public static final Duration FAILOVER_CHECK_INTERVAL = Duration.ofSeconds(10);

	/**
	 * Whether the slot would survive a promotion of a standby (with {@code pglogrepl.slot.failover=true}): the
	 * primary's {@code synchronized_standby_slots} and, for a multi-host URL, each standby's copy of the slot.
	 * The servers are asked at most every {@link #FAILOVER_CHECK_INTERVAL}; any thread (health, the endpoint).
	 * @return the last check, or {@code null} when the slot is not configured as a failover slot
	 */
	public FailoverReadiness failoverReadiness() {
		if (!this.properties.isSlotFailover()) {
			return null;
		}
		FailoverReadiness last = this.failoverReadiness;
		if (last == null || last.checkedAt().plus(FAILOVER_CHECK_INTERVAL).isBefore(java.time.Instant.now())) {
			last = FailoverReadiness.check(this.properties, getConnectionFactory());
			this.failoverReadiness = last;
		}
		return last;
	}

	/**
	 * @return the timelines streamed on and the failovers followed (any thread)
	 */
	public FailoverHistory failoverHistory() {
		return this.failovers.history();
	}

	/** The threads and parts of one run, from start to stop. */
	private final class Run {

		private final StreamReader reader;

		private final EventDispatcher dispatcher;

		private final PublicationWatchdog watchdog;

		private final SnapshotCoordinator snapshots;

		private final Thread readerThread;

		private final Thread dispatchThread;

		private volatile long stopDeadline;

		Run(StreamContainerProperties props, StreamConnectionFactory connections, ServerSetup.Result setup) {
			ReplicationStreamContainer container = ReplicationStreamContainer.this;
			DispatchQueue queue = new DispatchQueue(props.getQueueCapacity(), container.acknowledger);
			EventFamilies families = EventFamilies.decide(props, container.listenedEventTypes);
			this.reader = new StreamReader(props, families.keepalive(), connections, setup.pgoutput(), container.acknowledger, queue,
					container.monitor, container::isRunning, this::awaitDispatcher, this::stopFromStreamThread,
					container.failovers, container::slotRecreated);
			DeliveryFailures failures = new DeliveryFailures((props.getListenerRetryBackOff() != null)
					? props.getListenerRetryBackOff() : props.getReconnectBackOff());
			EventFactory events = new EventFactory(container, props.getSlotName(), container.rowTypes,
					container.conversionService, props.isPrimitivesDefaultedForNullValue());
			events.setPublishMessages(props.isMessages());
			if (props.isOutboxEnabled() && container.outboxCodec != null) {
				events.setOutbox(container.outboxCodec, container.outboxPayloadTypes);
			}
			this.dispatcher = new EventDispatcher(container, props, families, queue, events, container.publisher,
					container.errorHandler, container.acknowledger, failures, container.monitor, container::isRunning,
					this.reader::redeliver, this::stopFromStreamThread);
			if (props.getSnapshot().isEnabled()) {
				this.snapshots = new SnapshotCoordinator(container, props, connections, events,
						container.snapshotCounters);
				this.dispatcher.setSnapshots(this.snapshots);
			}
			else {
				this.snapshots = null;
			}
			this.watchdog = new PublicationWatchdog(props.getStreamName(), props.getPublications(), connections,
					container.monitor, props.getStatusInterval());
			this.readerThread = new Thread(this.reader, "pglogrepl-io-" + props.getStreamName());
			this.dispatchThread = new Thread(this.dispatcher, "pglogrepl-dispatch-" + props.getStreamName());
		}

		void start() {
			this.dispatchThread.start();
			this.readerThread.start();
			this.watchdog.start();
			if (this.snapshots != null) {
				this.snapshots.start();
			}
		}

		void beginStop() {
			this.stopDeadline = System.nanoTime()
					+ ReplicationStreamContainer.this.properties.getShutdownTimeout().toNanos();
			this.watchdog.stop();
		}

		/**
		 * The stream ends itself (dispatch thread: the error handler said STOP; I/O thread: the reconnect backoff
		 * ran out): stop without waiting for the calling thread.
		 */
		private void stopFromStreamThread() {
			ReplicationStreamContainer.this.stop((() -> {
			}));
		}

		/** Reader, at a graceful stop: the final status update waits for the dispatcher, up to the deadline. */
		private void awaitDispatcher() {
			join(this.dispatchThread, this.stopDeadline);
		}

		void awaitStop() {
			if (this.snapshots != null) {
				this.snapshots.stop(Duration.ofNanos(Math.max(0, this.stopDeadline - System.nanoTime())));
			}
			join(this.readerThread, this.stopDeadline);
			join(this.dispatchThread, this.stopDeadline);
			if (this.readerThread.isAlive() || this.dispatchThread.isAlive()) {
				logger.warn("Replication stream '" + streamName() + "' did not stop within "
						+ ReplicationStreamContainer.this.properties.getShutdownTimeout()
						+ " (pglogrepl.shutdown-timeout): interrupting it and closing its connection");
				this.reader.abortConnection();
				this.readerThread.interrupt();
				this.dispatchThread.interrupt();
				long grace = System.nanoTime() + Duration.ofSeconds(1).toNanos();
				join(this.readerThread, grace);
				join(this.dispatchThread, grace);
			}
			ReplicationStreamContainer.this.monitor.status(StreamStatus.STOPPED);
		}

		private static void join(Thread thread, long deadlineNanos) {
			if (thread == Thread.currentThread()) {
				return;
			}
			try {
				long left = deadlineNanos - System.nanoTime();
				while (thread.isAlive() && left > 0) {
					thread.join(Math.max(1, left / 1_000_000));
					left = deadlineNanos - System.nanoTime();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
