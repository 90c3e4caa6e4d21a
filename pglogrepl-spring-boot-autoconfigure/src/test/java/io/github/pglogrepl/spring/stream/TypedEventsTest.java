package io.github.pglogrepl.spring.stream;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.KeepaliveEvent;
import io.github.pglogrepl.spring.event.LogicalMessageEvent;
import io.github.pglogrepl.spring.event.RelationEvent;
import io.github.pglogrepl.spring.event.ReplicatedTable;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoded changes arrive as typed Spring events in a full application context.
 */
@RealPostgres
class TypedEventsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	static volatile String ordersTable;

	/** Maps to the orders table of the test. */
	public record Order(long id, String customerName, BigDecimal amount, Instant createdAt) {
	}

	/** Maps to a table by annotation. */
	@ReplicatedTable("no_such_table")
	public record Unused(long id) {
	}

	/** Listeners of several kinds. */
	public static class Listeners {

		final List<Order> orders = new CopyOnWriteArrayList<>();

		final List<InsertEvent<?>> allInserts = new CopyOnWriteArrayList<>();

		final List<InsertEvent<ChangeRow>> untyped = new CopyOnWriteArrayList<>();

		final List<UpdateEvent<Order>> updates = new CopyOnWriteArrayList<>();

		final List<DeleteEvent<Order>> deletes = new CopyOnWriteArrayList<>();

		final List<InsertEvent<?>> conditioned = new CopyOnWriteArrayList<>();

		final List<Unused> unused = new CopyOnWriteArrayList<>();

		@EventListener
		public void onOrder(InsertEvent<Order> event) {
			this.orders.add(event.newValue());
		}

		@EventListener
		public void onAny(InsertEvent<?> event) {
			this.allInserts.add(event);
		}

		@EventListener
		public void onUntyped(InsertEvent<ChangeRow> event) {
			this.untyped.add(event);
		}

		@EventListener
		public void onUpdate(UpdateEvent<Order> event) {
			this.updates.add(event);
		}

		@EventListener
		public void onDelete(DeleteEvent<Order> event) {
			this.deletes.add(event);
		}

		@EventListener(condition = "#event.table.name.startsWith('other')")
		public void onOther(InsertEvent<?> event) {
			this.conditioned.add(event);
		}

		@EventListener
		public void onUnused(InsertEvent<Unused> event) {
			this.unused.add(event.newValue());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	@Test
	void rowsArriveAsTypedEventsAndListenersOfOtherTypesAreNotCalled(TestPostgres pg) {
		// a table named like the record (order -> "order" or "orders") is mapped to it
		String schema = TestPostgres.uniqueName("s");
		String pub = TestPostgres.uniqueName("pub");
		String other = "other_" + TestPostgres.uniqueName("t");
		pg.execute("CREATE SCHEMA " + schema,
				"CREATE TABLE " + schema + ".orders (id bigint primary key, customer_name text, amount numeric(10,2), created_at timestamptz, extra int)",
				"CREATE TABLE " + other + " (id int primary key)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + schema + ".orders, " + other);
		String slot = TestPostgres.uniqueName("slot");
		try (ConfigurableApplicationContext context = StreamTestSupport
			.start(StreamTestSupport.properties(pg, slot, pub), Config.class)) {
			Listeners listeners = context.getBean(Listeners.class);
			Recorder recorder = context.getBean(Recorder.class);
			pg.execute("INSERT INTO " + schema + ".orders VALUES (1, 'Ada', 12.50, '2024-05-01 10:00:00+00', 7)",
					"INSERT INTO " + other + " VALUES (5)",
					"UPDATE " + schema + ".orders SET amount = 13.00 WHERE id = 1",
					"DELETE FROM " + schema + ".orders WHERE id = 1");
			StreamTestSupport.await("delete event", () -> !listeners.deletes.isEmpty(), TIMEOUT);
			assertThat(listeners.orders).containsExactly(
					new Order(1, "Ada", new BigDecimal("12.50"), Instant.parse("2024-05-01T10:00:00Z")));
			assertThat(listeners.allInserts).hasSize(2);
			assertThat(listeners.untyped).hasSize(1);
			assertThat(listeners.untyped.get(0).table().name()).isEqualTo(other);
			assertThat(listeners.untyped.get(0).newRow().get("id")).isEqualTo(5);
			assertThat(listeners.conditioned).hasSize(1);
			assertThat(listeners.conditioned.get(0).table().name()).isEqualTo(other);
			assertThat(listeners.unused).isEmpty();
			UpdateEvent<Order> update = listeners.updates.get(0);
			assertThat(update.newValue().amount()).isEqualByComparingTo("13.00");
			assertThat(update.oldRow()).isNull();
			assertThat(update.table().schema()).isEqualTo(schema);
			DeleteEvent<Order> delete = listeners.deletes.get(0);
			assertThat(delete.oldValue().id()).isEqualTo(1);
			// without REPLICA IDENTITY FULL the old row is the key: the other columns were not sent (not NULL)
			assertThat(delete.oldRow().isKeyOnly()).isTrue();
			assertThat(delete.oldRow().isSent("customer_name")).isFalse();
			assertThat(delete.oldRow().isNull("customer_name")).isFalse();
			assertThat(delete.oldRow().unsentColumns()).containsExactly("customer_name", "amount", "created_at", "extra");
			assertThat(delete.oldValue().customerName()).isNull();
			// transaction context of row events
			InsertEvent<?> first = listeners.allInserts.get(0);
			BeginEvent begin = recorder.of(BeginEvent.class).get(0);
			CommitEvent commit = recorder.of(CommitEvent.class).get(0);
			assertThat(first.xid()).isEqualTo(begin.xid());
			assertThat(first.commitLsn()).isEqualTo(begin.finalLsn()).isEqualTo(commit.commitLsn());
			assertThat(first.commitTime()).isEqualTo(commit.commitTime());
			assertThat(recorder.of(RelationEvent.class)).extracting((e) -> e.table().name())
				.containsExactlyInAnyOrder("orders", other);
			// event order within a transaction: begin, relation, insert, commit
			List<String> kinds = recorder.events.subList(0, 4).stream().map((e) -> e.getClass().getSimpleName()).toList();
			assertThat(kinds).containsExactly("BeginEvent", "RelationEvent", "InsertEvent", "CommitEvent");
		}
	}

	@Test
	void truncateMessagesRawAndKeepaliveEvents(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.pgoutput.messages=true");
		props.add("pglogrepl.events.raw=true");
		props.add("pglogrepl.events.keepalive=true");
		props.add("pglogrepl.status-interval=500ms");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)", "TRUNCATE " + tp[0],
					"SELECT pg_logical_emit_message(false, 'app', 'hello')");
			StreamTestSupport.await("message event", () -> !recorder.of(LogicalMessageEvent.class).isEmpty(), TIMEOUT);
			TruncateEvent truncate = recorder.of(TruncateEvent.class).get(0);
			assertThat(truncate.tables()).extracting((t) -> t.name()).containsExactly(tp[0]);
			assertThat(truncate.cascade()).isFalse();
			LogicalMessageEvent message = recorder.of(LogicalMessageEvent.class).get(0);
			assertThat(message.prefix()).isEqualTo("app");
			assertThat(message.contentAsString()).isEqualTo("hello");
			assertThat(message.transactional()).isFalse();
			List<XLogDataEvent> raw = recorder.of(XLogDataEvent.class);
			// one raw event per decoded message, published first
			long decoded = recorder.events.stream().filter((e) -> e instanceof io.github.pglogrepl.spring.event.PgOutputEvent).count();
			assertThat(raw).hasSize((int) decoded);
			assertThat(raw.get(0).walStart().isValid()).isTrue();
			assertThat(raw.get(0).size()).isPositive();
			assertThat(raw.get(0).data().get(0)).isEqualTo((byte) 'B');
			assertThat(raw.get(0).serverWalEnd()).isGreaterThanOrEqualTo(raw.get(0).walStart());
			// keepalives: the server answers our status updates and reports its WAL end
			StreamStatusAssert.awaitKeepalive(recorder, TIMEOUT);
			KeepaliveEvent keepalive = recorder.of(KeepaliveEvent.class).get(0);
			assertThat(keepalive.serverWalEnd()).isGreaterThan(Lsn.INVALID);
		}
	}

}
