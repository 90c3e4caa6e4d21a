package io.github.pglogrepl.spring.testcontainers;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Testcontainers {@code @ServiceConnection} PostgreSQL is the only connection source: no
 * {@code pglogrepl.url}, no {@code spring.datasource.*}. The stream delivers a change, acknowledges it (the
 * slot's {@code confirmed_flush_lsn} on the server moves past it) and reports lag (the {@code pglogrepl.lag}
 * gauge). Runs on the image of {@link LocalPostgresImage}; skipped with the reason when Docker or the image is
 * missing.
 */
@LocalPostgresImage.Required
@SpringBootTest(classes = ServiceConnectionContainerTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "pglogrepl.slot.name=tc_orders_slot", "pglogrepl.publication.names=tc_orders_pub",
				"pglogrepl.publication.create=if-missing", "pglogrepl.publication.tables=public.tc_orders",
				"spring.sql.init.mode=always", "spring.sql.init.schema-locations=classpath:testcontainers/schema.sql",
				"spring.main.banner-mode=off" })
class ServiceConnectionContainerTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

		@Bean
		@ServiceConnection
		PostgreSQLContainer postgres() {
			return LocalPostgresImage.container();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		Received received() {
			return new Received();
		}

	}

	/** What the application's listeners saw. */
	static class Received {

		final List<InsertEvent<?>> inserts = new CopyOnWriteArrayList<>();

		final List<CommitEvent> commits = new CopyOnWriteArrayList<>();

		@EventListener(condition = "#event.table.name == 'tc_orders'")
		void on(InsertEvent<?> event) {
			this.inserts.add(event);
		}

		@EventListener
		void on(CommitEvent event) {
			this.commits.add(event);
		}

	}

	@Autowired
	PostgreSQLContainer postgres;

	@Autowired
	JdbcConnectionDetails connectionDetails;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Received received;

	@Autowired
	MeterRegistry registry;

	@Test
	void containerIsTheOnlyConnectionSourceAndAChangeIsDeliveredAcknowledgedAndMeasured() {
		// the connection comes from the container, through the service connection
		assertThat(this.connectionDetails.getJdbcUrl()).isEqualTo(this.postgres.getJdbcUrl());
		assertThat(this.jdbc.queryForObject("SHOW wal_level", String.class)).isEqualTo("logical");
		await("the slot to be streamed", () -> Boolean.TRUE.equals(this.jdbc.queryForObject(
				"SELECT active FROM pg_replication_slots WHERE slot_name = 'tc_orders_slot'", Boolean.class)));

		String before = this.jdbc.queryForObject("SELECT pg_current_wal_lsn()::text", String.class);
		this.jdbc.update("INSERT INTO tc_orders (item) VALUES (?)", "from a container");

		// delivered
		await("the InsertEvent", () -> !this.received.inserts.isEmpty());
		InsertEvent<?> insert = this.received.inserts.get(0);
		assertThat(insert.table().schema()).isEqualTo("public");
		assertThat(insert.newRow().get("item")).isEqualTo("from a container");
		String commitLsn = insert.commitLsn().toString();
		assertThat(this.jdbc.queryForObject("SELECT ?::pg_lsn > ?::pg_lsn", Boolean.class, commitLsn, before))
			.as("commit LSN %s after %s", commitLsn, before)
			.isTrue();

		// acknowledged: the server's slot position moves past the insert's commit
		await("confirmed_flush_lsn past " + commitLsn, () -> Boolean.TRUE.equals(this.jdbc.queryForObject(
				"SELECT confirmed_flush_lsn > ?::pg_lsn FROM pg_replication_slots WHERE slot_name = 'tc_orders_slot'",
				Boolean.class, commitLsn)));
		assertThat(this.received.commits).anySatisfy((commit) -> assertThat(commit.commitLsn()).isEqualTo(insert.commitLsn()));

		// lag is reported
		Gauge lag = this.registry.get("pglogrepl.lag").tag("slot", "tc_orders_slot").gauge();
		assertThat(lag.getId().getBaseUnit()).isEqualTo("bytes");
		assertThat(lag.value()).isFinite().isGreaterThanOrEqualTo(0).isLessThan(16 * 1024 * 1024);
		assertThat(this.registry.get("pglogrepl.transactions").tag("slot", "tc_orders_slot").functionCounter().count())
			.isGreaterThanOrEqualTo(1);
	}

	private static void await(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + TIMEOUT + " waiting for " + what);
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

}
