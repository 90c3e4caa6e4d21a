package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.ReplicationStream;

/**
 * When the reader sends standby status updates on one connection, and what they say. An update reports
 * the highest position received as written and the {@link Acknowledger}'s position as flushed and applied.
 * It goes out
 * <ul>
 * <li>every {@code status-interval};</li>
 * <li>every second while the reader pauses for the listeners (back-pressure), so that the server's
 * {@code wal_sender_timeout} does not end the connection;</li>
 * <li>at most {@link #ACK_REPORT_DELAY_NANOS} after the acknowledged position moved (fewer redeliveries after
 * a failure);</li>
 * <li>at once when the server asks for a reply, when the connection is probed, and before it is closed.</li>
 * </ul>
 * I/O thread only.
 */
final class StatusReporter {

	/** While back-pressured, status updates go out this often. */
	static final long BACKPRESSURE_HEARTBEAT_NANOS = 1_000_000_000L;

	/** After the acknowledged position moved, it is reported at most this often. */
	static final long ACK_REPORT_DELAY_NANOS = 100_000_000L;

	private final ReplicationStream stream;

	private final Acknowledger acknowledger;

	private final long intervalNanos;

	private long lastSent;

	private Lsn lastSentFlush;

	StatusReporter(ReplicationStream stream, Acknowledger acknowledger, long intervalNanos) {
		this.stream = stream;
		this.acknowledger = acknowledger;
		this.intervalNanos = intervalNanos;
		this.lastSent = System.nanoTime();
		this.lastSentFlush = acknowledger.flushed();
	}

	/**
	 * Sends an update if the interval (or, while back-pressured, the heartbeat) has passed.
	 * @param now {@link System#nanoTime()}
	 * @param backPressured whether the reader pauses for the listeners
	 * @throws SQLException if the connection fails
	 */
	void sendIfDue(long now, boolean backPressured) throws SQLException {
		long since = now - this.lastSent;
		if (since >= this.intervalNanos || (backPressured && since >= BACKPRESSURE_HEARTBEAT_NANOS)) {
			send(false);
		}
	}

	/**
	 * Sends an update if the acknowledged position moved since the last one and the last one is at least
	 * {@link #ACK_REPORT_DELAY_NANOS} old.
	 * @param now {@link System#nanoTime()}
	 * @throws SQLException if the connection fails
	 */
	void reportAcknowledged(long now) throws SQLException {
		if (this.acknowledger.flushed().isAfter(this.lastSentFlush) && now - this.lastSent >= ACK_REPORT_DELAY_NANOS) {
			send(false);
		}
	}

	/**
	 * Sends an update now.
	 * @param replyRequested whether the server should answer with a keepalive
	 * @throws SQLException if the connection fails
	 */
	void send(boolean replyRequested) throws SQLException {
		Lsn flushed = this.acknowledger.flushed();
		Lsn written = Lsn.max(this.stream.lastReceivedLsn(), flushed);
		this.stream.sendStatusUpdate(written, flushed, flushed, replyRequested);
		this.lastSent = System.nanoTime();
		this.lastSentFlush = flushed;
	}

}
