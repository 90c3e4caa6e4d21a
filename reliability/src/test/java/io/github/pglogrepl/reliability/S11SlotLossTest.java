package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RestartablePostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scenario 11: the slot is lost under a writer, with {@code pglogrepl.slot.on-lost=recreate-and-snapshot} — (a)
 * dropped (walsender terminated, slot dropped before the stream reconnects), (b) invalidated by the server
 * ({@code max_slot_wal_keep_size=1MB}, the listener holding the slot back while WAL is written past it and a
 * checkpoint runs). Each time the stream creates the slot again and backfills the table; a committed row counts as
 * delivered when the listener recorded it from the stream ({@code InsertEvent}, fsync'd) or the backfill
 * ({@code SnapshotEvent}), so 'Lost' must stay 0: the consumer's state is repaired. Long soak only (3 rounds each);
 * every build runs {@code SlotLossTest} and {@code SlotInvalidationTest} in the autoconfigure module.
 */
class S11SlotLossTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	/** Rows of snapshots, and a gate that holds every insert while closed. */
	static class SnapshotRows {

		static final Set<Long> IDS = ConcurrentHashMap.newKeySet();

		static volatile CountDownLatch gate = new CountDownLatch(0);

		@EventListener
		void snapshot(SnapshotEvent<ChangeRow> event) {
			IDS.add(((Number) event.newRow().get("id")).longValue());
		}

		@EventListener
		void inserted(InsertEvent<ChangeRow> event) throws InterruptedException {
			gate.await(2, TimeUnit.MINUTES);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SnapshotRowsConfig {

		@Bean
		SnapshotRows snapshotRows() {
			return new SnapshotRows();
		}

	}

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void aLostSlotIsCreatedAgainAndTheBackfillRepairsEveryRowCommittedMeanwhile() {
		assumeTrue(Soak.LONG, "S11 (slot loss) runs in the long soak (-Dreliability.long=true); SlotLossTest and "
				+ "SlotInvalidationTest in the autoconfigure module run in every build");
		int rounds = Soak.pick(1, 3);
		Path dir = Soak.workDir("s11-slot-loss");
		Map<String, String> config = RestartablePostgres.logicalConfig();
		config.put("max_slot_wal_keep_size", "1MB");
		try (RestartablePostgres pg = new RestartablePostgres(dir.resolve("pgdata"), config)) {
			pg.execute("CREATE TABLE filler (pad text)");
			run(pg, dir, "a", "Slot dropped under a writer (walsender terminated, slot dropped), on-lost=recreate-and-snapshot",
					rounds, false);
			run(pg, dir, "b", "Slot invalidated under a writer (max_slot_wal_keep_size=1MB, listener held), "
					+ "on-lost=recreate-and-snapshot", rounds, true);
		}
	}

	private static void run(RestartablePostgres pg, Path dir, String part, String title, int rounds, boolean invalidate) {
		String table = "s11" + part;
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + table + "_pub FOR TABLE " + table);
		String slot = table + "_slot";
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), null, slot, table + "_pub", table));
		AppProperties.set(props, "pglogrepl.slot.create", "if-missing");
		props.add("pglogrepl.slot.on-lost=recreate-and-snapshot");
		Path file = dir.resolve(part + ".deliveries");
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		SnapshotRows.IDS.clear();
		List<Long> recoveries = new ArrayList<>();
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 5, 5).start();
		long recreations;
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, SnapshotRowsConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Soak.await("streaming", TIMEOUT, () -> container.state().status() == StreamStatus.STREAMING);
			for (int round = 1; round <= rounds; round++) {
				Soak.sleep(1000);
				long faultAt = System.currentTimeMillis();
				long marker = writer.lastAcked();
				if (invalidate) {
					SnapshotRows.gate = new CountDownLatch(1);
					for (int i = 0; i < 4; i++) {
						pg.execute("INSERT INTO filler SELECT repeat('x', 500) FROM generate_series(1, 2000)",
								"SELECT pg_switch_wal()");
					}
					pg.execute("CHECKPOINT", "CHECKPOINT");
					Soak.await("slot invalidated", TIMEOUT, () -> "lost".equals(pg.queryString(
							"SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
					SnapshotRows.gate.countDown();
				}
				else {
					Soak.await("slot dropped", TIMEOUT, () -> {
						pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
								+ slot + "' AND active_pid IS NOT NULL");
						try {
							pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
							return true;
						}
						catch (IllegalStateException ex) {
							return false;
						}
					});
				}
				int expected = round;
				Soak.await("slot created again (round " + round + ")", TIMEOUT,
						() -> container.slotRecreations() == expected);
				Soak.await("rows committed after the loss", TIMEOUT,
						() -> deliveries.refresh().firstDeliveryAfter(marker, faultAt) >= 0);
				recoveries.add(deliveries.firstDeliveryAfter(marker, faultAt) - faultAt);
				// the backfill of this round: every row committed before it started is there
				Set<Long> before = Sql.ids(pg::connect, table);
				Soak.await("backfill of round " + round, TIMEOUT, () -> {
					Set<Long> missing = new TreeSet<>(before);
					missing.removeAll(SnapshotRows.IDS);
					missing.removeAll(deliveries.refresh().ids());
					return missing.isEmpty();
				});
			}
			writer.stop();
			recreations = container.slotRecreations();
			Set<Long> committed = Sql.ids(pg::connect, table);
			Soak.await("every committed row delivered or backfilled", TIMEOUT, () -> {
				Set<Long> missing = new TreeSet<>(committed);
				missing.removeAll(SnapshotRows.IDS);
				missing.removeAll(deliveries.refresh().ids());
				return missing.isEmpty();
			});
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			SnapshotRows.gate.countDown();
			writer.stop();
		}
		Set<Long> committed = Sql.ids(pg::connect, table);
		Outcome streamed = Outcome.of(committed, deliveries);
		List<Long> lost = new ArrayList<>();
		long backfilledOnly = 0;
		long duplicates = streamed.duplicates();
		for (long id : committed) {
			boolean inStream = deliveries.count(id) > 0;
			boolean inSnapshot = SnapshotRows.IDS.contains(id);
			if (!inStream && !inSnapshot) {
				lost.add(id);
			}
			else if (!inStream) {
				backfilledOnly++;
			}
			else if (inSnapshot) {
				duplicates++;
			}
		}
		Outcome outcome = new Outcome(committed.size(), committed.size() - lost.size(), lost.size(), duplicates,
				lost.subList(0, Math.min(20, lost.size())));
		long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
		Report.add(new Report.Entry("11" + part, title, rounds, outcome, Duration.ofMillis(maxRecovery),
				recreations + " re-creations counted (pglogrepl.slot.recreated); " + streamed.lost()
						+ " committed rows not delivered by the stream (committed while the slot was missing or unusable), "
						+ backfilledOnly + " of them repaired only by the backfill; duplicates include rows both streamed "
						+ "and backfilled; recovery = loss to first new row recorded from the stream"));
		assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
		assertThat(recreations).isEqualTo(rounds);
		Sql.dropSlotQuietly(pg::connect, slot);
	}

}
