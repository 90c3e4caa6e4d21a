package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Scenario 1: the application (its own JVM) is killed with SIGKILL at random points while a writer commits
 * rows continuously, and started again, over and over. Every committed row must have been recorded by the
 * listener (durably, before it returned); duplicates are counted.
 */
@RealPostgres
class S1ApplicationKillTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	@Test
	@Timeout(value = 40, unit = TimeUnit.MINUTES)
	void applicationKilledAtRandomPointsAndRestartedLosesNoCommittedRow(TestPostgres pg) {
		int kills = Soak.pick(3, 20);
		long seed = Long.getLong("reliability.seed", System.nanoTime());
		Random random = new Random(seed);
		Path dir = Soak.workDir("s1-application-kill");
		String table = TestPostgres.uniqueName("kill");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		List<String> props = AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table);
		Deliveries deliveries = new Deliveries();
		List<Long> recoveries = new ArrayList<>();
		int startupKills = 0;
		AppProcess app = null;
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 5, 5).start();
		try {
			long faultAt = -1;
			long marker = 0;
			for (int i = 0; i <= kills; i++) {
				app = AppProcess.start("app-" + i, dir, props);
				deliveries.follow(app.deliveryFile());
				long started = System.currentTimeMillis();
				boolean duringStartup = i < kills && i % 4 == 3;
				if (duringStartup) {
					// a random point that may fall in startup, before or while the stream connects
					Soak.sleep(300 + random.nextInt(2700));
					if (deliveries.refresh().countIn(app.deliveryFile().getFileName().toString()) == 0) {
						startupKills++;
					}
					if (faultAt >= 0 && deliveries.firstDeliveryAfter(marker, faultAt) >= 0) {
						recoveries.add(deliveries.firstDeliveryAfter(marker, faultAt) - faultAt);
					}
					// otherwise the previous kill's recovery is not measured; this kill's is
				}
				else {
					AppProcess current = app;
					long since = (faultAt >= 0) ? faultAt : started;
					long after = marker;
					Soak.await("instance " + i + " to deliver rows committed after the last kill", TIMEOUT,
							() -> deliveries.refresh().firstDeliveryAfter(after, since) >= 0 || !current.isAlive());
					assertThat(app.isAlive()).as("application %d alive; log:%n%s", i, app.logTail()).isTrue();
					if (faultAt >= 0) {
						recoveries.add(deliveries.firstDeliveryAfter(marker, faultAt) - faultAt);
					}
					if (i < kills) {
						Soak.sleep(random.nextInt(2000));
					}
				}
				if (i < kills) {
					app.kill();
					faultAt = System.currentTimeMillis();
					marker = writer.lastAcked();
				}
			}
			// the last instance runs to the end: stop writing and let it catch up
			Soak.sleep(500);
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> Sql.ids(pg::connect, table), deliveries, TIMEOUT);
			Set<Long> committed = Sql.ids(pg::connect, table);
			long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
			Report.add(new Report.Entry("1", "Application SIGKILL at random points + restart (own JVM)", kills, outcome,
					Duration.ofMillis(maxRecovery),
					startupKills + " of the kills hit startup (before the first row); writer " + writer.transactions()
							+ " txns of 1-5 rows; recovery = kill to first new row recorded by the next JVM (includes JVM start); seed "
							+ seed));
			assertThat(outcome.lost()).as("lost rows: %s; last log:%n%s", outcome, app.logTail()).isZero();
			assertThat(outcome.written()).isGreaterThan(100);
			assertThat(outcome.delivered()).isEqualTo(committed.size());
			assertThat(committed).as("every commit the writer saw succeed is in the table").containsAll(writer.ackedIds());
			assertThat(Outcome.uncommittedDelivered(committed, deliveries)).as("rows delivered that were never committed")
				.isEmpty();
			assertThat(recoveries).as("recoveries measured").isNotEmpty();
		}
		finally {
			writer.stop();
			if (app != null) {
				app.stop();
			}
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

}
