package io.github.pglogrepl.connection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.postgresql.copy.CopyDual;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.StandbyStatusUpdate;
import io.github.pglogrepl.protocol.XLogData;

/**
 * The CopyBoth stream of {@code START_REPLICATION}: receives {@link XLogData} and {@link PrimaryKeepalive},
 * sends {@link StandbyStatusUpdate}.
 *
 * <p><b>Threading.</b> pgjdbc serialises reads and writes on a connection: while a thread is blocked in a
 * blocking read, a status update from another thread waits until the next server message arrives (seconds).
 * This stream therefore never blocks inside the driver for long: {@link #read(Duration)} polls with
 * non-blocking reads, so {@link #sendStatusUpdate} (safe to call from any thread) goes out within about a
 * millisecond. pgjdbc's non-blocking read, when nothing is buffered, waits up to 1 ms in the socket and returns
 * as soon as bytes arrive; the stream relies on that wait while messages flow (no pause of its own, so no
 * polling delay) and adds pauses only when there is nothing to do: 2 ms between polls after 100 ms without a
 * message, 10 ms after a second (the first message after a long silence may thus wait up to about 11 ms).
 * Should a driver return at once instead, the stream parks 20–50 µs between polls while messages flow. Only
 * one thread may read.
 */
public final class ReplicationStream implements AutoCloseable {

	private static final long MIN_PARK_NANOS = 20_000L;

	private static final long MAX_PARK_NANOS = 2_000_000L;

	/** How long after the last message the stream counts as active. */
	private static final long ACTIVE_NANOS = 100_000_000L;

	/** A poll shorter than this did not wait in the socket. */
	private static final long DRIVER_WAITED_NANOS = 200_000L;

	/** After this long without a message the stream counts as idle. */
	private static final long IDLE_NANOS = 1_000_000_000L;

	/** Pause between polls while idle. */
	private static final long IDLE_PARK_NANOS = 10_000_000L;

	/** Longest pause between polls while active. */
	private static final long ACTIVE_MAX_PARK_NANOS = 50_000L;

	private final CopyDual copy;

	private final boolean logical;

	private volatile long lastReceived;

	private volatile long lastServerWalEnd;

	private volatile long lastMessageNanos = System.nanoTime();

	ReplicationStream(CopyDual copy, boolean logical, Lsn startLsn) {
		this.copy = copy;
		this.logical = logical;
		this.lastReceived = startLsn.asLong();
	}

	/**
	 * Waits up to {@code timeout} for the next message.
	 * @param timeout how long to wait; zero for a single non-blocking poll
	 * @return the message, or {@code null} if none arrived in time or the stream is no longer active
	 * @throws SQLException if the connection fails or the server ends the stream with an error
	 * @throws io.github.pglogrepl.protocol.ProtocolException if the server sends a malformed message
	 */
	public ReplicationMessage read(Duration timeout) throws SQLException {
		long deadline = System.nanoTime() + timeout.toNanos();
		long park = MIN_PARK_NANOS;
		while (true) {
			long before = System.nanoTime();
			ReplicationMessage message = readPending();
			if (message != null || !this.copy.isActive()) {
				return message;
			}
			long now = System.nanoTime();
			long left = deadline - now;
			if (left <= 0) {
				return null;
			}
			long silence = now - this.lastMessageNanos;
			if (now - before < DRIVER_WAITED_NANOS) {
				// the driver returned at once: pause here (short while messages flow, the server may be waiting
				// for room in the socket buffer)
				LockSupport.parkNanos(Math.min(park, left));
				park = Math.min(park * 2, (silence < ACTIVE_NANOS) ? ACTIVE_MAX_PARK_NANOS : MAX_PARK_NANOS);
			}
			else if (silence >= IDLE_NANOS) {
				LockSupport.parkNanos(Math.min(IDLE_PARK_NANOS, left));
			}
			else if (silence >= ACTIVE_NANOS) {
				LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, left));
			}
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				return null;
			}
		}
	}

	/**
	 * Returns the next message if one has arrived (the driver may wait up to about a millisecond for one).
	 * @return the message or {@code null}
	 * @throws SQLException if the connection fails
	 */
	public ReplicationMessage readPending() throws SQLException {
		byte[] bytes = this.copy.readFromCopy(false);
		if (bytes == null) {
			return null;
		}
		ReplicationMessage message = ReplicationMessage.parse(bytes, 0, bytes.length);
		this.lastMessageNanos = System.nanoTime();
		if (message instanceof XLogData data) {
			long end = data.walStart().asLong() + (this.logical ? 0 : data.dataLength());
			if (Long.compareUnsigned(end, this.lastReceived) > 0) {
				this.lastReceived = end;
			}
			this.lastServerWalEnd = data.serverWalEnd().asLong();
		}
		else if (message instanceof PrimaryKeepalive keepalive) {
			this.lastServerWalEnd = keepalive.serverWalEnd().asLong();
		}
		return message;
	}

	/**
	 * Sends a standby status update. Safe to call from any thread while another reads.
	 * @param update the update
	 * @throws SQLException if the connection fails
	 */
	public void sendStatusUpdate(StandbyStatusUpdate update) throws SQLException {
		byte[] bytes = update.encode();
		synchronized (this.copy) {
			this.copy.writeToCopy(bytes, 0, bytes.length);
			this.copy.flushCopy();
		}
	}

	/**
	 * Sends a standby status update stamped with the current time.
	 * @param write last received position
	 * @param flush last durably processed position (what the slot will confirm)
	 * @param apply last applied position
	 * @param replyRequested whether the server should answer at once with a keepalive
	 * @throws SQLException if the connection fails
	 */
	public void sendStatusUpdate(Lsn write, Lsn flush, Lsn apply, boolean replyRequested) throws SQLException {
		sendStatusUpdate(new StandbyStatusUpdate(write, flush, apply,
				io.github.pglogrepl.protocol.PgTimestamps.nowPgMicros(), replyRequested));
	}

	/**
	 * @return the highest WAL position received so far (the start position before any data)
	 */
	public Lsn lastReceivedLsn() {
		return Lsn.of(this.lastReceived);
	}

	/**
	 * @return the server's end of WAL as last reported by XLogData or keepalive ({@code 0/0} before any)
	 */
	public Lsn lastServerWalEnd() {
		return Lsn.of(this.lastServerWalEnd);
	}

	/**
	 * @return {@link System#nanoTime()} when the last message arrived (or the stream started)
	 */
	public long lastMessageNanos() {
		return this.lastMessageNanos;
	}

	/**
	 * @return whether the stream is still in CopyBoth mode
	 */
	public boolean isActive() {
		return this.copy.isActive();
	}

	/**
	 * Ends the stream (CopyDone) if it is still active; the connection can then run other commands.
	 * @throws SQLException if the connection fails
	 */
	@Override
	public void close() throws SQLException {
		if (this.copy.isActive()) {
			this.copy.endCopy();
		}
	}

}
