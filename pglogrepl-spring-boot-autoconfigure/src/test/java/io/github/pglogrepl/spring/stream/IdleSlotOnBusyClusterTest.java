package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idle publication, busy cluster: while the published tables see no change and another database of the same
 * server writes a lot of WAL, the streamed slot's retained WAL (current WAL position minus {@code restart_lsn})
 * stays bounded, because the stream acknowledges the keepalives' WAL end when it holds nothing
 * ({@link Acknowledger#advanceIdle}). A slot nobody streams, in the same database, is the contrast: it keeps
 * everything.
 *
 * <p>The slot's {@code restart_lsn} moves only at a running-transactions record, which the server logs every 15 s
 * after activity (and at checkpoints), so while the other database writes, the retained WAL is bounded by about
 * 15 s of its WAL (plus what the walsender has not read yet), and falls back to almost nothing after the next record.
 *
 * <p>The default run writes 128 MB of WAL at 32 MB/s; the 1 GB measurement of the README (about 50 s) is
 * {@code ./mvnw -o -pl pglogrepl,pglogrepl-spring-boot-autoconfigure verify -Dpg14.skip=true
 * -Dtest=IdleSlotOnBusyClusterTest -Dsurefire.failIfNoSpecifiedTests=false -Dpglogrepl-test.busy-cluster-mb=1024}.
 * The figures are printed to the test's output ({@code target/surefire-reports/*IdleSlotOnBusyClusterTest-output.txt}).
 */
@RealPostgres
@Tag("all-versions")
class IdleSlotOnBusyClusterTest {

	private static final long MB = 1024 * 1024;

	/** Retained WAL the streamed slot may keep once the writer stopped and the server logged its next snapshot. */
	private static final long BOUND = 16 * MB;

	private static String urlOf(TestPostgres pg, String database) {
		return pg.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
	}

	private static long retained(TestPostgres pg, String slot) {
		String value = pg.queryString("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint "
				+ "FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
		return (value != null) ? Long.parseLong(value) : -1;
	}

	@Test
	void retainedWalOfAnIdleStreamedSlotStaysBoundedWhileAnotherDatabaseWritesWal(TestPostgres pg) throws Exception {
		long target = Long.getLong("pglogrepl-test.busy-cluster-mb", 128) * MB;
		// a steady writer rather than a burst, so that the server logs several snapshots while it writes
		long bytesPerSecond = Long.getLong("pglogrepl-test.busy-cluster-mb-per-s", 32) * MB;
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		String unread = TestPostgres.uniqueName("unread");
		String busy = TestPostgres.uniqueName("busy");
		pg.execute("CREATE DATABASE " + busy);
		pg.execute("SELECT pg_create_logical_replication_slot('" + unread + "', 'pgoutput')");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props);
				Connection writer = DriverManager.getConnection(urlOf(pg, busy), pg.properties());
				Statement st = writer.createStatement()) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
					Duration.ofSeconds(60));
			st.execute("CREATE TABLE load (id int, filler text)");
			AtomicBoolean writing = new AtomicBoolean(true);
			AtomicLong maxRetained = new AtomicLong();
			Thread sampler = new Thread(() -> {
				while (writing.get()) {
					maxRetained.accumulateAndGet(retained(pg, slot), Math::max);
					StreamTestSupport.sleep(250);
				}
			});
			sampler.start();
			long written = 0;
			long started = System.nanoTime();
			String startLsn = currentLsn(st);
			try {
				while (written < target) {
					// rows below the TOAST threshold: written as they are, about 1.9 kB of WAL each
					st.execute("INSERT INTO load SELECT g, repeat('x', 1800) FROM generate_series(1, 10000) g");
					written = walSince(st, startLsn);
					long due = started + (long) (written * 1e9 / bytesPerSecond);
					StreamTestSupport.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
				}
			}
			finally {
				writing.set(false);
				sampler.join();
			}
			double writeSeconds = (System.nanoTime() - started) / 1e9;
			long retainedAtEnd = retained(pg, slot);
			long unreadRetained = retained(pg, unread);
			// restart_lsn moves at the next running-transactions record (bgwriter: every 15 s after activity)
			long settleStart = System.nanoTime();
			StreamTestSupport.await("retained WAL of the streamed slot below " + BOUND,
					() -> retained(pg, slot) < BOUND, Duration.ofSeconds(60));
			double settleSeconds = (System.nanoTime() - settleStart) / 1e9;
			long settled = retained(pg, slot);
			System.out.println(String.format(Locale.ROOT,
					"IDLE-SLOT-BUSY-CLUSTER PostgreSQL %d: another database wrote %d MB of WAL in %.1f s; streamed idle"
							+ " slot retained at most %.1f MB while writing, %.1f MB when the writer stopped, %d bytes"
							+ " %.1f s later; a slot nobody streams retained %.1f MB",
					pg.majorVersion(), written / MB, writeSeconds, maxRetained.get() / (double) MB,
					retainedAtEnd / (double) MB, settled, settleSeconds, unreadRetained / (double) MB));
			assertThat(unreadRetained).isGreaterThanOrEqualTo(written);
			assertThat(settled).isLessThan(BOUND);
			if (writeSeconds > 30) {
				// written over two snapshot intervals and more: restart_lsn moved while the writer wrote
				assertThat(maxRetained.get()).isLessThan(written * 3 / 4);
			}
			assertThat(container.state().slotRetention()).isNotNull();
		}
		finally {
			pg.execute("SELECT pg_drop_replication_slot('" + unread + "')");
			StreamTestSupport.await("slot inactive", () -> !"true".equals(
					pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")),
					Duration.ofSeconds(20));
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
			pg.execute("DROP DATABASE " + busy);
		}
	}

	private static String currentLsn(Statement st) throws SQLException {
		try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
			rs.next();
			return rs.getString(1);
		}
	}

	private static long walSince(Statement st, String lsn) throws SQLException {
		try (ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn + "')::bigint")) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
