package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Whether the replication connection is still alive, judged by the reader from the server's silence. After
 * half of {@code receive-timeout} without a message the server is asked for a keepalive (an idle server sends
 * nothing by itself); after the whole timeout the connection counts as lost (a stalled network). Silence while
 * the reader pauses for the listeners is expected and does not count. I/O thread only; one per connection.
 */
final class Liveness {

	private final long receiveTimeoutNanos;

	private long lastHeard = System.nanoTime();

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
	 * @param status to ask the server for a keepalive
	 * @throws SQLException (SQLSTATE 08006) if the silence reached the receive timeout
	 */
	void checkSilence(long now, StatusReporter status) throws SQLException {
		if (this.receiveTimeoutNanos <= 0) {
			return;
		}
		long silence = now - this.lastHeard;
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
