package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.health.PgLogReplHealthIndicator;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The WAL retention guard: the {@code pglogrepl.slot.retained} / {@code pglogrepl.slot.safe} meters, the health
 * thresholds and their likely cause, against the real server.
 */
@RealPostgres
@Tag("all-versions")
class WalRetentionTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	/** Blocks on row 1 until released. */
	public static class BlockingListener {

		static volatile CountDownLatch release = new CountDownLatch(0);

		@EventListener
		public void on(InsertEvent<ChangeRow> event) throws InterruptedException {
			if (Integer.valueOf(1).equals(event.newRow().get("id"))) {
				release.await(2, TimeUnit.MINUTES);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		BlockingListener blockingListener() {
			return new BlockingListener();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	private static long serverRetained(TestPostgres pg, String slot) {
		return Long.parseLong(pg.queryString("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint "
				+ "FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
	}

	@Test
	void retainedWalIsMeteredAndAboveTheThresholdsWarnsThenTurnsHealthDownWithTheCause(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String other = TestPostgres.uniqueName("unpublished");
		pg.execute("CREATE TABLE " + other + " (id int, filler text)");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=200ms");
		props.add("pglogrepl.health.retained-wal-warning=1KB");
		props.add("pglogrepl.health.retained-wal-critical=4MB");
		BlockingListener.release = new CountDownLatch(1);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			PgLogReplHealthIndicator health = context.getBean(PgLogReplHealthIndicator.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			StreamTestSupport.await("retention polled", () -> container.state().slotRetention() != null, TIMEOUT);
			// no max_slot_wal_keep_size on the test server: no safe_wal_size
			assertThat(registry.get("pglogrepl.slot.safe").tag("slot", slot).gauge().value()).isNaN();
			assertThat(health.health(true).getDetails()).containsEntry("walStatus", "reserved");

			// the listener holds the first transaction: the slot keeps all WAL written after it
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			pg.execute("INSERT INTO " + other + " SELECT g, repeat('x', 1800) FROM generate_series(1, 500) g");
			StreamTestSupport.await("warning", () -> health.health(true).getDetails().containsKey("retainedWal"), TIMEOUT);
			Health warned = health.health(true);
			assertThat(warned.getStatus()).isEqualTo(Status.UP);
			assertThat((String) warned.getDetails().get("retainedWal")).contains("Slot '" + slot + "' holds back")
				.contains("above pglogrepl.health.retained-wal-warning (1024 bytes)");
			pg.execute("INSERT INTO " + other + " SELECT g, repeat('x', 1800) FROM generate_series(1, 4000) g");
			StreamTestSupport.await("DOWN", () -> Status.DOWN.equals(health.health(true).getStatus()), TIMEOUT);
			Health down = health.health(true);
			long retained = (Long) down.getDetails().get("retainedWalBytes");
			assertThat(retained).isGreaterThan(4L * 1024 * 1024);
			assertThat((String) down.getDetails().get("reason")).contains("Slot '" + slot + "' holds back")
				.contains("above pglogrepl.health.retained-wal-critical (4.0 MB (4194304 bytes))")
				.contains("Likely cause: the listeners are behind");
			assertThat(registry.get("pglogrepl.slot.retained").tag("slot", slot).gauge().value())
				.isGreaterThan(4L * 1024 * 1024)
				.isLessThanOrEqualTo(serverRetained(pg, slot));

			// released: the slot catches up; restart_lsn moves at the next running-transactions record
			BlockingListener.release.countDown();
			pg.execute("CHECKPOINT");
			StreamTestSupport.await("UP again", () -> Status.UP.equals(health.health(true).getStatus()), TIMEOUT);
			assertThat(registry.get("pglogrepl.slot.retained").tag("slot", slot).gauge().value())
				.isLessThan(4L * 1024 * 1024);
		}
		finally {
			BlockingListener.release.countDown();
			StreamTestSupport.await("slot inactive", () -> !"true".equals(
					pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")),
					TIMEOUT);
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

	@Test
	void aCriticalThresholdBelowTheWarningIsRefusedAtStartup(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		List<String> props = StreamTestSupport.properties(pg, TestPostgres.uniqueName("slot"), tp[1]);
		props.add("pglogrepl.slot.create=temporary");
		props.add("pglogrepl.health.retained-wal-warning=2GB");
		props.add("pglogrepl.health.retained-wal-critical=512MB");
		assertThatThrownBy(() -> StreamTestSupport.start(props, Config.class).close())
			.rootCause()
			.isInstanceOf(ReplicationSetupException.class)
			.hasMessageContaining("pglogrepl.health.retained-wal-critical (512MB) is below "
					+ "pglogrepl.health.retained-wal-warning (2GB)");
	}

}
