package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.SnapshotAction;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.BeginMessage;
import io.github.pglogrepl.pgoutput.BeginPrepareMessage;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.CommitPreparedMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.pgoutput.PrepareMessage;
import io.github.pglogrepl.pgoutput.RollbackPreparedMessage;
import io.github.pglogrepl.pgoutput.StreamCommitMessage;
import io.github.pglogrepl.pgoutput.StreamPrepareMessage;
import io.github.pglogrepl.protocol.PgTimestamps;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;
import io.github.pglogrepl.spring.event.KeepaliveEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;

/**
 * Streams one logical replication slot and publishes its changes as Spring events.
 *
 * <p><b>Threads.</b> An I/O thread owns the replication connection: it reads (never blocking inside the
 * driver), decodes, answers keepalives at once, sends a status update every {@code status-interval}, and
 * hands messages to a bounded queue in batches (up to 256 messages; a batch is handed over when it is full,
 * when nothing more arrived within a millisecond, or once its first message waited 200 µs while the dispatcher
 * is idle: one thread wake-up per batch, not per message). A dispatch thread takes them from the queue and
 * publishes the events; listeners run on it, synchronously. A slow listener therefore never delays status
 * updates: while the queue is full the I/O thread keeps sending status updates every second, so the
 * server's {@code wal_sender_timeout} does not end the connection.
 *
 * <p><b>Acknowledgement.</b> The flushed position sent to the server advances only in {@link AckTracker}:
 * to a transaction's end after every listener of it returned ({@link AckMode#AUTO}), or when the
 * application acknowledges ({@link AckMode#MANUAL}).
 *
 * <p><b>Failures.</b> A lost connection is re-established with exponential backoff and streaming resumes
 * from the server's confirmed position, so unacknowledged transactions are delivered again (at-least-once).
 * A slot held by another connection ("is active for PID") is retried the same way, which makes a second
 * instance a hot standby. A listener exception goes to the {@link ReplicationErrorHandler}.
 */
public class ReplicationStreamContainer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ReplicationStreamContainer.class);

	private static final Duration BACKPRESSURE_HEARTBEAT = Duration.ofSeconds(1);

	/** After the acknowledged position moved, it is reported at most this often (fewer redeliveries). */
	private static final long ACK_REPORT_DELAY_NANOS = 100_000_000L;

	private static final Object RESET = new Object();

	/** Messages handed to the dispatch thread at once (fewer thread wake-ups); the queue holds batches. */
	private static final int BATCH = 256;

	/**
	 * While the dispatcher is idle, messages are handed to it once the oldest has waited this long (or
	 * nothing more arrived within about a millisecond): one wake-up per batch rather than per message, at a
	 * latency cost well under a millisecond.
	 */
	private static final long HANDOFF_NANOS = 200_000L;

	private final StreamSettings settings;

	private final ApplicationEventPublisher publisher;

	private final ReplicationErrorHandler errorHandler;

	private final EventFactory events;

	private final AckTracker ack;

	private final BlockingQueue<Object> queue;

	private final AtomicLong inFlight = new AtomicLong();

	private final LongAdder[] messageCounts = new LongAdder[128];

	private final LongAdder transactions = new LongAdder();

	private final LongAdder reconnects = new LongAdder();

	private volatile boolean running;

	private volatile StreamStatus status = StreamStatus.NEW;

	private volatile String lastError;

	private volatile Instant streamingSince;

	private volatile Lsn receivedLsn = Lsn.INVALID;

	private volatile Lsn serverWalEnd = Lsn.INVALID;

	private volatile Lsn newestCommitEnd = Lsn.INVALID;

	private volatile long newestCommitTimeMicros;

	private volatile boolean reconnectRequested;

	private volatile boolean reachedStreaming;

	/** Position and count of consecutive listener failures (dispatch thread; kept across reconnects). */
	private Lsn failedAt;

	private int failureAttempts;

	private volatile PgOutputOptions pgoutput;

	private Thread ioThread;

	private java.util.concurrent.ScheduledExecutorService watchdog;

	/** The publication check's connection (watchdog thread only, closed on stop). */
	private volatile java.sql.Connection watchdogConnection;

	private volatile String problem;

	private ReplicationConnection initialConnection;

	private Lsn temporarySlotStart;

	private Thread dispatchThread;

	/**
	 * Creates a container.
	 * @param settings the settings
	 * @param publisher where events are published
	 * @param errorHandler what to do when a listener throws
	 * @param rowTypes row types of tables, for typed events
	 * @param conversionService used to convert column values
	 */
	public ReplicationStreamContainer(StreamSettings settings, ApplicationEventPublisher publisher,
			ReplicationErrorHandler errorHandler, RowTypeRegistry rowTypes, ConversionService conversionService) {
		this.settings = settings;
		this.publisher = publisher;
		this.errorHandler = errorHandler;
		this.events = new EventFactory(this, settings.slotName(), rowTypes, conversionService);
		this.ack = new AckTracker(settings.ackMode(), Lsn.INVALID);
		for (int i = 0; i < this.messageCounts.length; i++) {
			this.messageCounts[i] = new LongAdder();
		}
		this.queue = new ArrayBlockingQueue<>(Math.max(2, (settings.queueCapacity() + BATCH - 1) / BATCH));
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
		ServerSetup.Result setup = ServerSetup.run(this.settings);
		this.pgoutput = setup.pgoutput();
		if (setup.confirmedFlush() != null) {
			this.ack.reset(setup.confirmedFlush());
		}
		if (this.settings.temporarySlot()) {
			// create the temporary slot before start() returns, so that no change made after startup is missed
			try {
				ReplicationConnection connection = ReplicationConnection.open(this.settings.jdbcUrl(),
						this.settings.connectionProperties());
				try {
					this.temporarySlotStart = createTemporarySlot(connection);
				}
				catch (SQLException | RuntimeException ex) {
					connection.close();
					throw ex;
				}
				this.initialConnection = connection;
			}
			catch (SQLException ex) {
				throw new ReplicationSetupException("Creating the temporary replication slot '"
						+ this.settings.slotName() + "' failed: " + ex.getMessage(),
						"Check that max_replication_slots and max_wal_senders leave room for this connection.", ex);
			}
		}
		this.running = true;
		this.status = StreamStatus.CONNECTING;
		this.dispatchThread = new Thread(this::dispatchLoop, "pglogrepl-dispatch-" + this.settings.slotName());
		this.ioThread = new Thread(this::ioLoop, "pglogrepl-io-" + this.settings.slotName());
		this.dispatchThread.start();
		this.ioThread.start();
		this.watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pglogrepl-watchdog-" + this.settings.slotName());
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.max(1000, this.settings.statusInterval().toMillis());
		this.watchdog.scheduleWithFixedDelay(this::checkPublications, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * A dropped publication is not an error for every server version (PostgreSQL 18 only logs a warning and
	 * sends nothing for it), so the container checks that its publications still exist and reports a
	 * problem (health DOWN, logged once) when one is missing. The check keeps one ordinary connection open
	 * (application name ending in {@code -watchdog}) and opens a new one only after a failure.
	 */
	private void checkPublications() {
		try {
			java.sql.Connection c = this.watchdogConnection;
			if (c == null) {
				java.util.Properties props = new java.util.Properties();
				props.putAll(this.settings.connectionProperties());
				props.setProperty("ApplicationName", props.getProperty("ApplicationName", "pglogrepl") + "-watchdog");
				// a check stuck on a stalled network fails (and reconnects next time) instead of hanging forever
				props.setProperty("socketTimeout", "30");
				c = java.sql.DriverManager.getConnection(this.settings.jdbcUrl(), props);
				this.watchdogConnection = c;
			}
			java.util.List<String> missing = new java.util.ArrayList<>();
			try (java.sql.PreparedStatement ps = c
				.prepareStatement("SELECT count(*) FROM pg_publication WHERE pubname = ?")) {
				for (String name : this.settings.publications()) {
					ps.setString(1, name);
					try (java.sql.ResultSet rs = ps.executeQuery()) {
						rs.next();
						if (rs.getLong(1) == 0) {
							missing.add(name);
						}
					}
				}
			}
			String found = missing.isEmpty() ? null
					: "Publication(s) " + missing + " (pglogrepl.publication.names) no longer exist: their changes are not streamed";
			if (found != null && !found.equals(this.problem)) {
				logger.error(found + ". Create them again (CREATE PUBLICATION ...) or fix pglogrepl.publication.names.");
			}
			this.problem = found;
		}
		catch (java.sql.SQLException ex) {
			// connection problems are reported by the stream itself; connect again at the next check
			closeWatchdogConnection();
		}
	}

	private void closeWatchdogConnection() {
		java.sql.Connection c = this.watchdogConnection;
		this.watchdogConnection = null;
		if (c != null) {
			try {
				c.close();
			}
			catch (java.sql.SQLException ex) {
				// already broken
			}
		}
	}

	/**
	 * Stops after the event being delivered: sends a final status update with the acknowledged position and
	 * closes the connection (dropping the slot if configured).
	 */
	@Override
	public void stop() {
		Thread io;
		Thread dispatch;
		synchronized (this) {
			if (!this.running) {
				return;
			}
			this.running = false;
			io = this.ioThread;
			dispatch = this.dispatchThread;
		}
		if (this.watchdog != null) {
			this.watchdog.shutdownNow();
			try {
				this.watchdog.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			closeWatchdogConnection();
		}
		join(dispatch, Duration.ofSeconds(30));
		join(io, Duration.ofSeconds(30));
		this.status = StreamStatus.STOPPED;
	}

	private static void join(Thread thread, Duration timeout) {
		if (thread == null || thread == Thread.currentThread()) {
			return;
		}
		try {
			thread.join(timeout.toMillis());
			if (thread.isAlive()) {
				thread.interrupt();
				thread.join(timeout.toMillis());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Starts late and stops early, so that the rest of the application is ready for events.
	 * @return the phase
	 */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1000;
	}

	/**
	 * @return the acknowledgement API (used in {@link AckMode#MANUAL})
	 */
	public Acknowledgement acknowledgement() {
		return this.ack;
	}

	/**
	 * @return the settings
	 */
	public StreamSettings settings() {
		return this.settings;
	}

	/**
	 * @return a snapshot of the stream's state
	 */
	public StreamState state() {
		Lsn flushed = this.ack.flushed();
		Lsn walEnd = this.serverWalEnd;
		long lagBytes = (walEnd.isValid() && walEnd.isAfter(flushed)) ? walEnd.bytesSince(flushed) : 0;
		double lagSeconds = 0;
		if (this.newestCommitEnd.isAfter(flushed) && this.newestCommitTimeMicros != 0) {
			lagSeconds = Math.max(0, (PgTimestamps.nowPgMicros() - this.newestCommitTimeMicros) / 1_000_000.0);
		}
		Map<String, Long> messages = new TreeMap<>();
		for (int type = 0; type < this.messageCounts.length; type++) {
			long count = this.messageCounts[type].sum();
			if (count > 0) {
				messages.put(EventFactory.typeName((char) type), count);
			}
		}
		return new StreamState(this.status, this.settings.slotName(), this.receivedLsn, flushed, walEnd, lagBytes,
				lagSeconds, messages, this.transactions.sum(), this.reconnects.sum(), this.lastError,
				this.streamingSince, this.problem);
	}

	/**
	 * @param type a pgoutput message type character
	 * @return how many messages of that type were received
	 */
	public long messageCount(char type) {
		return (type < this.messageCounts.length) ? this.messageCounts[type].sum() : 0;
	}

	// ---------------------------------------------------------------- I/O thread

	private void ioLoop() {
		Duration backoff = this.settings.reconnectInitial();
		boolean first = true;
		while (this.running) {
			this.status = StreamStatus.CONNECTING;
			this.reachedStreaming = false;
			ReplicationConnection initial = this.initialConnection;
			this.initialConnection = null;
			ReplicationConnection connection = null;
			try {
				connection = (initial != null) ? initial
						: ReplicationConnection.open(this.settings.jdbcUrl(), this.settings.connectionProperties());
				stream(connection, first);
				first = false;
				backoff = this.settings.reconnectInitial();
				connection.close();
			}
			catch (SQLException | RuntimeException ex) {
				// a failed connection may be stalled: drop it without the CopyDone handshake, which could wait
				abort(connection);
				if (!this.running) {
					break;
				}
				if (this.reachedStreaming) {
					// the connection worked before it failed: start the backoff over
					backoff = this.settings.reconnectInitial();
				}
				String message = ex.getMessage();
				boolean standby = message != null && message.contains("is active for PID");
				this.status = standby ? StreamStatus.STANDBY : StreamStatus.RECONNECTING;
				this.lastError = message;
				this.streamingSince = null;
				if (standby) {
					logger.info("Slot '" + this.settings.slotName() + "' is in use by another connection; standing by ("
							+ message + ")");
				}
				else {
					logger.warn("Replication stream of slot '" + this.settings.slotName() + "' failed, reconnecting in "
							+ backoff.toMillis() + " ms: " + message);
				}
				resetQueue();
				sleep(backoff);
				backoff = nextBackoff(backoff);
				if (!standby) {
					this.reconnects.increment();
				}
			}
			if (this.reconnectRequested && this.running) {
				// a listener failed: back off by the number of failures in a row at the same position
				this.reconnectRequested = false;
				this.reconnects.increment();
				resetQueue();
				sleep(listenerRetryBackoff());
			}
		}
		this.status = StreamStatus.STOPPED;
	}

	private Duration listenerRetryBackoff() {
		Duration delay = this.settings.reconnectInitial();
		for (int i = 1; i < this.failureAttempts; i++) {
			delay = nextBackoff(delay);
		}
		return delay;
	}

	private static void abort(ReplicationConnection connection) {
		if (connection == null) {
			return;
		}
		try {
			connection.jdbcConnection().abort(Runnable::run);
		}
		catch (SQLException | RuntimeException ex) {
			// already broken
		}
	}

	private Duration nextBackoff(Duration current) {
		long next = (long) (current.toMillis() * this.settings.reconnectMultiplier());
		return Duration.ofMillis(Math.min(Math.max(next, 1), this.settings.reconnectMax().toMillis()));
	}

	private void sleep(Duration duration) {
		long end = System.nanoTime() + duration.toNanos();
		while (this.running && System.nanoTime() < end) {
			try {
				Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private void resetQueue() {
		java.util.List<Object> dropped = new java.util.ArrayList<>();
		this.queue.drainTo(dropped);
		this.inFlight.addAndGet(-dropped.size());
	}

	private void stream(ReplicationConnection connection, boolean first) throws SQLException {
		String slot = this.settings.slotName();
		Lsn start = Lsn.INVALID;
		if (this.settings.temporarySlot()) {
			if (this.temporarySlotStart != null) {
				// the slot created by start() lives on the initial connection, used once: this one
				start = this.temporarySlotStart;
				this.temporarySlotStart = null;
			}
			else {
				// a new connection: the previous temporary slot vanished with the old one
				start = createTemporarySlot(connection);
			}
		}
		else if (first && this.settings.startLsn() != null) {
			start = this.settings.startLsn();
		}
		ReplicationStream stream = connection
			.startReplication(StartReplicationCommand.logical(slot, start).pgoutput(this.pgoutput));
		PgOutputDecoder decoder = new PgOutputDecoder();
		enqueue(RESET);
		this.status = StreamStatus.STREAMING;
		this.reachedStreaming = true;
		this.streamingSince = Instant.now();
		this.lastError = null;
		long intervalNanos = this.settings.statusInterval().toNanos();
		long receiveTimeoutNanos = this.settings.receiveTimeout().toNanos();
		long lastStatus = System.nanoTime();
		long lastHeard = System.nanoTime();
		boolean pinged = false;
		boolean txnOpen = false;
		// messages read but not yet handed over: a batch being filled, and a full one waiting for room
		java.util.List<Object> building = new java.util.ArrayList<>(BATCH);
		java.util.List<Object> pending = null;
		long buildingSince = 0;
		Lsn lastSentFlush = this.ack.flushed();
		try {
			while (this.running && !this.reconnectRequested) {
				long now = System.nanoTime();
				Lsn flushed = this.ack.flushed();
				boolean due = now - lastStatus >= intervalNanos;
				if (due || (pending != null && now - lastStatus >= BACKPRESSURE_HEARTBEAT.toNanos())) {
					sendStatus(stream, flushed, false);
					lastStatus = now;
					lastSentFlush = flushed;
				}
				if (pending != null) {
					if (offer(pending)) {
						pending = null;
					}
					// not reading while the listeners catch up: silence from the server is expected
					lastHeard = System.nanoTime();
					continue;
				}
				ReplicationMessage message = building.isEmpty() ? stream.read(Duration.ofMillis(50)) : stream.readPending();
				if (message == null && !building.isEmpty()) {
					// nothing more arrived at once: hand over what we have (no latency added)
					pending = building;
					building = new java.util.ArrayList<>(BATCH);
					continue;
				}
				if (message == null) {
					if (!stream.isActive()) {
						throw new SQLException("The server ended the replication stream", "08006");
					}
					long silence = System.nanoTime() - lastHeard;
					if (receiveTimeoutNanos > 0 && silence >= receiveTimeoutNanos) {
						throw new SQLException("No message from the server for " + Duration.ofNanos(silence).toMillis()
								+ " ms (pglogrepl.receive-timeout): the connection is considered lost", "08006");
					}
					if (receiveTimeoutNanos > 0 && !pinged && silence >= receiveTimeoutNanos / 2) {
						// an idle server sends nothing: ask it for a keepalive to prove the connection is alive
						sendStatus(stream, this.ack.flushed(), true);
						lastStatus = System.nanoTime();
						pinged = true;
					}
					continue;
				}
				lastHeard = System.nanoTime();
				pinged = false;
				if (message instanceof PrimaryKeepalive keepalive) {
					this.serverWalEnd = keepalive.serverWalEnd();
					// nothing received is waiting for or inside the listeners, and no delivery failed: the WAL up
					// to the server's end holds nothing for us. The dispatcher sets reconnectRequested / running
					// before it releases inFlight, so reading inFlight first makes a failure visible here.
					if (!txnOpen && building.isEmpty() && this.inFlight.get() == 0 && !this.reconnectRequested
							&& this.running) {
						this.ack.advanceIdle(keepalive.serverWalEnd());
					}
					if (keepalive.replyRequested()) {
						flushed = this.ack.flushed();
						sendStatus(stream, flushed, false);
						lastStatus = System.nanoTime();
						lastSentFlush = flushed;
					}
					if (this.settings.publishKeepalive()) {
						building.add(keepalive);
					}
				}
				else if (message instanceof XLogData data) {
					this.receivedLsn = Lsn.max(this.receivedLsn, data.walStart());
					this.serverWalEnd = data.serverWalEnd();
					PgOutputMessage decoded = decoder.decode(data);
					count(decoded.type());
					if (decoded instanceof BeginMessage begin) {
						txnOpen = true;
						this.newestCommitTimeMicros = begin.commitTimeMicros();
						this.newestCommitEnd = Lsn.max(this.newestCommitEnd, begin.finalLsn().plus(1));
					}
					else if (decoded instanceof BeginPrepareMessage) {
						txnOpen = true;
					}
					else if (decoded instanceof CommitMessage || decoded instanceof PrepareMessage
							|| decoded instanceof CommitPreparedMessage || decoded instanceof RollbackPreparedMessage
							|| decoded instanceof StreamCommitMessage || decoded instanceof StreamPrepareMessage) {
						txnOpen = false;
					}
					if (building.isEmpty()) {
						buildingSince = lastHeard;
					}
					building.add(new Item(data, decoded));
					if (building.size() >= BATCH
							|| (this.queue.isEmpty() && lastHeard - buildingSince >= HANDOFF_NANOS)) {
						pending = building;
						building = new java.util.ArrayList<>(BATCH);
					}
				}
				// after the acknowledged position moved, tell the server soon (at most every ACK_REPORT_DELAY_NANOS)
				if (lastSentFlush != null && this.ack.flushed().isAfter(lastSentFlush)
						&& System.nanoTime() - lastStatus >= ACK_REPORT_DELAY_NANOS) {
					flushed = this.ack.flushed();
					sendStatus(stream, flushed, false);
					lastStatus = System.nanoTime();
					lastSentFlush = flushed;
				}
			}
			if (this.running && this.reconnectRequested) {
				// a listener failed: report what was delivered before, so only the failed transaction comes again
				sendStatus(stream, this.ack.flushed(), false);
			}
			// graceful stop: the dispatcher has finished; report the final position and end the stream
			if (!this.running) {
				join(this.dispatchThread, Duration.ofSeconds(30));
				sendStatus(stream, this.ack.flushed(), false);
				stream.close();
				if (this.settings.dropSlotOnShutdown() && !this.settings.temporarySlot()) {
					connection.dropReplicationSlot(slot, true);
					logger.info("Dropped replication slot '" + slot + "' on shutdown");
				}
			}
		}
		finally {
			this.streamingSince = null;
		}
	}

	private Lsn createTemporarySlot(ReplicationConnection connection) throws SQLException {
		Lsn start = connection
			.createReplicationSlot(CreateReplicationSlotCommand.logical(this.settings.slotName(), "pgoutput")
				.temporary()
				.snapshot(SnapshotAction.NOTHING))
			.consistentPoint();
		this.ack.reset(start);
		return start;
	}

	private void sendStatus(ReplicationStream stream, Lsn flushed, boolean replyRequested) throws SQLException {
		Lsn write = Lsn.max(stream.lastReceivedLsn(), flushed);
		stream.sendStatusUpdate(write, flushed, flushed, replyRequested);
	}

	private boolean offer(Object item) {
		try {
			this.inFlight.incrementAndGet();
			if (this.queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
				return true;
			}
			this.inFlight.decrementAndGet();
			return false;
		}
		catch (InterruptedException ex) {
			this.inFlight.decrementAndGet();
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void enqueue(Object item) {
		while (this.running && !offer(item)) {
			// wait for room
		}
	}

	private void count(char type) {
		if (type < this.messageCounts.length) {
			this.messageCounts[type].increment();
		}
	}

	// ---------------------------------------------------------------- dispatch thread

	private record Item(XLogData data, PgOutputMessage message) {
	}

	private void dispatchLoop() {
		Dispatch state = new Dispatch();
		while (this.running) {
			Object next;
			try {
				next = this.queue.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				break;
			}
			if (next == null) {
				continue;
			}
			try {
				if (next == RESET) {
					state = new Dispatch();
					continue;
				}
				for (Object element : (java.util.List<?>) next) {
					if (state.discarding || !this.running || !dispatch(element, state)) {
						break;
					}
				}
			}
			finally {
				this.inFlight.decrementAndGet();
			}
		}
	}

	/** Delivery state of the dispatch thread since the last (re)connect. */
	private static final class Dispatch {

		final EventFactory.Transaction txn = new EventFactory.Transaction();

		boolean discarding;

	}

	/**
	 * Publishes the events of one received message and acknowledges a transaction's end once delivered.
	 * @return false to stop delivering the current batch
	 */
	private boolean dispatch(Object element, Dispatch state) {
		if (element instanceof PrimaryKeepalive keepalive) {
			this.publisher.publishEvent(new KeepaliveEvent(this, this.settings.slotName(), keepalive));
			return true;
		}
		Item item = (Item) element;
		ReplicationEvent current = null;
		try {
			if (this.settings.publishRaw()) {
				current = new XLogDataEvent(this, this.settings.slotName(), item.data());
				this.publisher.publishEvent(current);
			}
			ReplicationEvent event = this.events.create(item.message(), item.data().walStart(), state.txn);
			if (event != null && this.settings.publishDecoded()) {
				current = event;
				this.publisher.publishEvent(event);
			}
		}
		catch (RuntimeException | Error ex) {
			Lsn position = item.data().walStart();
			this.failureAttempts = position.equals(this.failedAt) ? this.failureAttempts + 1 : 1;
			this.failedAt = position;
			this.lastError = "Listener failed on " + current + ": " + ex;
			ErrorAction action = this.errorHandler.handle(current, ex, this.failureAttempts);
			if (action == ErrorAction.STOP) {
				logger.error("Stopping the replication stream of slot '" + this.settings.slotName()
						+ "' as the error handler asked");
				this.running = false;
				return false;
			}
			if (action != ErrorAction.SKIP) {
				// RETRY: drop everything until the reconnect, which redelivers from the acknowledged position
				state.discarding = true;
				this.reconnectRequested = true;
				return false;
			}
			// SKIP: the failed event is given up (the handler has recorded it); delivery goes on
			logger.warn("Skipping " + current + " after a listener failure, as the error handler asked");
		}
		Lsn end = EventFactory.transactionEnd(item.message());
		if (end != null) {
			this.ack.delivered(end);
			this.transactions.increment();
			this.failedAt = null;
			this.failureAttempts = 0;
		}
		return true;
	}


}
