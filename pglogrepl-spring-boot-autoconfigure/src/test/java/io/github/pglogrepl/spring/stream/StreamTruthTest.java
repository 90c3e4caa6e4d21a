package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.ReplicationStreamContainerCustomizer;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running stream tells the truth: a listener that keeps failing shows as a stall (health, endpoint, meter)
 * without row values in logs; a routine reconnect does not turn health DOWN before a grace period; an
 * {@code XLogDataEvent} listener gets its events with no setup; operators can read (re)starts and recoveries from
 * the log, and the positions are known before the first message.
 */
@RealPostgres
@ExtendWith(OutputCaptureExtension.class)
class StreamTruthTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/** Fails on rows whose note is {@code poison-...} while {@link #failing} is set. */
	static class FailingListener {

		static final AtomicBoolean failing = new AtomicBoolean(true);

		final List<Integer> ids = new CopyOnWriteArrayList<>();

		@EventListener
		void on(InsertEvent<ChangeRow> event) {
			if (failing.get() && String.valueOf(event.newRow().get("note")).startsWith("poison")) {
				throw new IllegalStateException("cannot handle this row");
			}
			this.ids.add((Integer) event.newRow().get("id"));
		}

	}

	/** Every raw XLogData, with no property set. */
	static class RawListener {

		final List<XLogDataEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void raw(XLogDataEvent event) {
			this.events.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingConfig {

		@Bean
		FailingListener failingListener() {
			return new FailingListener();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RawConfig {

		@Bean
		RawListener rawListener() {
			return new RawListener();
		}

	}

	/** Connections fail while {@link #refuse} is set (the seam of the container's connection factory). */
	@Configuration(proxyBeanMethods = false)
	static class RefusingConfig {

		static final AtomicBoolean refuse = new AtomicBoolean();

		@Bean
		ReplicationStreamContainerCustomizer refusingConnections() {
			return (container) -> {
				StreamConnectionFactory real = container.getConnectionFactory();
				container.setConnectionFactory(new StreamConnectionFactory() {
					@Override
					public ReplicationConnection openReplicationConnection() throws SQLException {
						if (refuse.get()) {
							throw new SQLException("Connection refused (test)", "08001");
						}
						return real.openReplicationConnection();
					}

					@Override
					public Connection openConnection(String purpose) throws SQLException {
						return real.openConnection(purpose);
					}
				});
			};
		}

	}

	private static Health health(ConfigurableApplicationContext context) {
		return context.getBean("pglogreplHealthIndicator", HealthIndicator.class).health(true);
	}

	private static Object detail(ConfigurableApplicationContext context, String name) {
		return health(context).getDetails().get(name);
	}

	@Test
	void aListenerThatKeepsFailingShowsAsAStallWithoutRowValuesAndRecovers(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key, note text");
		List<String> props = StreamTestSupport.properties(pg, TestPostgres.uniqueName("slot"), tp[1]);
		props.add("pglogrepl.health.delivery-stall-threshold=2s");
		props.add("management.endpoints.web.exposure.include=health,pglogrepl");
		FailingListener.failing.set(true);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, FailingConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			FailingListener listener = context.getBean(FailingListener.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1, 'fine')");
			StreamTestSupport.await("first row", () -> listener.ids.contains(1), TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2, 'poison-4711-secret')",
					"INSERT INTO " + tp[0] + " VALUES (3, 'after')");

			StreamTestSupport.await("retrying", () -> "RETRYING".equals(detail(context, "status")), TIMEOUT);
			assertThat(health(context).getStatus()).as("within the stall threshold").isEqualTo(Status.UP);
			StreamTestSupport.await("DOWN after the stall threshold",
					() -> health(context).getStatus().equals(Status.DOWN), TIMEOUT);
			Health down = health(context);
			assertThat(String.valueOf(down.getDetails().get("reason"))).contains("Delivery blocked at")
				.contains("attempts")
				.contains("cannot handle this row")
				.contains(tp[0]);
			assertThat(down.getDetails()).containsKey("deliveryFailure");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("pglogrepl.delivery.failures").functionCounter().count()).isGreaterThanOrEqualTo(2);
			assertThat(registry.get("pglogrepl.delivery.blocked").timeGauge().value()).isPositive();
			@SuppressWarnings("unchecked")
			Map<String, Object> stream = (Map<String, Object>) ((Map<String, Map<String, Object>>) context
				.getBean(PgLogReplEndpoint.class)
				.report()
				.get("streams")).get("default").get("stream");
			assertThat(stream.get("status")).isEqualTo("RETRYING");
			// table, position, transaction and column names, never the values
			assertThat(String.valueOf(stream.get("lastError"))).contains(tp[0]).contains("[id, note]")
				.doesNotContain("4711");
			assertThat(output.getAll()).contains("Listener failed on InsertEvent[table=public." + tp[0])
				.doesNotContain("poison-4711-secret")
				.doesNotContain("4711");
			assertThat(listener.ids).containsExactly(1);

			// the listener recovers: delivery goes on, nothing lost, health UP again
			FailingListener.failing.set(false);
			StreamTestSupport.await("delivered after recovery", () -> listener.ids.contains(3), TIMEOUT);
			assertThat(listener.ids).containsExactly(1, 2, 3);
			StreamTestSupport.await("UP again", () -> health(context).getStatus().equals(Status.UP)
					&& "STREAMING".equals(detail(context, "status")), TIMEOUT);
			assertThat(health(context).getDetails()).doesNotContainKey("deliveryFailure");
			assertThat(registry.get("pglogrepl.delivery.blocked").timeGauge().value()).isZero();
		}
	}

	@Test
	void rowValuesAppearInErrorReportsOnlyWhenAskedFor(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key, note text");
		List<String> props = StreamTestSupport.properties(pg, TestPostgres.uniqueName("slot"), tp[1]);
		props.add("pglogrepl.log-row-values=true");
		props.add("pglogrepl.slot.create=temporary");
		FailingListener.failing.set(true);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, FailingConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2, 'poison-4711')");
			StreamTestSupport.await("failed", () -> container.state().lastError() != null, TIMEOUT);
			assertThat(container.state().lastError()).contains("poison-4711");
		}
		finally {
			FailingListener.failing.set(false);
		}
	}

	@Test
	void aRoutineReconnectStaysUpForTheGracePeriodThenDown(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.health.reconnect-grace-period=3s");
		RefusingConfig.refuse.set(false);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, RefusingConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			// a routine walsender restart: the details say so at once, health stays UP, the log says it recovered
			pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
			StreamTestSupport.await("reconnecting shown", () -> !"STREAMING".equals(detail(context, "status")), TIMEOUT);
			assertThat(health(context).getStatus()).isEqualTo(Status.UP);
			StreamTestSupport.await("streaming again", () -> "STREAMING".equals(detail(context, "status")), TIMEOUT);
			StreamTestSupport.await("recovery logged", () -> output.getAll().contains("reconnected after"), TIMEOUT);
			assertThat(output.getAll()).containsPattern("Replication stream of slot '" + slot
					+ "' reconnected after \\d+\\.\\d s \\(1 attempt\\)");

			// a reconnect that keeps failing turns DOWN after the grace period, with the reason
			RefusingConfig.refuse.set(true);
			long terminated = System.nanoTime();
			pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
			StreamTestSupport.await("reconnecting shown", () -> !"STREAMING".equals(detail(context, "status")), TIMEOUT);
			if (Duration.ofNanos(System.nanoTime() - terminated).compareTo(Duration.ofSeconds(2)) < 0) {
				assertThat(health(context).getStatus()).as("within the grace period").isEqualTo(Status.UP);
			}
			StreamTestSupport.await("DOWN after the grace period", () -> health(context).getStatus().equals(Status.DOWN),
					TIMEOUT);
			assertThat(Duration.ofNanos(System.nanoTime() - terminated)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
			assertThat(String.valueOf(health(context).getDetails().get("reason"))).contains("Not streaming for")
				.contains("Connection refused (test)");
			RefusingConfig.refuse.set(false);
			StreamTestSupport.await("UP again", () -> health(context).getStatus().equals(Status.UP), TIMEOUT);
		}
		finally {
			RefusingConfig.refuse.set(false);
		}
	}

	@Test
	void anXLogDataListenerGetsItsEventsWithNoSetupAndTheFamiliesAreLogged(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		try (ConfigurableApplicationContext context = StreamTestSupport
			.start(StreamTestSupport.properties(pg, slot, tp[1]), RawConfig.class)) {
			RawListener listener = context.getBean(RawListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("raw events (begin, relation, insert, commit)", () -> listener.events.size() >= 4,
					TIMEOUT);
			assertThat(output.getAll()).contains("Stream 'default' publishes decoded events: yes; XLogDataEvent: yes "
					+ "(listener RawListener.raw(XLogDataEvent)); KeepaliveEvent: no (no listener)");
		}
		// switched off explicitly: nothing, and a warning that a listener waits in vain
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.events.raw=false");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, RawConfig.class)) {
			RawListener listener = context.getBean(RawListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");
			StreamTestSupport.await("delivered", () -> container.state().transactions() >= 1, TIMEOUT);
			assertThat(listener.events).isEmpty();
			assertThat(output.getAll()).contains("XLogDataEvent: no (pglogrepl.events.raw=false)")
				.contains("does not publish XLogDataEvent (pglogrepl.events.raw=false) although RawListener.raw");
		}
	}

	@Test
	void restartsAreLoggedAndPositionsAreKnownBeforeTheFirstMessage(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		String confirmed = pg.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
				+ slot + "'");
		try (ConfigurableApplicationContext context = StreamTestSupport
			.start(StreamTestSupport.properties(pg, slot, tp[1]), FailingConfig.class)) {
			// an existing slot: no message arrived yet, the positions are the slot's and the server's
			Health health = health(context);
			assertThat(health.getDetails().get("receivedLsn")).isEqualTo(confirmed);
			assertThat(health.getDetails().get("flushedLsn")).isEqualTo(confirmed);
			assertThat(health.getDetails().get("serverWalEnd")).isNotEqualTo("0/0");
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			StreamTestSupport.await("streaming logged", () -> output.getAll()
				.contains("Streaming slot '" + slot + "' (publications [" + tp[1] + "]) from " + confirmed), TIMEOUT);
		}
	}

}
