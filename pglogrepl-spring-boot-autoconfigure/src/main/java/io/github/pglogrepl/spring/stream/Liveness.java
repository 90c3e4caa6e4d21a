package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Whether the replication connection is still alive, judged by the reader from the server's silence.
 * <ul>
 * <li>A connection the server closed (a restart, a crash) is noticed from the socket: the driver's non-blocking
 * read cannot tell the end of the stream from "no data yet", but a write can — the first write to a closed
 * connection draws a reset, the next one fails. So after {@link #PROBE_NANOS} of silence the reader sends a
 * status update every {@link #PROBE_NANOS}, and a closed connection is noticed about a second after it closed,
 * whatever {@code status-interval} is.</li>
 * <li>After half of {@code receive-timeout} without a message the server is asked for a keepalive (an idle server
 * sends nothing by itself); after the whole timeout the connection counts as lost (a stalled network, where
 * writes still succeed).</li>
 * </ul>
 * Silence while the reader pauses for the listeners is expected and does not count. I/O thread only; one per
 * connection.
 */
final class Liveness {

	/** Silence after which, and interval at which, the connection is probed with a status update. */
	static final long PROBE_NANOS = 500_000_000L;

	private final long receiveTimeoutNanos;

	private long lastHeard = System.nanoTime();

	private long lastProbe;

	private boolean pinged;

	/**
	 * @param receiveTimeout the silence after which the connection counts as lost; zero disables the checks
	 */
	Liveness(Duration receiveTimeout) {
		this.receiveTimeoutNanos = receiveTimeout.toNanos();
	}

	/**
	 * A message arrived.
	 * @param now {@link System#nanoTime()}
	 */
	void heard(long now) {
		this.lastHeard = now;
		this.pinged = false;
	}

	/**
	 * The reader did not read (back-pressure): the silence so far does not count.
	 * @param now {@link System#nanoTime()}
	 */
	void notReading(long now) {
		this.lastHeard = now;
	}

	/**
	 * Checks the silence after a read that returned nothing.
	 * @param now {@link System#nanoTime()}
	 * @param status to probe the connection and to ask the server for a keepalive
	 * @throws SQLException if a probe fails (the connection is closed), or (SQLSTATE 08006) if the silence reached
	 * the receive timeout
	 */
	void checkSilence(long now, StatusReporter status) throws SQLException {
		long silence = now - this.lastHeard;
		if (silence >= PROBE_NANOS && now - this.lastProbe >= PROBE_NANOS) {
			// a write to a closed connection fails (the second one at the latest): no wait for the status interval
			status.send(false);
			this.lastProbe = now;
		}
		if (this.receiveTimeoutNanos <= 0) {
			return;
		}
		if (silence >= this.receiveTimeoutNanos) {
			throw new SQLException("No message from the server for " + Duration.ofNanos(silence).toMillis()
					+ " ms (pglogrepl.receive-timeout): the connection is considered lost", "08006");
		}
		if (!this.pinged && silence >= this.receiveTimeoutNanos / 2) {
			status.send(true);
			this.pinged = true;
		}
	}

}
