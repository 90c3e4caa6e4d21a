package io.github.pglogrepl.spring.stream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.util.FileSystemUtils;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.health.PgLogReplHealthIndicator;
import io.github.pglogrepl.test.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Primary failover with a failover slot (PostgreSQL 17+): a primary and a physical standby made from it, slot
 * synchronisation configured as PostgreSQL documents it ({@link RestartablePostgres#createStandby}); the application
 * streams through a multi-host URL ({@code targetServerType=primary}) while a writer commits continuously; the old
 * primary is stopped and the standby promoted; the stream resumes on the promoted standby from its synchronised
 * slot. Checked: no committed row is lost (every row of the final primary's table is delivered, and nothing is
 * delivered that the table does not hold), the failover is counted with its redelivered range, readiness is reported
 * ({@code failover_ready}, {@code synchronized_standby_slots}) in health and the endpoint, and the time from the
 * promotion to the first row delivered from the new primary is printed. Repeated
 * {@code -Dpglogrepl.failover.rounds} times (default 1, about 35 s; the reliability module's long soak runs 5 as
 * scenario 9), each with a fresh standby of the new primary on the old primary's port. Skipped before PostgreSQL
 * 17.
 */
class FailoverTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String SLOT = "failover_slot";

	private static final String STANDBY_SLOT = "standby_slot";

	/** First delivery of each row: id → [port of the server it was committed on, nanoTime of arrival]. */
	static final Map<Long, long[]> delivered = new ConcurrentHashMap<>();

	static final AtomicLong deliveries = new AtomicLong();

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		RowRecorder rowRecorder() {
			return new RowRecorder();
		}

	}

	static class RowRecorder {

		@EventListener
		void on(InsertEvent<?> event) {
			long id = ((Number) event.newRow().get("id")).longValue();
			long port = ((Number) event.newRow().get("port")).longValue();
			deliveries.incrementAndGet();
			delivered.putIfAbsent(id, new long[] { port, System.nanoTime() });
		}

	}

	@Test
	void streamResumesOnThePromotedStandbyWithoutLosingARow() throws Exception {
		int rounds = Integer.getInteger("pglogrepl.failover.rounds", 1);
		Path base = Files.createTempDirectory("pglogrepl-failover");
		Map<String, String> config = RestartablePostgres.logicalConfig();
		int[] ports = { RestartablePostgres.freePort(), RestartablePostgres.freePort() };
		RestartablePostgres primary = new RestartablePostgres(base.resolve("pg0"), ports[0], config);
		RestartablePostgres standby = null;
		Writer writer = null;
		try {
			int major = Integer.parseInt(primary.queryString("SHOW server_version_num")) / 10000;
			assumeTrue(major >= 17, "FailoverTest skipped: failover slots need PostgreSQL 17 or later; the server is "
					+ primary.queryString("SHOW server_version"));
			primary.execute("CREATE TABLE failover_rows (id bigint PRIMARY KEY, port int NOT NULL)",
					"CREATE PUBLICATION failover_pub FOR TABLE failover_rows");
			standby = primary.createStandby(base.resolve("pg1"), ports[1], STANDBY_SLOT, config);
			primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
					"SELECT pg_reload_conf()");
			String url = "jdbc:postgresql://localhost:" + ports[0] + ",localhost:" + ports[1]
					+ "/postgres?targetServerType=primary&user=postgres";
			List<String> props = List.of("spring.datasource.url=" + url, "pglogrepl.slot.name=" + SLOT,
					"pglogrepl.slot.failover=true", "pglogrepl.publication.names=failover_pub",
					"pglogrepl.status-interval=1s", "pglogrepl.reconnect.initial-interval=200ms",
					"pglogrepl.reconnect.max-interval=1s", "management.endpoints.web.exposure.include=health,pglogrepl",
					"spring.main.banner-mode=off");
			try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
				assertThat(primary.queryString("SELECT failover FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'"))
					.isEqualTo("t");
				writer = new Writer(url);
				writer.start();
				List<Long> promotionToFirstRow = new ArrayList<>();
				for (int round = 1; round <= rounds; round++) {
					RestartablePostgres standbyNow = standby;
					long before = deliveries.get();
					StreamTestSupport.await("rows delivered before failover " + round,
							() -> deliveries.get() > before + 50, TIMEOUT);
					StreamTestSupport.await("the standby's copy of the slot synchronised", () -> syncedOn(standbyNow), TIMEOUT);
					FailoverReadiness readiness = FailoverReadiness.check(container.getContainerProperties(),
							container.getConnectionFactory());
					assertThat(readiness.standbySynchronized()).isTrue();
					assertThat(readiness.standbys()).singleElement().satisfies((s) -> {
						assertThat(s.host()).isEqualTo("localhost:" + standbyNow.port());
						assertThat(s.failoverReady()).as(s.toString()).isTrue();
					});
					assertThat(readiness.warning()).isNull();
					if (round == 1) {
						assertHealthAndEndpoint(context, standbyNow.port());
					}
					long slotOnStandby = lsn(standbyNow.queryString(
							"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'"));

					primary.stopFast();
					// the writer writes ids in order: one beyond the next after the last acknowledged by the old
					// primary was committed on the new one (the next may be either: its commit may not have been
					// acknowledged before the server went)
					long firstOfNewPrimary = writer.lastAcknowledged() + 2;
					long promoting = System.nanoTime();
					standbyNow.promote();
					long promoted = System.nanoTime();
					StreamTestSupport.await("a row from the promoted server (round " + round + ")",
							() -> delivered.keySet().stream().anyMatch((id) -> id >= firstOfNewPrimary), TIMEOUT);
					long first = delivered.entrySet().stream().filter((e) -> e.getKey() >= firstOfNewPrimary)
						.mapToLong((e) -> e.getValue()[1]).min().getAsLong();
					assertThat(delivered.get(firstOfNewPrimary)[0]).isEqualTo(standbyNow.port());
					long millis = (first - promoting) / 1_000_000;
					long committedAt = writer.acknowledgedAt(firstOfNewPrimary);
					promotionToFirstRow.add(millis);
					FailoverHistory history = container.failoverHistory();
					System.out.println("Failover round " + round + " (PostgreSQL " + standbyNow.queryString("SHOW server_version")
							+ "): promotion took " + (promoted - promoting) / 1_000_000 + " ms; first row from the new primary "
							+ millis + " ms after the promotion began (its commit acknowledged to the writer after "
							+ (committedAt - promoting) / 1_000_000 + " ms, delivered " + (first - committedAt) / 1_000_000
							+ " ms after that); timeline " + history.timeline() + "; redelivered "
							+ history.redeliveredBytes() + " bytes of WAL so far");
					assertThat(history.failovers()).isEqualTo(round);
					assertThat(history.timeline()).isEqualTo(round + 1);
					assertThat(history.lastFailoverAt()).isNotNull();
					if (history.lastRedeliveredFrom() != null) {
						assertThat(history.lastRedeliveredFrom().asLong()).isGreaterThanOrEqualTo(slotOnStandby);
					}
					double redeliveredMeter = context.getBean(MeterRegistry.class)
						.get("pglogrepl.failover.redelivered").tag("slot", SLOT).functionCounter().count();
					assertThat(redeliveredMeter).isEqualTo(history.redeliveredBytes());
					assertThat(context.getBean(MeterRegistry.class).get("pglogrepl.failovers").functionCounter().count())
						.isEqualTo(round);

					// a fresh standby of the new primary, on the old primary's port
					Path oldDir = primary.dataDir();
					primary.close();
					FileSystemUtils.deleteRecursively(oldDir);
					primary = standbyNow;
					standby = primary.createStandby(base.resolve("pg" + (round + 1)), (round % 2 == 1) ? ports[0] : ports[1],
							STANDBY_SLOT, config);
					primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
							"SELECT pg_reload_conf()");
				}
				long written = writer.stopAndCount();
				RestartablePostgres last = primary;
				Set<Long> committed = last.ids("failover_rows");
				StreamTestSupport.await("every committed row delivered", () -> delivered.keySet().containsAll(committed),
						TIMEOUT);
				Set<Long> missing = new TreeSet<>(committed);
				missing.removeAll(delivered.keySet());
				Set<Long> phantom = new TreeSet<>(delivered.keySet());
				phantom.removeAll(committed);
				System.out.println("Failover: " + rounds + " rounds, " + committed.size() + " committed rows (writer: "
						+ written + "), " + missing.size() + " lost, " + (deliveries.get() - delivered.size())
						+ " delivered again, promotion to first row " + promotionToFirstRow + " ms");
				assertThat(missing).as("committed rows never delivered").isEmpty();
				assertThat(phantom).as("delivered rows the final primary does not hold").isEmpty();
				assertThat(committed.size()).isGreaterThan(rounds * 50);
			}
		}
		finally {
			if (writer != null) {
				writer.stopAndCount();
			}
			if (standby != null) {
				standby.close();
			}
			primary.close();
			FileSystemUtils.deleteRecursively(base);
		}
	}

	private static boolean syncedOn(RestartablePostgres standby) {
		return "t".equals(standby.queryString("SELECT synced AND NOT temporary AND invalidation_reason IS NULL "
				+ "FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
	}

	@SuppressWarnings("unchecked")
	private static void assertHealthAndEndpoint(ConfigurableApplicationContext context, int standbyPort) {
		Health health = context.getBean(PgLogReplHealthIndicator.class).health(true);
		Map<String, Object> failover = (Map<String, Object>) health.getDetails().get("failover");
		assertThat(failover).containsEntry("slot_failover", true).doesNotContainKey("warning");
		assertThat((List<Map<String, Object>>) failover.get("synchronized_standby_slots")).singleElement()
			.satisfies((s) -> assertThat(s).containsEntry("slot_name", STANDBY_SLOT).containsEntry("exists", true)
				.containsEntry("active", true));
		assertThat((List<Map<String, Object>>) failover.get("standbys")).singleElement()
			.satisfies((s) -> assertThat(s).containsEntry("host", "localhost:" + standbyPort)
				.containsEntry("failover_ready", true)
				.containsEntry("synced", true));
		assertThat(failover).containsEntry("timeline", 1).containsEntry("failovers", 0L);
		Map<String, Object> stream = (Map<String, Object>) ((Map<String, Object>) context.getBean(PgLogReplEndpoint.class)
			.report()
			.get("streams")).get("default");
		Map<String, Object> endpointFailover = (Map<String, Object>) stream.get("failover");
		assertThat((List<Map<String, Object>>) endpointFailover.get("standbys")).singleElement()
			.satisfies((s) -> assertThat(s).containsEntry("failover_ready", true));
	}

	private static long lsn(String text) {
		return io.github.pglogrepl.Lsn.parse(text).asLong();
	}

	/** Commits one row after another through the multi-host URL, reconnecting to whichever server is primary. */
	private static final class Writer extends Thread {

		private final String url;

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Set<Long> acknowledged = new HashSet<>();

		private final Map<Long, Long> acknowledgedAt = new ConcurrentHashMap<>();

		Writer(String url) {
			super("failover-writer");
			this.url = url;
			setDaemon(true);
		}

		@Override
		public void run() {
			long id = 1;
			Connection connection = null;
			while (this.running.get()) {
				try {
					if (connection == null) {
						connection = DriverManager.getConnection(this.url + "&connectTimeout=2&socketTimeout=5");
					}
					try (PreparedStatement ps = connection.prepareStatement(
							"INSERT INTO failover_rows VALUES (?, inet_server_port()) ON CONFLICT (id) DO NOTHING")) {
						ps.setLong(1, id);
						ps.executeUpdate();
					}
					this.acknowledgedAt.put(id, System.nanoTime());
					synchronized (this.acknowledged) {
						this.acknowledged.add(id);
					}
					id++;
					Thread.sleep(5);
				}
				catch (SQLException ex) {
					closeQuietly(connection);
					connection = null;
					sleepQuietly(20);
				}
				catch (InterruptedException ex) {
					break;
				}
			}
			closeQuietly(connection);
		}

		long acknowledgedAt(long id) {
			Long at = this.acknowledgedAt.get(id);
			return (at != null) ? at : -1;
		}

		long lastAcknowledged() {
			synchronized (this.acknowledged) {
				return this.acknowledged.stream().mapToLong(Long::longValue).max().orElse(0);
			}
		}

		long stopAndCount() throws InterruptedException {
			this.running.set(false);
			join(10_000);
			synchronized (this.acknowledged) {
				return this.acknowledged.size();
			}
		}

		private static void closeQuietly(Connection connection) {
			try {
				if (connection != null) {
					connection.close();
				}
			}
			catch (SQLException ex) {
				// broken already
			}
		}

		private static void sleepQuietly(long millis) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
