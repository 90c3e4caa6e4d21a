package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 8: the publication is dropped and created again under a continuous writer, with the default reconnect
 * backoff. PostgreSQL 14–17 cannot decode the changes made in between and fail every attempt at the same WAL
 * position: the stream must report it (health DOWN with the reason, BLOCKED) and retry slowly — the walsender
 * starts per minute are counted — until the operator advances the slot. PostgreSQL 18 streams on, without the
 * rows committed while the publication was missing. 'Lost' counts the rows committed (and delivered) before the
 * drop, which must not be lost by the stream's retries; the rows from the drop on are reported separately (on 14
 * the server cannot decode those committed right around the drop either, once its walsender has seen it). Runs on
 * 18 and, in the PostgreSQL 14 pass, on 14.
 */
@Tag("all-versions")
@RealPostgres
class S8PublicationRecreatedTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	@Test
	@Timeout(value = 10, unit = TimeUnit.MINUTES)
	void aRecreatedPublicationIsReportedAndRetriedSlowly(TestPostgres pg) {
		String table = TestPostgres.uniqueName("recreated");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		Path file = Soak.workDir("s8-publication-recreated-pg" + pg.majorVersion()).resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table));
		// the default reconnect backoff (1 s doubling to 10 s): a tight loop would show at once
		props.removeIf((p) -> p.startsWith("pglogrepl.reconnect."));
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		long watchMillis = Soak.pick(30_000, 60_000);
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 3, 50).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			HealthIndicator health = context.getBean("pglogreplHealthIndicator", HealthIndicator.class);
			Soak.await("rows flowing", TIMEOUT, () -> deliveries.refresh().ids().size() > 20);
			// the rows committed so far are delivered before the drop (on PostgreSQL 14 a change committed just before
			// the DROP may not be decodable either once the walsender has seen it): 'Lost' checks that the stream's
			// failures and retries lose none of them, the rows from the drop on are reported apart
			long beforeDrop = writer.lastAcked();
			Soak.await("rows committed before the drop delivered", TIMEOUT,
					() -> deliveries.refresh().ids().containsAll(committedUpTo(pg, table, beforeDrop)));
			pg.execute("DROP PUBLICATION " + pub);
			Soak.sleep(500);
			pg.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
			long recreated = System.currentTimeMillis();
			if (pg.majorVersion() >= 18) {
				long marker = writer.lastAcked();
				Soak.await("rows written after the re-creation", TIMEOUT,
						() -> deliveries.refresh().ids().stream().anyMatch((id) -> id > marker));
				writer.stop();
				Soak.sleep(2000);
				Outcome outcome = beforeTheDrop(Sql.ids(pg::connect, table), deliveries.refresh(), beforeDrop);
				Report.add(new Report.Entry("8 (PG " + pg.majorVersion() + ")",
						"Publication dropped and created again under a writer", 1, outcome, Duration.ZERO,
						"PostgreSQL 18 skips the missing publication and streams on; "
								+ notPublished(Sql.ids(pg::connect, table), deliveries, beforeDrop)
								+ " rows committed while it was missing are not published by the server (not counted as "
								+ "lost: 'Lost' counts rows committed before the drop); health " + health.health().getStatus()));
				assertThat(outcome.lost()).as("%s", outcome).isZero();
				assertThat(health.health().getStatus()).isEqualTo(Status.UP);
				return;
			}
			long before = container.state().reconnects();
			String reason = null;
			while (System.currentTimeMillis() < recreated + watchMillis) {
				Health h = health.health(true);
				// the publication exists again: a reading that still says it is missing is the watchdog's poll lag
				// (at most a status interval), not the reason for BLOCKED
				if ((reason == null || reason.contains("no longer exist")) && Status.DOWN.equals(h.getStatus())
						&& "BLOCKED".equals(h.getDetails().get("status"))) {
					reason = String.valueOf(h.getDetails().get("reason"));
				}
				Soak.sleep(250);
			}
			long attempts = container.state().reconnects() - before;
			double perMinute = attempts * 60_000.0 / watchMillis;
			// the default backoff waits 1, 2, 4, 8, then 10 s: the attempts that fit in the window, one more for slack
			long expected = 0;
			for (long at = 0, delay = 1000; at + delay <= watchMillis; at += delay, delay = Math.min(2 * delay, 10_000)) {
				expected++;
			}
			writer.stop();
			// the way out: skip the changes the server cannot decode
			Soak.await("slot advanced", TIMEOUT, () -> {
				try {
					pg.execute("SELECT pg_replication_slot_advance('" + slot + "', pg_current_wal_lsn())");
					return true;
				}
				catch (IllegalStateException ex) {
					return false;
				}
			});
			pg.execute("INSERT INTO " + table + " VALUES (999999999, 'after the operator acted')");
			Soak.await("streaming on after the slot was advanced", TIMEOUT,
					() -> deliveries.refresh().ids().contains(999999999L));
			Outcome outcome = beforeTheDrop(Sql.ids(pg::connect, table), deliveries, beforeDrop);
			Report.add(new Report.Entry("8 (PG " + pg.majorVersion() + ")",
					"Publication dropped and created again under a writer", 1, outcome, Duration.ZERO,
					String.format("BLOCKED, health DOWN (\"%s...\"); %d walsender starts in %d s = %.1f per minute "
							+ "(a tight loop: about 60); streamed on after pg_replication_slot_advance, which skipped the "
							+ "%d rows committed from the drop until the advance (not counted as lost: 'Lost' counts rows "
							+ "committed before the drop)", (reason != null) ? reason.substring(0, Math.min(90, reason.length())) : null,
							attempts, watchMillis / 1000, perMinute, notPublished(Sql.ids(pg::connect, table), deliveries, beforeDrop))));
			assertThat(reason).as("health DOWN with the reason").contains("cannot be streamed past")
				.contains("pg_replication_slot_advance");
			assertThat(attempts).as("walsender starts in %d s (default backoff)", watchMillis / 1000)
				.isLessThanOrEqualTo(expected + 1);
			assertThat(outcome.lost()).as("%s", outcome).isZero();
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

	/** The outcome for the rows committed before the publication was dropped: every one must be delivered. */
	private static Outcome beforeTheDrop(java.util.Set<Long> committed, Deliveries deliveries, long beforeDrop) {
		java.util.Set<Long> before = new java.util.TreeSet<>();
		committed.stream().filter((id) -> id <= beforeDrop).forEach(before::add);
		return Outcome.of(before, deliveries);
	}

	private static java.util.Set<Long> committedUpTo(TestPostgres pg, String table, long id) {
		java.util.Set<Long> ids = new java.util.TreeSet<>();
		Sql.ids(pg::connect, table).stream().filter((i) -> i <= id).forEach(ids::add);
		return ids;
	}

	private static long notPublished(java.util.Set<Long> committed, Deliveries deliveries, long beforeDrop) {
		return committed.stream().filter((id) -> id > beforeDrop && !deliveries.ids().contains(id)).count();
	}

}
