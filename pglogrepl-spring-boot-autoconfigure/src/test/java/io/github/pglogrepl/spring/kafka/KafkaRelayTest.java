package io.github.pglogrepl.spring.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.transaction.support.TransactionTemplate;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.endpoint.PgLogReplReportContributor;
import io.github.pglogrepl.spring.outbox.Outbox;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.Snapshots;
import io.github.pglogrepl.spring.stream.AckMode;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka relay against a real PostgreSQL and an embedded KRaft broker in the test JVM: every change type and
 * the outbox end up on their topics with the documented keys and values (read with a plain {@code KafkaConsumer}),
 * and the slot is not acknowledged past what the broker has: with the broker stopped its position stays where it
 * was, and once the broker is back every row arrives.
 */
@RealPostgres
class KafkaRelayTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final JsonMapper JSON = new JsonMapper();

	private static EmbeddedKafkaKraftBroker broker;

	private final TestPostgres pg;

	KafkaRelayTest(TestPostgres pg) {
		this.pg = pg;
	}

	@BeforeAll
	static void startBroker() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		// a fixed port, so that the broker can be stopped and started again where the producer looks for it
		// one broker: Kafka transactions need their state topic replicated once only
		broker = new EmbeddedKafkaKraftBroker(1, 1);
		broker.brokerProperties(
				Map.of("transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
		broker.kafkaPorts(port);
		broker.afterPropertiesSet();
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.destroy();
		}
	}

	private List<String> properties(String slot, String publication) {
		List<String> props = StreamTestSupport.properties(this.pg, slot, publication);
		props.add("pglogrepl.kafka.enabled=true");
		props.add("spring.kafka.bootstrap-servers=" + broker.getBrokersAsString());
		return props;
	}

	@Test
	void everyChangeTypeArrivesOnItsTopicWithKeyAndEnvelope() {
		String a = TestPostgres.uniqueName("ka");
		String b = TestPostgres.uniqueName("kb");
		String slot = TestPostgres.uniqueName("kr");
		this.pg.execute("CREATE TABLE " + a + " (id int PRIMARY KEY, name text, amount numeric(10,2), at timestamptz,"
				+ " day date, doc jsonb, bin bytea, tags text[], ratio float8)",
				"CREATE TABLE " + b + " (k text PRIMARY KEY, v int)",
				"CREATE PUBLICATION " + slot + " FOR TABLE " + a + ", " + b);
		List<String> props = properties(slot, slot);
		props.add("pglogrepl.kafka.topics.public." + b + "=routed_" + b);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			assertThat(container.getContainerProperties().getAckMode()).isEqualTo(AckMode.MANUAL);
			DataSource dataSource = context.getBean(DataSource.class);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
			Outbox outbox = context.getBean(Outbox.class);

			tx.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO " + a + " VALUES (1, 'one', 19.90, '2024-01-31 13:45:00.123456+02', "
						+ "'2024-01-31', '{\"a\": 1}', '\\x0102', ARRAY['x','y'], 'NaN')");
				jdbc.update("INSERT INTO " + a + " (id, name) VALUES (2, 'two')");
				outbox.publish("Order", "1", "OrderPlaced", Map.of("orderId", 1));
			});
			jdbc.update("UPDATE " + a + " SET name = 'uno' WHERE id = 1");
			jdbc.update("UPDATE " + a + " SET id = 3 WHERE id = 2");
			jdbc.update("DELETE FROM " + a + " WHERE id = 1");
			jdbc.update("INSERT INTO " + b + " VALUES ('k1', 1)");
			jdbc.update("TRUNCATE " + b);
			String written = this.pg.queryString("SELECT pg_current_wal_lsn()");
			context.getBean(Snapshots.class).start(SnapshotRequest.of(a));

			String topicA = slot + ".public." + a;
			String topicB = "routed_" + b;
			String topicOutbox = slot + ".outbox.Order";
			Map<String, List<ConsumerRecord<byte[], byte[]>>> records = consume(List.of(topicA, topicB, topicOutbox),
					12);

			List<ConsumerRecord<byte[], byte[]>> changesA = records.get(topicA);
			assertThat(changesA.stream().map((r) -> string(r.key()) + " " + op(r)).toList()).containsExactly(
					"{\"id\":1} c", "{\"id\":2} c", "{\"id\":1} u", "{\"id\":2} d", "{\"id\":2} tombstone",
					"{\"id\":3} c", "{\"id\":1} d", "{\"id\":1} tombstone", "{\"id\":3} r");

			Map<String, Object> insert = value(changesA.get(0));
			assertThat(insert.get("before")).isNull();
			assertThat(insert.get("after")).isEqualTo(map("id", 1, "name", "one", "amount", "19.90", "at",
					"2024-01-31T11:45:00.123456Z", "day", "2024-01-31", "doc", "{\"a\": 1}", "bin", "AQI=", "tags",
					List.of("x", "y"), "ratio", "NaN"));
			Map<?, ?> source = (Map<?, ?>) insert.get("source");
			assertThat(source.get("connector")).isEqualTo("postgresql");
			assertThat(source.get("name")).isEqualTo(slot);
			assertThat(source.get("db")).isEqualTo(this.pg.queryString("SELECT current_database()"));
			assertThat(source.get("schema")).isEqualTo("public");
			assertThat(source.get("table")).isEqualTo(a);
			assertThat(source.get("snapshot")).isEqualTo("false");
			assertThat(((Number) source.get("txId")).longValue()).isPositive();
			assertThat(((Number) source.get("lsn")).longValue()).isPositive();
			assertThat(((Number) source.get("ts_ms")).longValue()).isPositive();
			assertThat(((Number) insert.get("ts_ms")).longValue()).isPositive();
			// the two inserts of one transaction
			assertThat(((Map<?, ?>) value(changesA.get(1)).get("source")).get("txId")).isEqualTo(source.get("txId"));

			Map<String, Object> update = value(changesA.get(2));
			assertThat(update.get("before")).isNull();
			assertThat(((Map<?, ?>) update.get("after")).get("name")).isEqualTo("uno");

			ConsumerRecord<byte[], byte[]> keyChangeDelete = changesA.get(3);
			assertThat(((Map<?, ?>) value(keyChangeDelete).get("before")).get("id")).isEqualTo(2);
			assertThat(value(keyChangeDelete).get("after")).isNull();
			assertThat(string(keyChangeDelete.headers().lastHeader("__debezium.newkey").value()))
				.isEqualTo("{\"id\":3}");
			assertThat(((Map<?, ?>) value(changesA.get(5)).get("after")).get("name")).isEqualTo("two");

			Map<String, Object> delete = value(changesA.get(6));
			assertThat(((Map<?, ?>) delete.get("before")).get("id")).isEqualTo(1);
			assertThat(delete.get("after")).isNull();

			Map<String, Object> snapshot = value(changesA.get(8));
			assertThat(((Map<?, ?>) snapshot.get("source")).get("snapshot")).isEqualTo("true");
			assertThat(((Map<?, ?>) snapshot.get("after")).get("id")).isEqualTo(3);

			List<ConsumerRecord<byte[], byte[]>> changesB = records.get(topicB);
			assertThat(changesB.stream().map((r) -> string(r.key()) + " " + op(r)).toList())
				.containsExactly("{\"k\":\"k1\"} c", "null t");
			assertThat(value(changesB.get(1)).get("before")).isNull();
			assertThat(((Map<?, ?>) value(changesB.get(1)).get("source")).get("table")).isEqualTo(b);

			ConsumerRecord<byte[], byte[]> event = records.get(topicOutbox).get(0);
			assertThat(string(event.key())).isEqualTo("1");
			assertThat(value(event)).isEqualTo(Map.of("orderId", 1));
			assertThat(string(event.headers().lastHeader("eventType").value())).isEqualTo("OrderPlaced");

			// every transaction is on the broker: the slot is acknowledged past them
			StreamTestSupport.await("confirmed_flush_lsn past " + written, () -> "t".equals(this.pg.queryString(
					"SELECT confirmed_flush_lsn >= '" + written + "' FROM pg_replication_slots WHERE slot_name = '"
							+ slot + "'")), TIMEOUT);
			KafkaRelayState state = context.getBean(KafkaRelay.class).state();
			assertThat(state.recordsSent()).isEqualTo(12);
			assertThat(state.recordsAcknowledged()).isEqualTo(12);
			assertThat(state.failing()).isFalse();
		}
	}

	@Test
	void theSlotIsNotAcknowledgedPastWhatTheBrokerHasAndNothingIsLostWhenItStopsAndStartsAgain() throws Exception {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY");
		String slot = TestPostgres.uniqueName("kr");
		List<String> props = properties(slot, t[1]);
		// sends fail within seconds while the broker is down: the failure path (redelivery) runs in the test
		props.add("spring.kafka.producer.properties.delivery.timeout.ms=3000");
		props.add("spring.kafka.producer.properties.request.timeout.ms=1000");
		props.add("spring.kafka.producer.properties.max.block.ms=2000");
		props.add("spring.kafka.producer.properties.reconnect.backoff.max.ms=500");
		String topic = slot + ".public." + t[0];
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			KafkaRelay relay = context.getBean(KafkaRelay.class);
			HealthIndicator health = context.getBean("pglogreplKafkaHealthIndicator", HealthIndicator.class);
			jdbc.update("INSERT INTO " + t[0] + " VALUES (1)");
			String first = this.pg.queryString("SELECT pg_current_wal_lsn()");
			StreamTestSupport.await("the first row acknowledged", () -> confirmedAtLeast(slot, first), TIMEOUT);
			TransactionTemplate tx = new TransactionTemplate(
					new DataSourceTransactionManager(context.getBean(DataSource.class)));
			AtomicInteger written = new AtomicInteger(1);
			String[] insideFirstOutageTransaction = new String[1];
			broker.getCluster().brokers().values().forEach((server) -> server.shutdown());
			// the outage begins once nothing answers on the broker's port any more
			StreamTestSupport.await("the broker's port closed", () -> !listening(broker.getBrokersAsString()), TIMEOUT);
			try {
				// the first transaction after the broker stopped: its commit comes after this position
				tx.executeWithoutResult((status) -> {
					jdbc.update("INSERT INTO " + t[0] + " VALUES (?)", written.incrementAndGet());
					insideFirstOutageTransaction[0] = jdbc.queryForObject("SELECT pg_current_wal_insert_lsn()::text",
							String.class);
				});
				Thread writer = new Thread(() -> {
					long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
					while (System.nanoTime() < end) {
						jdbc.update("INSERT INTO " + t[0] + " VALUES (?)", written.incrementAndGet());
						StreamTestSupport.sleep(100);
					}
				});
				writer.start();
				StreamTestSupport.await("the relay to report the failed sends", () -> relay.state().failing(),
						TIMEOUT);
				Health down = health.health(true);
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(String.valueOf(down.getDetails().get("lastError")))
					.contains("Kafka send failed for topic " + topic);
				assertThat(String.valueOf(down.getDetails().get("reason"))).startsWith("A send failed");
				writer.join();
				// nothing written since the broker stopped is on it: the slot has not been acknowledged past any of it
				String confirmed = this.pg.queryString(
						"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
				assertThat(this.pg.queryString("SELECT '" + confirmed + "'::pg_lsn <= '"
						+ insideFirstOutageTransaction[0] + "'::pg_lsn"))
					.as("confirmed_flush_lsn " + confirmed + " before the first commit during the outage (after "
							+ insideFirstOutageTransaction[0] + "); " + relay.state())
					.isEqualTo("t");
				assertThat(relay.state().recordsFailed()).isPositive();
				assertThat(relay.state().transactionsPending() + relay.state().inFlight()).isNotNegative();
			}
			finally {
				broker.getCluster().brokers().values().forEach((server) -> server.startup());
			}
			String last = this.pg.queryString("SELECT pg_current_wal_lsn()");
			int rows = written.get();
			Set<Integer> ids = new HashSet<>();
			AtomicInteger total = new AtomicInteger();
			try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
				consumer.subscribe(List.of(topic));
				long deadline = System.nanoTime() + TIMEOUT.toNanos();
				while (ids.size() < rows && System.nanoTime() < deadline) {
					for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
						total.incrementAndGet();
						ids.add((Integer) ((Map<?, ?>) value(record).get("after")).get("id"));
					}
				}
			}
			Set<Integer> lost = new HashSet<>();
			for (int id = 1; id <= rows; id++) {
				if (!ids.contains(id)) {
					lost.add(id);
				}
			}
			System.out.println("Kafka relay outage: " + rows + " rows committed, " + total + " records read, lost "
					+ lost.size() + ", duplicates " + (total.get() - ids.size()) + ", " + relay.state());
			assertThat(lost).as("lost").isEmpty();
			StreamTestSupport.await("the slot acknowledged past the last row", () -> confirmedAtLeast(slot, last),
					TIMEOUT);
			StreamTestSupport.await("the relay healthy again", () -> !relay.state().failing(), TIMEOUT);
			assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
		}
	}

	@Test
	void transactionalModeShowsReadCommittedConsumersWholeTransactionsOnceAlsoWhenTheSlotIsBehindKafka() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY, payload text");
		String slot = TestPostgres.uniqueName("kt");
		String backup = slot + "_backup";
		// a copy of the slot at its start: restored later, it is behind what Kafka has (as after a crash before
		// the acknowledgement reached the server)
		this.pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
				"SELECT pg_copy_logical_replication_slot('" + slot + "', '" + backup + "')");
		List<String> props = properties(slot, t[1]);
		props.add("pglogrepl.kafka.transactional=true");
		props.add("pglogrepl.kafka.transaction-max-delay=3s");
		props.add("pglogrepl.kafka.on-rejected=dead-letter");
		props.add("spring.kafka.producer.properties.max.request.size=100000");
		String topic = slot + ".public." + t[0];
		String big = "x".repeat(300_000);
		try {
			try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				TransactionTemplate tx = new TransactionTemplate(
						new DataSourceTransactionManager(context.getBean(DataSource.class)));
				tx.executeWithoutResult((status) -> {
					for (int id = 1; id <= 3; id++) {
						jdbc.update("INSERT INTO " + t[0] + " VALUES (?, 'a')", id);
					}
				});
				// on the broker, in an open Kafka transaction: a read_uncommitted consumer sees the rows, a
				// read_committed one none of them until the transaction commits (3 s after it opened)
				assertThat(ids(topic, false, 3, Duration.ofSeconds(20))).containsExactly(1, 2, 3);
				KafkaRelay relay = context.getBean(KafkaRelay.class);
				assertThat(relay.state().kafkaTransactionsCommitted()).isZero();
				assertThat(ids(topic, true, 3, Duration.ofSeconds(1))).isEmpty();
				assertThat(ids(topic, true, 3, TIMEOUT)).containsExactly(1, 2, 3);
				// a transaction with a record the producer rejects (too large): its Kafka transaction is aborted, the
				// transaction delivered again, the rejected record going to the dead-letter topic
				tx.executeWithoutResult((status) -> {
					jdbc.update("INSERT INTO " + t[0] + " VALUES (4, 'b')");
					jdbc.update("INSERT INTO " + t[0] + " VALUES (5, 'b')");
					jdbc.update("INSERT INTO " + t[0] + " VALUES (6, ?)", big);
					jdbc.update("INSERT INTO " + t[0] + " VALUES (7, 'b')");
				});
				String written = this.pg.queryString("SELECT pg_current_wal_lsn()");
				StreamTestSupport.await("the slot acknowledged past the transaction",
						() -> confirmedAtLeast(slot, written), TIMEOUT);
				assertThat(ids(topic, true, 6, TIMEOUT)).containsExactly(1, 2, 3, 4, 5, 7);
				List<ConsumerRecord<byte[], byte[]>> letters = records(topic + ".DLT", true, 1, TIMEOUT);
				assertThat(letters).hasSize(1);
				assertThat(string(letters.get(0).key())).isEqualTo("{\"id\":6}");
				assertThat(relay.state().kafkaTransactionsAborted()).isPositive();
				assertThat(relay.state().deadLettered()).isEqualTo(1);
				System.out.println("Kafka relay transactional: read_uncommitted sees "
						+ ids(topic, false, 100, Duration.ofSeconds(3)) + ", " + relay.state());
			}
			// the slot is set back to its start: everything is delivered again, and none of it sent again
			this.pg.execute("SELECT pg_drop_replication_slot('" + slot + "')",
					"SELECT pg_copy_logical_replication_slot('" + backup + "', '" + slot + "')");
			try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				jdbc.update("INSERT INTO " + t[0] + " VALUES (8, 'c')");
				assertThat(ids(topic, true, 7, TIMEOUT)).containsExactly(1, 2, 3, 4, 5, 7, 8);
				KafkaRelayState state = context.getBean(KafkaRelay.class).state();
				assertThat(state.transactionsSkipped()).as(state.toString()).isGreaterThanOrEqualTo(2);
				assertThat(records(topic + ".DLT", true, 1, Duration.ofSeconds(2))).hasSize(1);
			}
		}
		finally {
			this.pg.execute("SELECT pg_drop_replication_slot('" + backup + "')");
		}
	}

	@Test
	void transactionalModeAbortsWhatAConnectionCutOffAndSendsTheTransactionOnceWhenItComesAgain() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY");
		String slot = TestPostgres.uniqueName("kw");
		List<String> props = properties(slot, t[1]);
		props.add("pglogrepl.kafka.transactional=true");
		props.add("pglogrepl.kafka.transaction-max-delay=1s");
		String topic = slot + ".public." + t[0];
		int rows = 30_000;
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			KafkaRelay relay = context.getBean(KafkaRelay.class);
			jdbc.update("INSERT INTO " + t[0] + " VALUES (0)");
			StreamTestSupport.await("the first transaction on Kafka",
					() -> relay.state().kafkaTransactionsCommitted() > 0, TIMEOUT);
			long before = relay.state().recordsSent();
			jdbc.update("INSERT INTO " + t[0] + " SELECT generate_series(1, " + rows + ")");
			// the walsender is terminated while the big transaction is being relayed: a part of it is in the open
			// Kafka transaction when the stream starts over and sends it from its start
			StreamTestSupport.await("the relay in the middle of the transaction",
					() -> relay.state().recordsSent() - before > 1000, TIMEOUT);
			this.pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
					+ slot + "'");
			List<Integer> ids = ids(topic, true, rows + 1, Duration.ofSeconds(120));
			KafkaRelayState state = relay.state();
			System.out.println("Kafka relay transactional, walsender terminated after " + (state.recordsSent() - before)
					+ " records sent: " + ids.size() + " records read_committed, " + state);
			assertThat(ids).hasSize(rows + 1);
			assertThat(new HashSet<>(ids)).hasSize(rows + 1);
			assertThat(state.recordsSent() - before).as("records sent in all").isGreaterThan(rows);
		}
	}

	@Test
	void aRecordTheBrokerRejectsGoesToTheDeadLetterTopicAndTheStreamGoesOn() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY, payload text");
		String slot = TestPostgres.uniqueName("kd");
		List<String> props = properties(slot, t[1]);
		props.add("pglogrepl.kafka.on-rejected=dead-letter");
		props.add("spring.kafka.producer.properties.max.request.size=100000");
		String topic = slot + ".public." + t[0];
		String big = "y".repeat(200_000);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			TransactionTemplate tx = new TransactionTemplate(
					new DataSourceTransactionManager(context.getBean(DataSource.class)));
			jdbc.update("INSERT INTO " + t[0] + " VALUES (1, 'a')");
			jdbc.update("INSERT INTO " + t[0] + " VALUES (2, ?)", big);
			tx.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO " + t[0] + " VALUES (3, 'a')");
				jdbc.update("INSERT INTO " + t[0] + " VALUES (4, ?)", big);
				jdbc.update("INSERT INTO " + t[0] + " VALUES (5, 'a')");
			});
			String written = this.pg.queryString("SELECT pg_current_wal_lsn()");
			StreamTestSupport.await("the slot acknowledged past the rejected records",
					() -> confirmedAtLeast(slot, written), TIMEOUT);
			// at-least-once: a record sent before the rejected one of its transaction may be there twice
			assertThat(new java.util.TreeSet<>(ids(topic, true, 4, TIMEOUT))).containsExactly(1, 3, 5);
			// at-least-once: a dead letter is sent again when its transaction is delivered again
			List<ConsumerRecord<byte[], byte[]>> letters = records(topic + ".DLT", true, 2, TIMEOUT);
			assertThat(letters.stream().map((record) -> string(record.key())).distinct())
				.containsExactly("{\"id\":2}", "{\"id\":4}");
			ConsumerRecord<byte[], byte[]> letter = letters.get(0);
			assertThat(letter.value()).as("a too large value is left out").isNull();
			assertThat(header(letter, "kafka_dlt-original-topic")).isEqualTo(topic);
			assertThat(header(letter, "kafka_dlt-exception-fqcn"))
				.isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
			assertThat(Integer.parseInt(header(letter, "pglogrepl_dlt-value-omitted"))).isGreaterThan(200_000);
			assertThat(header(letter, "pglogrepl_lsn")).isNotBlank();
			KafkaRelayState state = context.getBean(KafkaRelay.class).state();
			assertThat(state.deadLettered()).isEqualTo(letters.size());
			StreamTestSupport.await("the relay healthy again", () -> !context.getBean(KafkaRelay.class).state().failing(),
					TIMEOUT);
			Object kafka = new io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint(List.of(),
					List.copyOf(context.getBeansOfType(PgLogReplReportContributor.class).values()))
				.report()
				.get("kafka");
			assertThat(((Map<?, ?>) kafka).get("delivery")).isEqualTo("at-least-once");
			assertThat(((Map<?, ?>) kafka).get("deadLettered")).isEqualTo((long) letters.size());
		}
	}

	@Test
	void withOnRejectedStopARejectedRecordStopsTheStreamAndNothingIsAcknowledgedPastIt() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY, payload text");
		String slot = TestPostgres.uniqueName("ks");
		List<String> props = properties(slot, t[1]);
		props.add("pglogrepl.kafka.on-rejected=stop");
		props.add("spring.kafka.producer.properties.max.request.size=100000");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			jdbc.update("INSERT INTO " + t[0] + " VALUES (1, 'a')");
			String first = this.pg.queryString("SELECT pg_current_wal_lsn()");
			StreamTestSupport.await("the first row acknowledged", () -> confirmedAtLeast(slot, first), TIMEOUT);
			jdbc.update("INSERT INTO " + t[0] + " VALUES (2, ?)", "z".repeat(200_000));
			String second = jdbc.queryForObject("SELECT pg_current_wal_insert_lsn()::text", String.class);
			jdbc.update("INSERT INTO " + t[0] + " VALUES (3, 'a')");
			StreamTestSupport.await("the stream stopped", () -> !container.isRunning(), TIMEOUT);
			String confirmed = this.pg.queryString(
					"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
			assertThat(this.pg.queryString("SELECT '" + confirmed + "'::pg_lsn < '" + second + "'::pg_lsn"))
				.as("confirmed " + confirmed + " before the end of the rejected row's transaction " + second)
				.isEqualTo("t");
			assertThat(ids(slot + ".public." + t[0], true, 1, Duration.ofSeconds(3))).containsExactly(1);
		}
	}

	private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
		org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
		return (header != null) ? string(header.value()) : null;
	}

	/** The ids of the rows on a topic, in order, read until {@code expected} or the time is up. */
	private static List<Integer> ids(String topic, boolean readCommitted, int expected, Duration timeout) {
		List<Integer> ids = new ArrayList<>();
		for (ConsumerRecord<byte[], byte[]> record : records(topic, readCommitted, expected, timeout)) {
			if (record.value() != null) {
				ids.add((Integer) ((Map<?, ?>) value(record).get("after")).get("id"));
			}
		}
		return ids;
	}

	private static List<ConsumerRecord<byte[], byte[]>> records(String topic, boolean readCommitted, int expected,
			Duration timeout) {
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		Map<String, Object> config = new HashMap<>();
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
		try (KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + timeout.toNanos();
			while (records.size() < expected && System.nanoTime() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					records.add(record);
				}
			}
			for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
				records.add(record);
			}
		}
		return records;
	}

	private static boolean listening(String hostAndPort) {
		String[] parts = hostAndPort.split(",")[0].split(":");
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new java.net.InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private boolean confirmedAtLeast(String slot, String lsn) {
		return "t".equals(this.pg.queryString("SELECT confirmed_flush_lsn >= '" + lsn
				+ "' FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
	}

	private static Map<String, List<ConsumerRecord<byte[], byte[]>>> consume(List<String> topics, int expected) {
		Map<String, List<ConsumerRecord<byte[], byte[]>>> byTopic = new HashMap<>();
		topics.forEach((topic) -> byTopic.put(topic, new ArrayList<>()));
		int count = 0;
		try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
			consumer.subscribe(topics);
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (count < expected && System.nanoTime() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					byTopic.get(record.topic()).add(record);
					count++;
				}
			}
			// nothing more than expected
			for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
				byTopic.get(record.topic()).add(record);
				count++;
			}
		}
		assertThat(count).as("records on " + topics + ": " + byTopic).isEqualTo(expected);
		return byTopic;
	}

	private static KafkaConsumer<byte[], byte[]> consumer() {
		return consumer(new HashMap<>());
	}

	private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> config) {
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
		config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
	}

	private static String op(ConsumerRecord<byte[], byte[]> record) {
		return (record.value() == null) ? "tombstone" : (String) value(record).get("op");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> value(ConsumerRecord<byte[], byte[]> record) {
		return JSON.readValue(record.value(), Map.class);
	}

	private static String string(byte[] bytes) {
		return (bytes != null) ? new String(bytes, StandardCharsets.UTF_8) : "null";
	}

	private static Map<String, Object> map(Object... keysAndValues) {
		Map<String, Object> map = new java.util.LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

}
