package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.SqlAccess;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A slot that vanishes — dropped under a running stream, or while the application is down — is never papered over
 * ({@code pglogrepl.slot.on-lost}): {@code fail} stops the stream (health DOWN, an ERROR with the last acknowledged
 * position and the ways out) or refuses to start, {@code recreate} creates it again loudly and counts it,
 * {@code recreate-and-snapshot} also backfills the tables. Runs on 18 and, in the {@code all-versions} pass, 14.
 */
@Tag("all-versions")
@RealPostgres
@ExtendWith(OutputCaptureExtension.class)
class SlotLossTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	/** Ids delivered by inserts, and by snapshots. */
	static class Rows {

		final Set<Integer> inserted = ConcurrentHashMap.newKeySet();

		final Set<Integer> snapshot = ConcurrentHashMap.newKeySet();

		@EventListener
		void on(InsertEvent<ChangeRow> event) {
			this.inserted.add((Integer) event.newRow().get("id"));
		}

		@EventListener
		void on(SnapshotEvent<ChangeRow> event) {
			this.snapshot.add((Integer) event.newRow().get("id"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Rows rows() {
			return new Rows();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	/** Ends the walsender that holds the slot and drops the slot before the stream reconnects. */
	static void dropUnderTheStream(SqlAccess pg, String slot) {
		StreamTestSupport.await("slot dropped", () -> {
			pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
					+ "' AND active_pid IS NOT NULL");
			try {
				pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
				return true;
			}
			catch (IllegalStateException ex) {
				return false; // active again: terminated too late or reconnected in between
			}
		}, TIMEOUT);
	}

	private static Health health(ConfigurableApplicationContext context) {
		return context.getBean("pglogreplHealthIndicator", HealthIndicator.class).health(true);
	}

	private static boolean slotExists(SqlAccess pg, String slot) {
		return pg.queryString("SELECT slot_name FROM pg_replication_slots WHERE slot_name = '" + slot + "'") != null;
	}

	@Test
	void aSlotDroppedWhileStreamingStopsTheStreamWithTheLastAcknowledgedPositionAndTheWaysOut(TestPostgres pg,
			CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=200ms");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Rows rows = context.getBean(Rows.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("row 1", () -> rows.inserted.contains(1), TIMEOUT);
			StreamTestSupport.await("row 1 acknowledged", () -> container.state().flushedLsn().toString()
				.equals(pg.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
						+ slot + "'")) && container.state().lagBytes() == 0, TIMEOUT);
			String acknowledged = container.state().flushedLsn().toString();

			dropUnderTheStream(pg, slot);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");

			StreamTestSupport.await("SLOT_LOST", () -> container.state().status() == StreamStatus.SLOT_LOST, TIMEOUT);
			StreamTestSupport.await("stopped", () -> !container.isRunning(), TIMEOUT);
			Health down = health(context);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("status", "SLOT_LOST");
			assertThat(String.valueOf(down.getDetails().get("reason")))
				.contains("The replication slot '" + slot + "' (pglogrepl.slot.name) no longer exists")
				.contains("last acknowledged position " + acknowledged)
				.contains("pglogrepl.slot.on-lost=recreate-and-snapshot")
				.contains("DELETE FROM \"pglogrepl_slot\" WHERE slot_name = '" + slot + "'");
			// nothing was re-created behind the operator's back, and it stays so
			StreamTestSupport.sleep(1500);
			assertThat(slotExists(pg, slot)).isFalse();
			assertThat(container.state().status()).isEqualTo(StreamStatus.SLOT_LOST);
			assertThat(output.getAll()).contains("ERROR").contains("no longer exists (dropped");
			assertThat(rows.inserted).containsExactly(1);
		}
	}

	@Test
	void aSlotMissingAtRestartIsRefusedUnlessOnLostSaysToCreateItAgain(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Rows rows = context.getBean(Rows.class);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("row 1", () -> rows.inserted.contains(1), TIMEOUT);
		}
		StreamTestSupport.await("slot inactive", () -> "false".equals(
				pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")), TIMEOUT);
		pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");

		// the default, fail: the application does not start, and creates nothing
		assertThatThrownBy(() -> StreamTestSupport.start(props, Config.class).close()).rootCause()
			.isInstanceOf(ReplicationSetupException.class)
			.hasMessageContaining("The replication slot '" + slot + "' (pglogrepl.slot.name) no longer exists")
			.hasMessageContaining("although this application streamed from it before (recorded in \"pglogrepl_slot\")")
			.hasMessageContaining("It is not created again silently (pglogrepl.slot.on-lost=fail)")
			.satisfies((ex) -> assertThat(((ReplicationSetupException) ex).action())
				.contains("pglogrepl.slot.on-lost=recreate-and-snapshot")
				.contains("DELETE FROM \"pglogrepl_slot\" WHERE slot_name = '" + slot + "'"));
		assertThat(slotExists(pg, slot)).isFalse();

		// recreate: created again, said loudly, counted; what was committed in between is not delivered
		props.add("pglogrepl.slot.on-lost=recreate");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Rows rows = context.getBean(Rows.class);
			assertThat(slotExists(pg, slot)).isTrue();
			assertThat(context.getBean(MeterRegistry.class).get("pglogrepl.slot.recreated").tag("slot", slot)
				.functionCounter().count()).isEqualTo(1);
			assertThat(output.getAll()).contains("Re-created replication slot '" + slot + "' at ")
				.contains("(pglogrepl.slot.on-lost=recreate, counted by pglogrepl.slot.recreated)");
			pg.execute("INSERT INTO " + tp[0] + " VALUES (3)");
			StreamTestSupport.await("row 3", () -> rows.inserted.contains(3), TIMEOUT);
			assertThat(rows.inserted).containsExactly(3);
			assertThat(container.slotRecreations()).isOne();
		}
	}

	@Test
	void recreateAndSnapshotCreatesTheDroppedSlotAgainAndBackfillsTheTables(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.slot.on-lost=recreate-and-snapshot");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Rows rows = context.getBean(Rows.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("row 1", () -> rows.inserted.contains(1), TIMEOUT);

			dropUnderTheStream(pg, slot);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");

			StreamTestSupport.await("re-created", () -> container.slotRecreations() == 1, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (3)");
			StreamTestSupport.await("row 3", () -> rows.inserted.contains(3), TIMEOUT);
			// the backfill reads every row of the table: row 2, committed while the slot was missing, included
			StreamTestSupport.await("backfill", () -> rows.snapshot.containsAll(List.of(1, 2)), TIMEOUT);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			assertThat(slotExists(pg, slot)).isTrue();
			assertThat(container.snapshots().list()).isNotEmpty();
		}
	}

}
