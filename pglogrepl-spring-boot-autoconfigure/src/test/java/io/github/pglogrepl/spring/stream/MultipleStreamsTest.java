package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several streams in one application ({@code pglogrepl.streams.<name>.*}): two slots on two databases of the same
 * server, each with its own acknowledgement, events naming their stream, meters, health and endpoint per stream;
 * a listener failing on one does not stall the other; one can stand by while the other streams.
 */
@RealPostgres
@SuppressWarnings("try") // resources held open by try-with-resources (and closed early where the test needs it)
class MultipleStreamsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/** Records by stream (SpEL on the record-style accessor {@code stream()}), fails on the poison row of orders. */
	static class Listeners {

		final List<InsertEvent<?>> orders = new CopyOnWriteArrayList<>();

		final List<InsertEvent<?>> billing = new CopyOnWriteArrayList<>();

		final List<CommitEvent> billingCommits = new CopyOnWriteArrayList<>();

		@EventListener(condition = "#event.stream == 'orders'")
		void orders(InsertEvent<?> event) {
			if (Integer.valueOf(666).equals(event.newRow().get("id"))) {
				throw new IllegalStateException("poison row");
			}
			this.orders.add(event);
		}

		@EventListener(condition = "#event.stream == 'billing' and #event.table.name.startsWith('bill')")
		void billing(InsertEvent<?> event) {
			this.billing.add(event);
		}

		@EventListener(condition = "#event.stream == 'billing' and #event.endLsn != null")
		void billingCommit(CommitEvent event) {
			this.billingCommits.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	/** Two databases: the test server's own and a new one, each with a table and publication. */
	private record Setup(String ordersTable, String ordersPub, String ordersSlot, String billingUrl, String billingTable,
			String billingPub, String billingSlot) {

		List<String> properties(TestPostgres pg) {
			List<String> props = StreamTestSupport.dataSourceProperties(pg);
			props.add("spring.main.banner-mode=off");
			props.add("management.endpoints.web.exposure.include=health,pglogrepl");
			// top-level defaults, inherited by both streams
			props.add("pglogrepl.reconnect.initial-interval=200ms");
			props.add("pglogrepl.reconnect.max-interval=1s");
			props.add("pglogrepl.status-interval=1s");
			props.add("pglogrepl.streams.orders.slot.name=" + this.ordersSlot);
			props.add("pglogrepl.streams.orders.publication.names=" + this.ordersPub);
			props.add("pglogrepl.streams.billing.url=" + this.billingUrl);
			props.add("pglogrepl.streams.billing.slot.name=" + this.billingSlot);
			props.add("pglogrepl.streams.billing.publication.names=" + this.billingPub);
			props.add("pglogrepl.streams.billing.status-interval=2s");
			return props;
		}

	}

	private static Setup setUp(TestPostgres pg) {
		String[] orders = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String database = TestPostgres.uniqueName("db");
		pg.execute("CREATE DATABASE " + database);
		String billingUrl = pg.jdbcUrl().replaceFirst("(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
		String billingTable = TestPostgres.uniqueName("bill");
		String billingPub = TestPostgres.uniqueName("pub");
		execute(pg, billingUrl, "CREATE TABLE " + billingTable + " (id int primary key)",
				"CREATE PUBLICATION " + billingPub + " FOR TABLE " + billingTable);
		return new Setup(orders[0], orders[1], TestPostgres.uniqueName("slot"), billingUrl, billingTable, billingPub,
				TestPostgres.uniqueName("slot"));
	}

	private static void execute(TestPostgres pg, String url, String... statements) {
		try (Connection c = DriverManager.getConnection(url, pg.properties())) {
			for (String sql : statements) {
				c.createStatement().execute(sql);
			}
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void eachStreamHasItsSlotAcknowledgementMetersAndHealthAndAFailingListenerStallsOnlyItsStream(TestPostgres pg) {
		Setup setup = setUp(pg);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(setup.properties(pg), Config.class)) {
			Map<String, ReplicationStreamContainer> containers = context.getBeansOfType(ReplicationStreamContainer.class);
			assertThat(containers).containsOnlyKeys("ordersReplicationStreamContainer", "billingReplicationStreamContainer");
			ReplicationStreamContainer orders = containers.get("ordersReplicationStreamContainer");
			ReplicationStreamContainer billing = containers.get("billingReplicationStreamContainer");
			// inherited and own settings
			assertThat(orders.getContainerProperties().getStatusInterval()).isEqualTo(Duration.ofSeconds(1));
			assertThat(billing.getContainerProperties().getStatusInterval()).isEqualTo(Duration.ofSeconds(2));
			assertThat(billing.getContainerProperties().getJdbcUrl()).isEqualTo(setup.billingUrl());
			StreamTestSupport.await("both streaming", () -> orders.state().status() == StreamStatus.STREAMING
					&& billing.state().status() == StreamStatus.STREAMING, TIMEOUT);
			Listeners listeners = context.getBean(Listeners.class);

			pg.execute("INSERT INTO " + setup.ordersTable() + " VALUES (1)");
			execute(pg, setup.billingUrl(), "INSERT INTO " + setup.billingTable() + " VALUES (1)");
			StreamTestSupport.await("one insert per stream",
					() -> listeners.orders.size() == 1 && listeners.billing.size() == 1, TIMEOUT);
			assertThat(listeners.orders.get(0).stream()).isEqualTo("orders");
			assertThat(listeners.orders.get(0).table().name()).isEqualTo(setup.ordersTable());
			assertThat(listeners.billing.get(0).stream()).isEqualTo("billing");
			assertThat(listeners.billing.get(0).slotName()).isEqualTo(setup.billingSlot());

			// a poison row stalls orders (retried), billing goes on and acknowledges
			pg.execute("INSERT INTO " + setup.ordersTable() + " VALUES (666)", "INSERT INTO " + setup.ordersTable() + " VALUES (2)");
			StreamTestSupport.await("orders failing", () -> orders.state().lastError() != null
					&& orders.state().lastError().contains("poison row"), TIMEOUT);
			Lsn ordersStalledAt = orders.acknowledgement().acknowledged();
			for (int i = 2; i <= 6; i++) {
				execute(pg, setup.billingUrl(), "INSERT INTO " + setup.billingTable() + " VALUES (" + i + ")");
			}
			StreamTestSupport.await("billing delivers while orders retries", () -> listeners.billing.size() == 6, TIMEOUT);
			Lsn lastBillingCommit = listeners.billingCommits.get(listeners.billingCommits.size() - 1).endLsn();
			StreamTestSupport.await("billing slot confirms its last commit", () -> Lsn
				.parse(confirmedFlush(pg, setup.billingUrl(), setup.billingSlot()))
				.compareTo(lastBillingCommit) >= 0, TIMEOUT);
			assertThat(listeners.orders).hasSize(1);
			assertThat(orders.acknowledgement().acknowledged()).isEqualTo(ordersStalledAt);

			// meters, health and endpoint per stream
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("pglogrepl.transactions").tag("stream", "billing").functionCounter().count())
				.isEqualTo(6);
			assertThat(registry.get("pglogrepl.transactions").tag("stream", "orders").functionCounter().count())
				.isEqualTo(1);
			assertThat(registry.get("pglogrepl.reconnects").tag("stream", "orders").functionCounter().count())
				.isGreaterThanOrEqualTo(1);
			assertThat(registry.get("pglogrepl.reconnects").tag("stream", "billing").functionCounter().count()).isZero();
			HealthContributor health = context.getBean("pglogreplHealthIndicator", HealthContributor.class);
			assertThat(health).isInstanceOf(CompositeHealthContributor.class);
			CompositeHealthContributor composite = (CompositeHealthContributor) health;
			assertThat(((HealthIndicator) composite.getContributor("billing")).health().getDetails())
				.containsEntry("stream", "billing")
				.containsEntry("slot", setup.billingSlot());
			assertThat(((HealthIndicator) composite.getContributor("orders")).health().getDetails())
				.containsEntry("stream", "orders");
			@SuppressWarnings("unchecked")
			Map<String, Object> streams = (Map<String, Object>) context.getBean(PgLogReplEndpoint.class)
				.report()
				.get("streams");
			assertThat(streams).containsOnlyKeys("orders", "billing");
			assertThat(streams.get("billing").toString()).contains(setup.billingTable()).doesNotContain(setup.ordersTable());
		}
	}

	@Test
	void oneStreamStandsByWhileTheOtherStreams(TestPostgres pg) throws Exception {
		Setup setup = setUp(pg);
		pg.execute("SELECT pg_create_logical_replication_slot('" + setup.ordersSlot() + "', 'pgoutput')");
		// another consumer holds the orders slot
		try (ReplicationConnection holder = pg.replication()) {
			ReplicationStream held = holder.startReplication(StartReplicationCommand.logical(setup.ordersSlot(), Lsn.INVALID)
				.pgoutput(PgOutputOptions.builder().protoVersion(1).publications(setup.ordersPub()).build()));
			try (ConfigurableApplicationContext context = StreamTestSupport.start(setup.properties(pg), Config.class)) {
				ReplicationStreamContainer orders = context.getBean("ordersReplicationStreamContainer",
						ReplicationStreamContainer.class);
				ReplicationStreamContainer billing = context.getBean("billingReplicationStreamContainer",
						ReplicationStreamContainer.class);
				Listeners listeners = context.getBean(Listeners.class);
				StreamTestSupport.await("orders stands by, billing streams",
						() -> orders.state().status() == StreamStatus.STANDBY
								&& billing.state().status() == StreamStatus.STREAMING, TIMEOUT);
				execute(pg, setup.billingUrl(), "INSERT INTO " + setup.billingTable() + " VALUES (1)");
				StreamTestSupport.await("billing delivers", () -> listeners.billing.size() == 1, TIMEOUT);
				// the holder goes away: orders takes over
				held.close();
				holder.close();
				pg.execute("INSERT INTO " + setup.ordersTable() + " VALUES (1)");
				StreamTestSupport.await("orders takes over", () -> listeners.orders.size() == 1, TIMEOUT);
				assertThat(orders.state().status()).isEqualTo(StreamStatus.STREAMING);
			}
		}
	}

	private static String confirmedFlush(TestPostgres pg, String url, String slot) {
		try (Connection c = DriverManager.getConnection(url, pg.properties());
				java.sql.ResultSet rs = c.createStatement()
					.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
			return rs.next() ? rs.getString(1) : "0/0";
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
