package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.stream.FailoverHistory;
import io.github.pglogrepl.spring.stream.FailoverReadiness;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scenario 9: primary failover with a failover slot ({@code pglogrepl.slot.failover=true}, PostgreSQL 17+). A
 * primary and a physical standby made from it with slot synchronisation ({@link RestartablePostgres#createStandby});
 * the application streams through a multi-host URL ({@code targetServerType=primary}) while the writer commits;
 * the old primary is stopped (fast), the standby promoted, and the stream resumes there from the synchronised slot.
 * Then a fresh standby of the new primary is made on the old primary's port, and the next round begins. Long soak
 * only (5 rounds); every build runs one round in the autoconfigure module's {@code FailoverTest}.
 */
class S9PrimaryFailoverTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	private static final String STANDBY_SLOT = "standby_slot";

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void promotedStandbyTakesOverTheStreamWithoutLosingACommittedRow() throws Exception {
		assumeTrue(Soak.LONG, "S9 (primary failover) runs in the long soak (-Dreliability.long=true); FailoverTest in "
				+ "the autoconfigure module runs one round in every build");
		int rounds = Soak.pick(1, 5);
		Path dir = Soak.workDir("s9-primary-failover");
		Map<String, String> config = RestartablePostgres.logicalConfig();
		int[] ports = { RestartablePostgres.freePort(), RestartablePostgres.freePort() };
		RestartablePostgres primary = new RestartablePostgres(dir.resolve("pg0"), ports[0], config);
		RestartablePostgres standby = null;
		Writer writer = null;
		try {
			int major = Integer.parseInt(primary.queryString("SHOW server_version_num")) / 10000;
			assumeTrue(major >= 17, "S9 skipped: failover slots need PostgreSQL 17 or later; the server is "
					+ primary.queryString("SHOW server_version"));
			String table = "failover";
			primary.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
					"CREATE PUBLICATION failover_pub FOR TABLE " + table);
			standby = primary.createStandby(dir.resolve("pg1"), ports[1], STANDBY_SLOT, config);
			primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
					"SELECT pg_reload_conf()");
			String url = "jdbc:postgresql://localhost:" + ports[0] + ",localhost:" + ports[1]
					+ "/postgres?targetServerType=primary&user=postgres";
			List<String> props = new ArrayList<>(AppProperties.of(url, null, "failover_slot", "failover_pub", table));
			AppProperties.set(props, "pglogrepl.slot.create", "if-missing");
			props.add("pglogrepl.slot.failover=true");
			Path file = dir.resolve("app.deliveries");
			props.add("reliability.app.delivery-file=" + file);
			Deliveries deliveries = new Deliveries().follow(file);
			List<Long> promotionToFirstRow = new ArrayList<>();
			try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				Soak.await("streaming", TIMEOUT, () -> container.state().status() == StreamStatus.STREAMING);
				writer = new Writer(url + "&connectTimeout=2&socketTimeout=5", new java.util.Properties(), table, 1, 5, 5)
					.start();
				for (int round = 1; round <= rounds; round++) {
					RestartablePostgres standbyNow = standby;
					long marker = writer.lastAcked();
					Soak.await("rows before failover " + round, TIMEOUT,
							() -> deliveries.refresh().firstDeliveryAfter(marker + 100, 0) >= 0);
					Soak.await("the standby's copy of the slot synchronised", TIMEOUT,
							() -> isFailoverReady(container, standbyNow));
					primary.stopFast();
					// a transaction in flight at the stop may have committed unacknowledged: 5 rows at most
					long newPrimaryMarker = writer.lastAcked() + 5;
					long promoting = System.currentTimeMillis();
					standbyNow.promote();
					Soak.await("a row committed on the promoted server", TIMEOUT,
							() -> deliveries.refresh().firstDeliveryAfter(newPrimaryMarker, promoting) >= 0);
					promotionToFirstRow.add(deliveries.firstDeliveryAfter(newPrimaryMarker, promoting) - promoting);
					assertThat(container.failoverHistory().failovers()).isEqualTo(round);

					Path oldDir = primary.dataDir();
					primary.close();
					FileSystemUtils.deleteRecursively(oldDir);
					primary = standbyNow;
					standby = primary.createStandby(dir.resolve("pg" + (round + 1)), (round % 2 == 1) ? ports[0] : ports[1],
							STANDBY_SLOT, config);
					primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
							"SELECT pg_reload_conf()");
				}
				writer.stop();
				RestartablePostgres last = primary;
				Outcome outcome = Outcome.awaitAll(() -> last.ids(table), deliveries, TIMEOUT);
				Set<Long> committed = last.ids(table);
				FailoverHistory history = container.failoverHistory();
				Report.add(new Report.Entry("9", "Primary failover: old primary stopped, standby promoted (failover slot, "
						+ "multi-host URL), fresh standby each round", rounds, outcome,
						Duration.ofMillis(promotionToFirstRow.stream().mapToLong(Long::longValue).max().orElse(0)),
						"PostgreSQL " + last.queryString("SHOW server_version") + "; promotion to first row from the new "
								+ "primary " + promotionToFirstRow + " ms; " + history.failovers() + " failovers counted, "
								+ history.redeliveredBytes() + " bytes of WAL redelivered (pglogrepl.failover.redelivered), "
								+ "timeline " + history.timeline()));
				assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
				assertThat(Outcome.uncommittedDelivered(committed, deliveries)).isEmpty();
				assertThat(committed).as("every commit the writer saw succeed survived the failovers")
					.containsAll(writer.ackedIds());
				assertThat(history.timeline()).isEqualTo(rounds + 1);
				assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			}
		}
		finally {
			if (writer != null) {
				writer.stop();
			}
			if (standby != null) {
				standby.close();
			}
			primary.close();
		}
	}

	private static boolean isFailoverReady(ReplicationStreamContainer container, RestartablePostgres standby) {
		FailoverReadiness readiness = FailoverReadiness.check(container.getContainerProperties(),
				container.getConnectionFactory());
		return readiness.warning() == null && readiness.standbys().size() == 1
				&& readiness.standbys().get(0).failoverReady()
				&& readiness.standbys().get(0).host().endsWith(":" + standby.port());
	}

}
