package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.spring.StreamTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader's state transitions when connecting fails, through the connection seam (no server): a slot held
 * elsewhere makes it stand by, other failures make it reconnect with the growing backoff, a backoff that runs out
 * stops it, and a stop ends its wait at once.
 */
class StreamReaderTest {

	/** Fails every replication connect with what {@code failure} supplies, recording when. */
	static final class FailingConnections implements StreamConnectionFactory {

		final List<Long> attempts = new CopyOnWriteArrayList<>();

		volatile Supplier<SQLException> failure;

		FailingConnections(Supplier<SQLException> failure) {
			this.failure = failure;
		}

		@Override
		public ReplicationConnection openReplicationConnection() throws SQLException {
			this.attempts.add(System.nanoTime());
			throw this.failure.get();
		}

		@Override
		public Connection openConnection(String purpose) throws SQLException {
			throw new SQLException("not used");
		}

	}

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final StreamMonitor monitor = new StreamMonitor("default", "slot_a");

	private Thread start(StreamConnectionFactory connections, StreamContainerProperties properties) {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, Lsn.INVALID);
		StreamReader reader = new StreamReader(properties, false, connections,
				PgOutputOptions.builder().protoVersion(1).publications("p").build(), ack, new DispatchQueue(16, ack),
				this.monitor, this.running::get, () -> {
				}, () -> this.running.set(false), new FailoverTracker("slot_a"), (loss) -> {
				});
		Thread thread = new Thread(reader, "reader-under-test");
		thread.start();
		return thread;
	}

	private static StreamContainerProperties properties(org.springframework.util.backoff.BackOff backOff) {
		StreamContainerProperties properties = new StreamContainerProperties("jdbc:postgresql://127.0.0.1:1/x", "slot_a",
				List.of("p"));
		properties.setReconnectBackOff(backOff);
		return properties;
	}

	@Test
	void aSlotHeldElsewhereMeansStandbyAndOtherFailuresReconnectWithAGrowingBackoff() throws Exception {
		FailingConnections connections = new FailingConnections(
				() -> new SQLException("replication slot \"slot_a\" is active for PID 4711", "55006"));
		ExponentialBackOff backOff = new ExponentialBackOff(20, 2.0);
		backOff.setMaxInterval(160);
		Thread reader = start(connections, properties(backOff));
		try {
			StreamTestSupport.await("standby", () -> this.monitor.status() == StreamStatus.STANDBY
					&& connections.attempts.size() >= 2, Duration.ofSeconds(10));
			StreamState standby = this.monitor.state(Lsn.INVALID);
			assertThat(standby.lastError()).contains("is active for PID");
			assertThat(standby.reconnects()).as("standing by is no reconnect").isZero();

			connections.failure = () -> new SQLException("Connection refused", "08001");
			int from = connections.attempts.size();
			StreamTestSupport.await("six reconnect attempts", () -> connections.attempts.size() >= from + 6,
					Duration.ofSeconds(10));
			assertThat(this.monitor.status()).isEqualTo(StreamStatus.RECONNECTING);
			assertThat(this.monitor.state(Lsn.INVALID).lastError()).isEqualTo("Connection refused");
			assertThat(this.monitor.state(Lsn.INVALID).reconnects()).isGreaterThanOrEqualTo(5);
			// the delays grow 40, 80, 160 ms and stay at the maximum (the standby attempts used 20 ms)
			long[] expected = { 40, 80, 160, 160 };
			for (int i = 0; i < expected.length; i++) {
				long gapMillis = (connections.attempts.get(from + i + 1) - connections.attempts.get(from + i)) / 1_000_000;
				assertThat(gapMillis).as("delay before attempt %d", i + 1).isGreaterThanOrEqualTo(expected[i]);
			}
		}
		finally {
			this.running.set(false);
			reader.join(5000);
		}
		assertThat(reader.isAlive()).isFalse();
		assertThat(this.monitor.status()).isEqualTo(StreamStatus.STOPPED);
	}

	@Test
	void aBackoffThatRunsOutStopsTheStream() throws Exception {
		FailingConnections connections = new FailingConnections(() -> new SQLException("Connection refused", "08001"));
		Thread reader = start(connections, properties(new FixedBackOff(10, 3)));
		reader.join(5000);
		assertThat(reader.isAlive()).isFalse();
		assertThat(connections.attempts).hasSize(4);
		assertThat(this.running.get()).as("the stream was stopped").isFalse();
		assertThat(this.monitor.status()).isEqualTo(StreamStatus.STOPPED);
		assertThat(this.monitor.state(Lsn.INVALID).lastError()).isEqualTo("Connection refused");
	}

	@Test
	void aStopEndsTheBackoffWaitAtOnce() throws Exception {
		FailingConnections connections = new FailingConnections(() -> new SQLException("Connection refused", "08001"));
		Thread reader = start(connections, properties(new FixedBackOff(60_000, FixedBackOff.UNLIMITED_ATTEMPTS)));
		StreamTestSupport.await("first attempt", () -> connections.attempts.size() == 1, Duration.ofSeconds(5));
		long stop = System.nanoTime();
		this.running.set(false);
		reader.join(5000);
		assertThat(reader.isAlive()).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - stop)).isLessThan(Duration.ofSeconds(1));
	}

}
