package io.github.pglogrepl.spring.stream;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.test.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A slot the server invalidates ({@code max_slot_wal_keep_size}; PostgreSQL 18's
 * {@code idle_replication_slot_timeout}) goes to {@code pglogrepl.slot.on-lost} — while streaming (it was retried
 * forever before) and at startup — on a server of its own with {@code max_slot_wal_keep_size = 1MB}. Runs on 18 and,
 * in the {@code all-versions} pass, 14 (the idle timeout on 18 only).
 */
@Tag("all-versions")
class SlotInvalidationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static RestartablePostgres pg;

	@BeforeAll
	static void startServer() throws Exception {
		Map<String, String> config = RestartablePostgres.logicalConfig();
		config.put("max_slot_wal_keep_size", "1MB");
		pg = new RestartablePostgres(Files.createTempDirectory("pglogrepl-invalidation").resolve("pgdata"), config);
		pg.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE filler (pad text)",
				"CREATE PUBLICATION p FOR TABLE t");
	}

	@AfterAll
	static void stopServer() {
		pg.close();
	}

	/** Holds the transaction of row {@code hold} until released; records ids of inserts and snapshot rows. */
	static class Rows {

		static volatile int hold = -1;

		static volatile CountDownLatch release = new CountDownLatch(0);

		final Set<Integer> inserted = ConcurrentHashMap.newKeySet();

		final Set<Integer> snapshot = ConcurrentHashMap.newKeySet();

		@EventListener
		void on(InsertEvent<ChangeRow> event) throws InterruptedException {
			int id = (Integer) event.newRow().get("id");
			if (id == hold) {
				release.await(2, TimeUnit.MINUTES);
			}
			this.inserted.add(id);
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

	}

	private static List<String> properties(String slot) {
		return new java.util.ArrayList<>(List.of("spring.datasource.url=" + pg.jdbcUrl(), "pglogrepl.slot.name=" + slot,
				"pglogrepl.publication.names=p", "pglogrepl.reconnect.initial-interval=200ms",
				"pglogrepl.reconnect.max-interval=1s", "pglogrepl.status-interval=500ms", "spring.main.banner-mode=off"));
	}

	/** Writes and switches past several WAL segments, then checkpoints: a slot that holds them back is invalidated. */
	private static void exceedWalKeepSize() {
		for (int i = 0; i < 4; i++) {
			pg.execute("INSERT INTO filler SELECT repeat('x', 500) FROM generate_series(1, 2000)", "SELECT pg_switch_wal()");
		}
		pg.execute("CHECKPOINT", "CHECKPOINT");
	}

	private static String walStatus(String slot) {
		return pg.queryString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	private static int major() {
		return Integer.parseInt(pg.queryString("SHOW server_version_num")) / 10000;
	}

	@Test
	void aSlotInvalidatedWhileStreamingStopsTheStreamInsteadOfRetryingForever() {
		String slot = "invalidated_live";
		Rows.hold = 1;
		Rows.release = new CountDownLatch(1);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(properties(slot), Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			// the listener holds row 1: nothing after it is acknowledged, the slot keeps the WAL from there on
			pg.execute("INSERT INTO t VALUES (1)");
			StreamTestSupport.await("row 1 received", () -> container.state().receivedLsn().isAfter(
					container.state().flushedLsn()), TIMEOUT);
			exceedWalKeepSize();
			StreamTestSupport.await("slot invalidated", () -> "lost".equals(walStatus(slot)), TIMEOUT);
			Rows.release.countDown();

			StreamTestSupport.await("SLOT_LOST", () -> container.state().status() == StreamStatus.SLOT_LOST, TIMEOUT);
			Health down = context.getBean("pglogreplHealthIndicator", HealthIndicator.class).health(true);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(String.valueOf(down.getDetails().get("reason")))
				.contains("The replication slot '" + slot + "' (pglogrepl.slot.name) was invalidated by the server "
						+ "(wal_status = lost" + ((major() >= 17) ? ", invalidation_reason = wal_removed" : ""))
				.contains("max_slot_wal_keep_size")
				.contains("last acknowledged position")
				.contains("SELECT pg_drop_replication_slot('" + slot + "')");
			StreamTestSupport.await("stopped", () -> !container.isRunning(), TIMEOUT);
			long reconnects = container.state().reconnects();
			StreamTestSupport.sleep(2000);
			assertThat(container.state().reconnects()).as("no more attempts").isEqualTo(reconnects);
			assertThat(walStatus(slot)).as("the invalidated slot is left for the operator").isEqualTo("lost");
		}
		finally {
			Rows.release.countDown();
			Rows.hold = -1;
		}
		pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
	}

	@Test
	void anInvalidatedSlotAtStartupIsDroppedCreatedAgainAndTheTablesBackfilledWithRecreateAndSnapshot() {
		String slot = "invalidated_at_start";
		pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')", "DELETE FROM t",
				"INSERT INTO t VALUES (10)");
		exceedWalKeepSize();
		assertThat(walStatus(slot)).isEqualTo("lost");
		pg.execute("INSERT INTO t VALUES (11)");

		assertThatThrownBy(() -> StreamTestSupport.start(properties(slot), Config.class).close()).rootCause()
			.isInstanceOf(ReplicationSetupException.class)
			.hasMessageContaining("was invalidated by the server (wal_status = lost")
			.hasMessageContaining("It is not created again silently (pglogrepl.slot.on-lost=fail)");

		List<String> props = properties(slot);
		props.add("pglogrepl.slot.on-lost=recreate-and-snapshot");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Rows rows = context.getBean(Rows.class);
			assertThat(walStatus(slot)).isEqualTo("reserved");
			assertThat(container.slotRecreations()).isOne();
			StreamTestSupport.await("backfill", () -> rows.snapshot.containsAll(List.of(10, 11)), TIMEOUT);
			pg.execute("INSERT INTO t VALUES (12)");
			StreamTestSupport.await("row 12", () -> rows.inserted.contains(12), TIMEOUT);
		}
	}

	@Test
	void aSlotInvalidatedByIdleReplicationSlotTimeoutIsRefusedAtStartup() {
		assumeTrue(major() >= 18, "idle_replication_slot_timeout came with PostgreSQL 18");
		String slot = "invalidated_idle";
		try (ConfigurableApplicationContext context = StreamTestSupport.start(properties(slot), Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
		}
		try {
			pg.execute("ALTER SYSTEM SET idle_replication_slot_timeout = '1s'", "SELECT pg_reload_conf()");
			StreamTestSupport.sleep(2500);
			pg.execute("CHECKPOINT");
			StreamTestSupport.await("slot invalidated", () -> "idle_timeout".equals(pg.queryString(
					"SELECT invalidation_reason FROM pg_replication_slots WHERE slot_name = '" + slot + "'")), TIMEOUT);
		}
		finally {
			pg.execute("ALTER SYSTEM RESET idle_replication_slot_timeout", "SELECT pg_reload_conf()");
		}
		assertThatThrownBy(() -> StreamTestSupport.start(properties(slot), Config.class).close()).rootCause()
			.isInstanceOf(ReplicationSetupException.class)
			.hasMessageContaining("invalidation_reason = idle_timeout")
			.hasMessageContaining("idle_replication_slot_timeout");
		pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
	}

}
