package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pglogrepl.reliability.support.AppProcess;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 5: two application instances (two JVMs) with the same slot: exactly one streams, the other stands
 * by; killing the active one (SIGKILL) makes the standby take over, with no row lost across the handover.
 * Repeated: after each takeover a fresh standby is started and the new active one is killed.
 */
@RealPostgres
class S5HotStandbyTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void standbyTakesOverFromAKilledInstanceWithoutLosingRows(TestPostgres pg) {
		int handovers = Soak.pick(2, 6);
		Path dir = Soak.workDir("s5-hot-standby");
		String table = TestPostgres.uniqueName("standby");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		List<String> props = AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table);
		Deliveries deliveries = new Deliveries();
		List<Long> takeovers = new ArrayList<>();
		List<Long> recoveries = new ArrayList<>();
		List<AppProcess> apps = new ArrayList<>();
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 5, 5).start();
		try {
			AppProcess active = AppProcess.start("instance-0", dir, props);
			apps.add(active);
			deliveries.follow(active.deliveryFile());
			AppProcess first = active;
			Soak.await("instance-0 streaming", TIMEOUT, () -> "STREAMING".equals(first.streamStatus()));
			for (int h = 1; h <= handovers; h++) {
				AppProcess standby = AppProcess.start("instance-" + h, dir, props);
				apps.add(standby);
				deliveries.follow(standby.deliveryFile());
				Soak.await(standby.name() + " standing by", TIMEOUT, () -> "STANDBY".equals(standby.streamStatus()));
				// exactly one streams: the active one delivers, the standby delivers nothing
				String activeFile = active.deliveryFile().getFileName().toString();
				long before = deliveries.refresh().countIn(activeFile);
				Soak.await("the active instance to keep delivering", TIMEOUT,
						() -> deliveries.refresh().countIn(activeFile) > before + 100);
				assertThat(deliveries.countIn(standby.deliveryFile().getFileName().toString()))
					.as("the standby delivers nothing").isZero();
				assertThat(active.streamStatus()).isEqualTo("STREAMING");
				// between two attempts the standby is briefly CONNECTING
				assertThat(standby.streamStatus()).isIn("STANDBY", "CONNECTING");
				active.kill();
				long killedAt = System.currentTimeMillis();
				long marker = writer.lastAcked();
				Soak.await(standby.name() + " taking over", TIMEOUT, () -> "STREAMING".equals(standby.streamStatus()));
				takeovers.add(System.currentTimeMillis() - killedAt);
				Soak.await(standby.name() + " delivering rows committed after the kill", TIMEOUT,
						() -> deliveries.refresh().firstDeliveryAfter(marker, killedAt) >= 0);
				recoveries.add(deliveries.firstDeliveryAfter(marker, killedAt) - killedAt);
				active = standby;
			}
			Soak.sleep(500);
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> Sql.ids(pg::connect, table), deliveries, TIMEOUT);
			Set<Long> committed = Sql.ids(pg::connect, table);
			long maxTakeover = takeovers.stream().mapToLong(Long::longValue).max().orElse(0);
			Report.add(new Report.Entry("5", "Two instances (two JVMs), same slot: SIGKILL the active one", handovers, outcome,
					Duration.ofMillis(recoveries.stream().mapToLong(Long::longValue).max().orElse(0)),
					"exactly one STREAMING, the other STANDBY (delivering nothing) before each kill; takeover (kill to STREAMING) "
							+ takeovers + " ms, max " + maxTakeover + " ms; recovery = kill to first new row recorded by the standby"));
			assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
			assertThat(outcome.written()).isGreaterThan(100);
			assertThat(maxTakeover).as("takeover time").isLessThan(15_000);
			assertThat(Outcome.uncommittedDelivered(committed, deliveries)).isEmpty();
		}
		finally {
			writer.stop();
			apps.forEach(AppProcess::stop);
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

}
