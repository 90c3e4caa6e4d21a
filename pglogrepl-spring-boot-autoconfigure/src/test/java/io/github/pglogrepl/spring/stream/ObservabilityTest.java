package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.health.PgLogReplHealthIndicator;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metrics, health and the actuator endpoint read the expected values at known points.
 */
@RealPostgres
class ObservabilityTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Test
	void metricsHealthAndEndpointAtKnownPoints(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=200ms");
		props.add("pglogrepl.slot.create=temporary");
		props.add("management.endpoints.web.exposure.include=health,pglogrepl");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			assertThat(registry.get("pglogrepl.transactions").tag("slot", slot).functionCounter().count()).isZero();
			pg.execute("INSERT INTO " + tp[0] + " SELECT generate_series(1, 3)", "INSERT INTO " + tp[0] + " VALUES (4)");
			StreamTestSupport.await("two commits", () -> recorder.of(CommitEvent.class).size() == 2, TIMEOUT);
			Lsn end = recorder.of(CommitEvent.class).get(1).endLsn();
			StreamTestSupport.await("flushed", () -> !container.state().flushedLsn().isBefore(end), TIMEOUT);
			assertThat(registry.get("pglogrepl.transactions").tag("slot", slot).functionCounter().count()).isEqualTo(2);
			assertThat(registry.get("pglogrepl.messages").tags("slot", slot, "type", "insert").functionCounter().count())
				.isEqualTo(4);
			assertThat(registry.get("pglogrepl.messages").tags("slot", slot, "type", "begin").functionCounter().count())
				.isEqualTo(2);
			assertThat(registry.get("pglogrepl.messages").tags("slot", slot, "type", "relation").functionCounter().count())
				.isEqualTo(1);
			assertThat((long) registry.get("pglogrepl.lsn.flushed").tag("slot", slot).gauge().value())
				.isGreaterThanOrEqualTo(end.asLong());
			assertThat((long) registry.get("pglogrepl.lsn.received").tag("slot", slot).gauge().value())
				.isGreaterThanOrEqualTo(recorder.of(CommitEvent.class).get(1).commitLsn().asLong());
			assertThat(registry.get("pglogrepl.reconnects").tag("slot", slot).functionCounter().count()).isZero();
			// caught up: no time lag; byte lag is what the server wrote since (nothing of ours)
			assertThat(registry.get("pglogrepl.lag.time").tag("slot", slot).timeGauge().value()).isZero();
			double lag = registry.get("pglogrepl.lag").tag("slot", slot).gauge().value();
			assertThat(lag).isEqualTo(container.state().lagBytes()).isGreaterThanOrEqualTo(0);
			assertThat(registry.get("pglogrepl.lag").tag("slot", slot).gauge().getId().getBaseUnit()).isEqualTo("bytes");
			// health
			Health health = context.getBean(PgLogReplHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("slot", slot).containsEntry("status", "STREAMING");
			// endpoint
			@SuppressWarnings("unchecked")
			Map<String, Object> report = ((Map<String, Map<String, Object>>) context.getBean(PgLogReplEndpoint.class)
				.report()
				.get("streams")).get("default");
			@SuppressWarnings("unchecked")
			Map<String, Object> stream = (Map<String, Object>) report.get("stream");
			assertThat(stream).containsEntry("status", "STREAMING").containsEntry("slot", slot).containsEntry("transactions", 2L);
			@SuppressWarnings("unchecked")
			Map<String, Object> slotInfo = (Map<String, Object>) report.get("slot");
			assertThat(slotInfo).containsEntry("slot_name", slot).containsEntry("plugin", "pgoutput").containsEntry("active", true);
			assertThat(report.get("publications").toString()).contains(tp[0]);
			// a terminated walsender shows as a reconnect
			pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
			StreamTestSupport.await("reconnect counted",
					() -> registry.get("pglogrepl.reconnects").tag("slot", slot).functionCounter().count() >= 1, TIMEOUT);
		}
		assertThat(pg.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
			.as("temporary slot is gone").isEqualTo("0");
	}

	@Test
	void lagGrowsWhileTheListenerIsBehind(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=200ms");
		props.add("pglogrepl.slot.create=temporary");
		java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			context.addApplicationListener((org.springframework.context.ApplicationListener<CommitEvent>) (e) -> {
				try {
					gate.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			Thread.sleep(1500);
			double lagTime = registry.get("pglogrepl.lag.time").tag("slot", slot).timeGauge().value();
			double lagBytes = registry.get("pglogrepl.lag").tag("slot", slot).gauge().value();
			gate.countDown();
			assertThat(lagTime).isGreaterThanOrEqualTo(1.0).isLessThan(30);
			assertThat(lagBytes).isPositive();
			StreamTestSupport.await("caught up",
					() -> registry.get("pglogrepl.lag.time").tag("slot", slot).timeGauge().value() == 0, TIMEOUT);
		}
	}

	@Test
	void aDroppedPublicationIsReportedNotSilentlyIgnored(TestPostgres pg) throws InterruptedException {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=500ms");
		props.add("pglogrepl.slot.create=temporary");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			PgLogReplHealthIndicator health = context.getBean(PgLogReplHealthIndicator.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("UP", () -> Status.UP.equals(health.health(true).getStatus()), TIMEOUT);
			pg.execute("DROP PUBLICATION " + tp[1]);
			StreamTestSupport.await("DOWN", () -> Status.DOWN.equals(health.health(true).getStatus()), TIMEOUT);
			assertThat((String) health.health(true).getDetails().get("reason")).contains(tp[1]).contains("no longer exist");
			assertThat(container.state().problem()).contains("pglogrepl.publication.names");
			pg.execute("CREATE PUBLICATION " + tp[1] + " FOR TABLE " + tp[0]);
			StreamTestSupport.await("UP again", () -> Status.UP.equals(health.health(true).getStatus()), TIMEOUT);
			// the checks (every 1 s here) keep one connection: the same backend before and after 3 more checks
			String watchdog = "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = 'pglogrepl-"
					+ slot + "-watchdog'";
			String before = pg.queryString(watchdog);
			Thread.sleep(3500);
			assertThat(before).isNotNull().doesNotContain(",");
			assertThat(pg.queryString(watchdog)).isEqualTo(before);
		}
		// and closes it on stop
		StreamTestSupport.await("watchdog connection closed", () -> pg.queryString(
				"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pglogrepl-" + slot + "-watchdog'")
			.equals("0"), TIMEOUT);
	}

	@Test
	void healthGoesDownWhenTheServerIsGone(TestPostgres shared) throws Exception {
		EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
		try {
			String url = server.getJdbcUrl("postgres", "postgres");
			try (var c = java.sql.DriverManager.getConnection(url, "postgres", null); var st = c.createStatement()) {
				st.execute("CREATE TABLE t (id int primary key)");
				st.execute("CREATE PUBLICATION p FOR TABLE t");
			}
			List<String> props = List.of("spring.datasource.url=" + url, "spring.datasource.username=postgres",
					"pglogrepl.slot.name=health_slot", "pglogrepl.publication.names=p",
					"pglogrepl.reconnect.initial-interval=200ms", "pglogrepl.reconnect.max-interval=500ms",
					"spring.main.banner-mode=off");
			try (ConfigurableApplicationContext context = StreamTestSupport.start(new java.util.ArrayList<>(props),
					Config.class)) {
				PgLogReplHealthIndicator health = context.getBean(PgLogReplHealthIndicator.class);
				StreamTestSupport.await("UP", () -> Status.UP.equals(health.health(true).getStatus()), TIMEOUT);
				server.close();
				StreamTestSupport.await("DOWN", () -> Status.DOWN.equals(health.health(true).getStatus()), TIMEOUT);
				Health down = health.health(true);
				assertThat(down.getDetails()).containsKey("reason").containsEntry("slot", "health_slot");
				assertThat((String) down.getDetails().get("status")).isIn("RECONNECTING", "CONNECTING");
			}
		}
		finally {
			server.close();
		}
	}

}
