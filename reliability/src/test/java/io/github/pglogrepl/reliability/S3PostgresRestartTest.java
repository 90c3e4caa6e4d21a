package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 3: PostgreSQL itself restarts under the stream: fast and immediate shutdown while rows are
 * committed; and during a large streamed transaction ({@code pglogrepl.pgoutput.streaming=on}, bigger than
 * {@code logical_decoding_work_mem}) and two-phase transactions (PREPARE before the restart, COMMIT PREPARED
 * after it). Runs on a PostgreSQL of its own (fixed data directory and port) so that it can be stopped.
 */
class S3PostgresRestartTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	private static final int LARGE_ROWS = 3000;

	private static RestartablePostgres pg;

	private final Random random = new Random(Long.getLong("reliability.seed", System.nanoTime()));

	@BeforeAll
	static void startServer() {
		pg = new RestartablePostgres(Soak.workDir("s3-postgres-restart").resolve("pgdata"), RestartablePostgres.logicalConfig());
	}

	@AfterAll
	static void stopServer() {
		if (pg != null) {
			pg.close();
		}
	}

	private static String[] tableWithSlot(String name) {
		String pub = name + "_pub";
		String slot = name + "_slot";
		pg.execute("CREATE TABLE " + name + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + name,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		return new String[] { name, pub, slot };
	}

	/** Stops the server (fast or immediate) and starts it again; returns the time the stop began. */
	private static long restart(boolean immediate) {
		long at = System.currentTimeMillis();
		if (immediate) {
			pg.stopImmediate();
		}
		else {
			pg.stopFast();
		}
		Soak.sleep(300);
		pg.start();
		return at;
	}

	private static long awaitRecovery(Deliveries deliveries, long marker, long faultAt) {
		Soak.await("a row committed after the restart", TIMEOUT,
				() -> deliveries.refresh().firstDeliveryAfter(marker, faultAt) >= 0);
		return deliveries.firstDeliveryAfter(marker, faultAt) - faultAt;
	}

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void fastAndImmediateRestartsDuringAStreamLoseNoCommittedRow() {
		int restarts = Soak.pick(2, 8);
		Path dir = Soak.workDir("s3a-restart-stream");
		String[] t = tableWithSlot("restarts");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), null, t[2], t[1], t[0]));
		Path file = dir.resolve("app.deliveries");
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		List<Long> recoveries = new ArrayList<>();
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), t[0], 1, 5, 5).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			awaitRecovery(deliveries, 0, 0);
			int fast = 0;
			int immediate = 0;
			for (int i = 0; i < restarts; i++) {
				Soak.sleep(300 + this.random.nextInt(1000));
				boolean hard = i % 2 == 1;
				long faultAt = restart(hard);
				long marker = writer.lastAcked(); // no commit can succeed while the server is down
				if (hard) {
					immediate++;
				}
				else {
					fast++;
				}
				recoveries.add(awaitRecovery(deliveries, marker, faultAt));
			}
			Soak.sleep(500);
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> pg.ids(t[0]), deliveries, TIMEOUT);
			Set<Long> committed = pg.ids(t[0]);
			Report.add(new Report.Entry("3a", "PostgreSQL restart during a stream (fast and immediate shutdown)", restarts,
					outcome, Duration.ofMillis(recoveries.stream().mapToLong(Long::longValue).max().orElse(0)),
					fast + " fast + " + immediate + " immediate; " + writer.failures()
							+ " writer transactions failed at the restarts (outcome read back from the table); recovery = "
							+ "stop begins to first new row recorded (includes 300 ms down time and server start); reconnects "
							+ container.state().reconnects()));
			assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
			assertThat(outcome.written()).isGreaterThan(100);
			assertThat(committed).as("every commit the writer saw succeed survived the restarts")
				.containsAll(writer.ackedIds());
			assertThat(Outcome.uncommittedDelivered(committed, deliveries)).isEmpty();
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void restartsDuringLargeStreamedAndTwoPhaseTransactionsLoseNoCommittedRow() throws Exception {
		int rounds = Soak.pick(1, 3);
		Path dir = Soak.workDir("s3b-restart-streamed-2pc");
		String[] t = tableWithSlot("streamed");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), null, t[2], t[1], t[0]));
		props.add("pglogrepl.pgoutput.streaming=on");
		Path file = dir.resolve("app.deliveries");
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		List<Long> recoveries = new ArrayList<>();
		Set<Long> abandonedXids = new TreeSet<>();
		Set<Long> preparedXids = new TreeSet<>();
		Set<String> preparedDeliveredAs = new TreeSet<>();
		long abandonedRowsDelivered = 0;
		int restarts = 0;
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), t[0], 1, 5, 10).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			awaitRecovery(deliveries, 0, 0);
			for (int round = 0; round < rounds; round++) {
				// (1) a large transaction still open when the server stops (immediate): it never commits
				long a = 10_000_000L + round * 100_000L;
				Connection open = pg.connect();
				try (Statement st = open.createStatement()) {
					st.execute("BEGIN");
					st.execute(largeInsert(t[0], a));
				}
				Soak.await("streamed rows of the open transaction", TIMEOUT,
						() -> !inRange(deliveries.refresh(), a).isEmpty());
				long faultAt = restart(true);
				restarts++;
				quietlyClose(open);
				long marker = writer.lastAcked();
				recoveries.add(awaitRecovery(deliveries, marker, faultAt));
				inRange(deliveries, a).forEach((row) -> abandonedXids.add(row.xid()));
				abandonedRowsDelivered += inRange(deliveries, a).size();

				// (2) a large transaction prepared before a fast restart and committed after it
				long b = 11_000_000L + round * 100_000L;
				String bigGid = "rel_big_" + round;
				try (Connection c = pg.connect(); Statement st = c.createStatement()) {
					st.execute("BEGIN");
					st.execute(largeInsert(t[0], b));
					st.execute("PREPARE TRANSACTION '" + bigGid + "'");
				}
				Soak.await("streamed rows of the prepared transaction", TIMEOUT,
						() -> !inRange(deliveries.refresh(), b).isEmpty());
				faultAt = restart(false);
				restarts++;
				marker = writer.lastAcked();
				recoveries.add(awaitRecovery(deliveries, marker, faultAt));
				long committedAt = System.currentTimeMillis();
				pg.execute("COMMIT PREPARED '" + bigGid + "'");
				Soak.await("every row of the prepared large transaction after COMMIT PREPARED", TIMEOUT,
						() -> inRange(deliveries.refresh(), b).stream()
							.filter((row) -> row.millis() >= committedAt)
							.map(Deliveries.Row::id)
							.distinct()
							.count() == LARGE_ROWS);
				inRange(deliveries, b).forEach((row) -> preparedXids.add(row.xid()));
				List<Deliveries.Row> afterCommit = inRange(deliveries, b).stream()
					.filter((row) -> row.millis() >= committedAt)
					.toList();
				if (afterCommit.stream().allMatch(Deliveries.Row::streamed)) {
					Soak.await("Stream Commit of the prepared large transaction", TIMEOUT,
							() -> deliveries.refresh().streamCommits().contains(afterCommit.get(0).xid()));
					preparedDeliveredAs.add("streamed + Stream Commit");
				}
				else {
					preparedDeliveredAs.add("as a regular transaction");
				}

				// (3) a small two-phase transaction: PREPARE, immediate stop, start, COMMIT PREPARED
				long c = 12_000_000L + round * 100_000L;
				String smallGid = "rel_small_" + round;
				pg.execute("BEGIN; INSERT INTO " + t[0] + " (id, payload) SELECT g, 'prepared' FROM generate_series(" + c
						+ ", " + (c + 9) + ") g; PREPARE TRANSACTION '" + smallGid + "'");
				faultAt = restart(true);
				restarts++;
				marker = writer.lastAcked();
				recoveries.add(awaitRecovery(deliveries, marker, faultAt));
				assertThat(pg.queryString("SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + smallGid + "'"))
					.as("the prepared transaction survived the immediate shutdown").isEqualTo("1");
				assertThat(deliveries.refresh().ids()).as("nothing of a prepared, uncommitted transaction is delivered")
					.doesNotContain(c);
				pg.execute("COMMIT PREPARED '" + smallGid + "'");
				Soak.await("the rows of the small prepared transaction after COMMIT PREPARED", TIMEOUT,
						() -> deliveries.refresh().ids().containsAll(List.of(c, c + 9)));
			}
			Soak.sleep(500);
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> pg.ids(t[0]), deliveries, TIMEOUT);
			Set<Long> committed = pg.ids(t[0]);
			Set<Long> streamCommits = deliveries.streamCommits();
			Set<Long> streamAborts = deliveries.streamAborts();
			boolean abortSeen = streamAborts.containsAll(abandonedXids);
			Report.add(new Report.Entry("3b",
					"PostgreSQL restart during a large streamed transaction (streaming=on) and two-phase transactions",
					restarts, outcome, Duration.ofMillis(recoveries.stream().mapToLong(Long::longValue).max().orElse(0)),
					"per round: open " + LARGE_ROWS + "-row txn at immediate stop (" + abandonedRowsDelivered
							+ " of its streamed rows reached the listener in total; never committed, no Stream Commit; Stream Abort "
							+ (abortSeen ? "received"
									: "never received (the server does not repeat it after a restart: listeners must drop unfinished streamed transactions when the stream reconnects)")
							+ "); " + LARGE_ROWS
							+ "-row txn PREPAREd (rows streamed before PREPARE), fast restart, COMMIT PREPARED: all rows delivered again after it, "
							+ String.join(" / ", preparedDeliveredAs) + "; 10-row 2PC txn, "
							+ "immediate restart, COMMIT PREPARED: delivered (slot without two_phase: decoded at COMMIT PREPARED)"));
			assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
			assertThat(committed).containsAll(writer.ackedIds());
			assertThat(abandonedXids).as("xids of the abandoned transactions").isNotEmpty();
			assertThat(streamCommits).as("no Stream Commit for a transaction that never committed")
				.doesNotContainAnyElementsOf(abandonedXids);
			assertThat(preparedXids).as("xid of the prepared large transaction").hasSize(rounds);
			Set<Long> uncommitted = Outcome.uncommittedDelivered(committed, deliveries);
			assertThat(uncommitted.stream().allMatch((id) -> id >= 10_000_000L && id < 11_000_000L))
				.as("only rows of the abandoned (streamed, never committed) transactions were delivered uncommitted: %s",
						uncommitted.stream().limit(10).collect(Collectors.toList()))
				.isTrue();
			assertThat(context.getBean(ReplicationStreamContainer.class).state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	private static String largeInsert(String table, long from) {
		return "INSERT INTO " + table + " (id, payload) SELECT g, repeat('x', 200) FROM generate_series(" + from + ", "
				+ (from + LARGE_ROWS - 1) + ") g";
	}

	private static List<Deliveries.Row> inRange(Deliveries deliveries, long from) {
		return deliveries.rows().stream().filter((r) -> r.id() >= from && r.id() < from + LARGE_ROWS).toList();
	}

	private static void quietlyClose(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			// the server went away under it
		}
	}

	@Test
	@Timeout(value = 10, unit = TimeUnit.MINUTES)
	void aRestartIsNoticedWithinASecondWithTheDefaultSettings() {
		int restarts = Soak.pick(2, 6);
		Path dir = Soak.workDir("s3c-restart-default-settings");
		String[] t = tableWithSlot("defaults");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), null, t[2], t[1], t[0]));
		// the defaults: status-interval 10 s, receive-timeout 30 s, reconnect from 1 s to 10 s
		props.removeIf((p) -> p.startsWith("pglogrepl.status-interval=") || p.startsWith("pglogrepl.reconnect."));
		Path file = dir.resolve("app.deliveries");
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		List<Long> detections = new ArrayList<>();
		List<Long> recoveries = new ArrayList<>();
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), t[0], 1, 5, 5).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			awaitRecovery(deliveries, 0, 0);
			for (int i = 0; i < restarts; i++) {
				Soak.sleep(1000 + this.random.nextInt(1000));
				long faultAt = System.currentTimeMillis();
				pg.stopFast();
				long stopped = System.nanoTime();
				Soak.await("the closed connection noticed", TIMEOUT,
						() -> container.state().status() != StreamStatus.STREAMING);
				detections.add((System.nanoTime() - stopped) / 1_000_000);
				pg.start();
				long marker = writer.lastAcked();
				recoveries.add(awaitRecovery(deliveries, marker, faultAt));
			}
			Soak.sleep(500);
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> pg.ids(t[0]), deliveries, TIMEOUT);
			long worst = detections.stream().mapToLong(Long::longValue).max().orElse(0);
			Report.add(new Report.Entry("3c", "PostgreSQL fast restart with the default settings (status-interval 10 s)",
					restarts, outcome, Duration.ofMillis(recoveries.stream().mapToLong(Long::longValue).max().orElse(0)),
					"closed connection noticed " + detections + " ms after the server stopped (worst " + worst
							+ " ms; the stream probes a silent connection every 0.5 s); recovery = stop begins to first "
							+ "new row recorded (includes the server's restart)"));
			assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
			assertThat(worst).as("detection of the closed connection, ms").isLessThan(2000);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

}
