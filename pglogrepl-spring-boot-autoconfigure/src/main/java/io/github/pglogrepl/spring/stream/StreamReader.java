package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.SnapshotAction;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.BeginMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputMessageType;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;

/**
 * The I/O thread's work: owns the replication connection. It connects (connections come from the
 * {@link StreamConnectionFactory}), starts streaming from the slot, reads without ever blocking inside the
 * driver, decodes, hands batches to the dispatcher ({@link BatchBuilder}), answers keepalives and sends status
 * updates ({@link StatusReporter}), notices a silent or closed connection ({@link Liveness}), and reconnects
 * with the reconnect backoff after a failure — streaming then resumes from the server's confirmed position, so
 * what was not acknowledged is delivered again. A listener that asks for redelivery ({@link #redeliver}) makes
 * it end the connection and start over after the listener retry delay. A slot held by another connection
 * (SQLSTATE 55006) is retried the same way: the instance stands by.
 */
final class StreamReader implements Runnable {

	private static final Log logger = LogFactory.getLog(StreamReader.class);

	private final StreamContainerProperties properties;

	private final StreamConnectionFactory connections;

	private final PgOutputOptions pgoutput;

	private final Acknowledger acknowledger;

	private final DispatchQueue queue;

	private final StreamMonitor monitor;

	private final BooleanSupplier running;

	private final BackOff reconnectBackOff;

	/** Set by the dispatcher: end the connection and redeliver after this delay. */
	private volatile Duration redeliveryDelay;

	/** The connection in use, so that a stop past its deadline can abort it. */
	private volatile ReplicationConnection current;

	/** A temporary slot's connection made at startup, used by the first connect. */
	private ReplicationConnection initialConnection;

	private Lsn temporarySlotStart;

	/** Waits for the dispatcher to finish before the final status update (set by the container). */
	private final Runnable awaitDispatcher;

	/** Whether keepalives are handed to the dispatcher (published as events). */
	private final boolean publishKeepalive;

	/** Stops the whole stream when the reader gives up (the reconnect backoff ran out). */
	private final Runnable stopStream;

	/** Notices a new timeline on reconnect (a failover) and what is delivered again. */
	private final FailoverTracker failovers;

	/** Told when the slot was created again after a loss ({@code pglogrepl.slot.on-lost}). */
	private final Consumer<SlotLoss> slotRecreated;

	StreamReader(StreamContainerProperties properties, boolean publishKeepalive, StreamConnectionFactory connections,
			PgOutputOptions pgoutput, Acknowledger acknowledger, DispatchQueue queue, StreamMonitor monitor,
			BooleanSupplier running, Runnable awaitDispatcher, Runnable stopStream, FailoverTracker failovers,
			Consumer<SlotLoss> slotRecreated) {
		this.properties = properties;
		this.publishKeepalive = publishKeepalive;
		this.connections = connections;
		this.pgoutput = pgoutput;
		this.acknowledger = acknowledger;
		this.queue = queue;
		this.monitor = monitor;
		this.running = running;
		this.reconnectBackOff = properties.getReconnectBackOff();
		this.awaitDispatcher = awaitDispatcher;
		this.stopStream = stopStream;
		this.failovers = failovers;
		this.slotRecreated = slotRecreated;
	}

	/**
	 * Creates the temporary slot before the container's start returns, so that no change made after startup is
	 * missed; the first connect uses this connection. Caller's thread, before the reader runs.
	 * @throws SQLException if the slot cannot be created
	 */
	void createTemporarySlot() throws SQLException {
		ReplicationConnection connection = this.connections.openReplicationConnection();
		try {
			this.temporarySlotStart = createTemporarySlot(connection);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		this.initialConnection = connection;
	}

	/**
	 * Dispatch thread: a listener failed; end the connection and deliver again from the acknowledged position
	 * after {@code delay}.
	 * @param delay the listener retry delay
	 */
	void redeliver(Duration delay) {
		this.redeliveryDelay = delay;
	}

	/** Any thread: drops the connection at once (a stop past its deadline). */
	void abortConnection() {
		abort(this.current);
	}

	@Override
	public void run() {
		ReconnectPolicy policy = new ReconnectPolicy(this.reconnectBackOff, this.properties.getSlotName(),
				this.properties.getPublications(), this.monitor);
		boolean first = true;
		while (this.running.getAsBoolean()) {
			this.monitor.status(StreamStatus.CONNECTING);
			ReplicationConnection connection = this.initialConnection;
			this.initialConnection = null;
			try {
				if (connection == null) {
					connection = this.connections.openReplicationConnection();
				}
				this.current = connection;
				new Session(connection, policy).stream(first);
				first = false;
				policy.ended();
				connection.close();
			}
			catch (SQLException | RuntimeException ex) {
				// a failed connection may be stalled: drop it without the CopyDone handshake, which could wait
				abort(connection);
				if (!this.running.getAsBoolean()) {
					break;
				}
				SlotLoss lost = slotLoss(ex);
				if (lost != null) {
					LossHandled handled = slotLost(lost);
					if (handled == LossHandled.STOPPED) {
						break;
					}
					if (handled == LossHandled.RECREATED) {
						this.queue.clear();
						this.monitor.reconnected();
						continue;
					}
				}
				ConnectionFailure failure = ConnectionFailure.of(ex);
				long delay = policy.failed(failure, this.monitor.status() == StreamStatus.STREAMING,
						this.acknowledger.flushed());
				if (delay == BackOffExecution.STOP) {
					this.stopStream.run();
					this.monitor.status(StreamStatus.STOPPED);
					break;
				}
				this.queue.clear();
				sleep(Duration.ofMillis(delay));
				if (failure.kind() != ConnectionFailure.Kind.SLOT_IN_USE) {
					this.monitor.reconnected();
				}
			}
			finally {
				this.current = null;
				this.monitor.notStreaming();
			}
			Duration redelivery = this.redeliveryDelay;
			if (redelivery != null && this.running.getAsBoolean()) {
				this.redeliveryDelay = null;
				this.monitor.reconnected();
				this.queue.clear();
				sleep(redelivery);
			}
		}
		if (this.monitor.status() != StreamStatus.STOPPED) {
			this.monitor.status(StreamStatus.STOPPED);
		}
	}

	/**
	 * Whether a failure means the slot is lost. Told by the catalog, on an ordinary connection, for the SQLSTATEs a
	 * lost slot fails with: 42704 (no such slot — also a missing publication) and 55000 (invalidated).
	 * @return the loss, or {@code null} (also when the catalog cannot be asked: then it is the failure it seems)
	 */
	private SlotLoss slotLoss(Throwable ex) {
		String state = (ex instanceof SQLException sql) ? sql.getSQLState() : null;
		if (this.properties.isTemporarySlot() || !("42704".equals(state) || "55000".equals(state))) {
			return null;
		}
		try (Connection c = this.connections.openConnection("slot-check")) {
			return SlotLoss.check(new ServerCatalog(c), this.properties.getSlotName(), this.acknowledger.flushed());
		}
		catch (SQLException | RuntimeException checkFailed) {
			return null;
		}
	}

	private enum LossHandled {

		/** {@code on-lost=fail}: the stream stops. */
		STOPPED,
		/** The slot was created again: reconnect at once. */
		RECREATED,
		/** Creating it again failed: handled as the connection failure, with backoff. */
		RETRY

	}

	/** Applies {@code pglogrepl.slot.on-lost} to a slot lost while the stream runs. */
	private LossHandled slotLost(SlotLoss lost) {
		String slot = this.properties.getSlotName();
		SlotLossPolicy policy = this.properties.getSlotLossPolicy();
		SlotHistory history = new SlotHistory(this.properties.getSnapshot(), slot);
		String what = "The replication slot '" + slot + "' (pglogrepl.slot.name) " + lost.what() + " while the stream ran: "
				+ lost.lost();
		if (policy == SlotLossPolicy.FAIL) {
			String explanation = what + ". The stream stops and does not create it again silently "
					+ "(pglogrepl.slot.on-lost=fail). " + lost.waysOut(history.quotedTable());
			logger.error(explanation);
			this.monitor.connectionFailed(StreamStatus.SLOT_LOST, explanation);
			this.stopStream.run();
			return LossHandled.STOPPED;
		}
		logger.error(what + ". pglogrepl.slot.on-lost=" + SlotLoss.propertyValue(policy)
				+ ": creating it again at the server's current WAL position");
		try (ReplicationConnection rc = this.connections.openReplicationConnection()) {
			if (!lost.missing()) {
				rc.dropReplicationSlot(slot, true);
			}
			CreateReplicationSlotCommand create = CreateReplicationSlotCommand.logical(slot, "pgoutput")
				.snapshot(SnapshotAction.NOTHING);
			if (this.properties.isSlotFailover()) {
				create.failover();
			}
			Lsn point = rc.createReplicationSlot(create).consistentPoint();
			lost.logRecreated(point, policy);
			this.acknowledger.restart(point);
			this.slotRecreated.accept(lost);
			return LossHandled.RECREATED;
		}
		catch (SQLException | RuntimeException ex) {
			if (ex instanceof SQLException sql && "42710".equals(sql.getSQLState())) {
				// another instance created it first: stream from it
				return LossHandled.RECREATED;
			}
			logger.warn("Creating replication slot '" + slot + "' again failed: " + ex.getMessage());
			return LossHandled.RETRY;
		}
	}

	/** One connection's streaming: the read loop and its state. */
	private final class Session {

		private final ReplicationConnection connection;

		private final ReconnectPolicy policy;


		private final BatchBuilder batches = new BatchBuilder(StreamReader.this.queue);

		private final Liveness liveness = new Liveness(StreamReader.this.properties.getReceiveTimeout());

		private final PgOutputDecoder decoder = new PgOutputDecoder();

		/** Between a Begin and the message that ends its transaction. */
		private boolean inTransaction;

		Session(ReplicationConnection connection, ReconnectPolicy policy) {
			this.connection = connection;
			this.policy = policy;
		}

		void stream(boolean first) throws SQLException {
			StreamContainerProperties props = StreamReader.this.properties;
			StreamReader.this.failovers.connected(this.connection.identifySystem(), StreamReader.this.acknowledger.flushed(),
					StreamReader.this.connections);
			Lsn start = startPosition(first);
			ReplicationStream stream = this.connection.startReplication(
					StartReplicationCommand.logical(props.getSlotName(), start).pgoutput(StreamReader.this.pgoutput));
			// a failed delivery comes again on this connection (a temporary slot's start was set on creation)
			StreamReader.this.acknowledger.restart(Lsn.INVALID);
			// the dispatcher starts over: the server sends again from its confirmed position
			enqueueNewConnection();
			this.policy.streaming(start.isValid() ? start : StreamReader.this.acknowledger.flushed());
			StatusReporter status = new StatusReporter(stream, StreamReader.this.acknowledger,
					props.getStatusInterval().toNanos());
			while (StreamReader.this.running.getAsBoolean() && StreamReader.this.redeliveryDelay == null) {
				long loopStart = System.nanoTime();
				status.sendIfDue(loopStart, this.batches.isWaitingForRoom());
				status.reportAcknowledged(loopStart);
				if (this.batches.isWaitingForRoom()) {
					this.batches.handOver();
					// not reading while the listeners catch up: silence from the server is expected
					this.liveness.notReading(System.nanoTime());
					continue;
				}
				ReplicationMessage message = this.batches.isBuilding() ? stream.readPending()
						: stream.read(Duration.ofMillis(50));
				long now = System.nanoTime();
				if (message == null) {
					if (this.batches.isBuilding()) {
						// nothing more arrived at once: hand over what we have (no latency added)
						this.batches.seal();
						continue;
					}
					if (!stream.isActive()) {
						throw new SQLException("The server ended the replication stream", "08006");
					}
					this.liveness.checkSilence(now, status);
					continue;
				}
				this.liveness.heard(now);
				if (message instanceof XLogData data) {
					received(data, now);
				}
				else if (message instanceof PrimaryKeepalive keepalive) {
					keepalive(keepalive, status);
				}
			}
			if (StreamReader.this.running.getAsBoolean()) {
				// a listener failed: report what was delivered before, so only the failed transaction comes again
				status.send(false);
				return;
			}
			// graceful stop: once the dispatcher has finished, report the final position and end the stream
			StreamReader.this.awaitDispatcher.run();
			status.send(false);
			stream.close();
			if (props.isDropSlotOnShutdown() && !props.isTemporarySlot()) {
				this.connection.dropReplicationSlot(props.getSlotName(), true);
				logger.info("Dropped replication slot '" + props.getSlotName() + "' on shutdown");
			}
		}

		private void received(XLogData data, long now) {
			StreamMonitor monitor = StreamReader.this.monitor;
			monitor.received(data.walStart(), data.serverWalEnd());
			PgOutputMessage message = this.decoder.decode(data);
			PgOutputMessageType type = message.messageType();
			monitor.counted(type);
			if (type.beginsTransaction()) {
				this.inTransaction = true;
				if (message instanceof BeginMessage begin) {
					monitor.transactionBegins(begin.finalLsn().plus(1), begin.commitTimeMicros());
				}
			}
			else if (type.endsTransaction()) {
				this.inTransaction = false;
				if (this.policy.isBlocked()) {
					this.policy.transactionReceived(message.transactionEnd());
				}
			}
			this.batches.add(new Received.Change(data, message), now);
		}

		private void keepalive(PrimaryKeepalive keepalive, StatusReporter status) throws SQLException {
			StreamReader.this.monitor.serverWalEnd(keepalive.serverWalEnd());
			StreamReader.this.acknowledger.advanceIdle(keepalive.serverWalEnd(),
					this.inTransaction || this.batches.holdsMessages());
			if (keepalive.replyRequested()) {
				status.send(false);
			}
			if (StreamReader.this.publishKeepalive) {
				this.batches.append(new Received.Keepalive(keepalive));
			}
		}

		private Lsn startPosition(boolean first) throws SQLException {
			StreamContainerProperties props = StreamReader.this.properties;
			if (props.isTemporarySlot()) {
				Lsn start = StreamReader.this.temporarySlotStart;
				if (start != null) {
					// the slot created at startup lives on the initial connection, used once: this one
					StreamReader.this.temporarySlotStart = null;
					return start;
				}
				// a new connection: the previous temporary slot vanished with the old one
				return createTemporarySlot(this.connection);
			}
			if (first && props.getStartLsn() != null) {
				return props.getStartLsn();
			}
			return Lsn.INVALID;
		}

		private void enqueueNewConnection() {
			while (StreamReader.this.running.getAsBoolean()
					&& !StreamReader.this.queue.offer(new DispatchQueue.NewConnection(), 50)) {
				// wait for room
			}
		}

	}

	private Lsn createTemporarySlot(ReplicationConnection connection) throws SQLException {
		Lsn start = connection
			.createReplicationSlot(CreateReplicationSlotCommand.logical(this.properties.getSlotName(), "pgoutput")
				.temporary()
				.snapshot(SnapshotAction.NOTHING))
			.consistentPoint();
		this.acknowledger.restart(start);
		return start;
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

	/** Sleeps, returning early when the stream stops; an interrupt ends the sleep and stays set. */
	private void sleep(Duration duration) {
		long end = System.nanoTime() + duration.toNanos();
		while (this.running.getAsBoolean() && System.nanoTime() < end) {
			try {
				Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
