package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import io.github.pglogrepl.spring.event.RelationEvent;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.RestartablePostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 6: what the server takes away under the stream: a slot invalidated by
 * {@code max_slot_wal_keep_size} (at startup and while streaming), a publication dropped mid-stream, tables
 * altered (ADD COLUMN, DROP COLUMN, column type change) or dropped mid-stream. Each must end in a clear
 * error or a correct continuation, never a silent loss.
 */
@RealPostgres
class S6SlotPublicationSchemaChangesTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	static final Map<Long, Map<String, Object>> ROWS = new ConcurrentHashMap<>();

	static final List<String> RELATIONS = new CopyOnWriteArrayList<>();

	static volatile CountDownLatch gate = new CountDownLatch(0);

	/** Keeps every row's values; waits on the gate first (to hold the slot back). */
	public static class RowCapture {

		@EventListener
		public void on(InsertEvent<ChangeRow> event) throws InterruptedException {
			gate.await(120, TimeUnit.SECONDS);
			ROWS.put(((Number) event.newRow().get("id")).longValue(), event.newRow().toMap());
		}

		@EventListener
		public void on(RelationEvent event) {
			RELATIONS.add(event.table().name() + event.message().columns().stream().map((c) -> c.name()).toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CaptureConfig {

		@Bean
		RowCapture rowCapture() {
			return new RowCapture();
		}

	}

	private static ReplicationStreamContainer container(ConfigurableApplicationContext context) {
		return context.getBean(ReplicationStreamContainer.class);
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void invalidatedSlotFailsStartupClearlyAndIsReportedWhileStreaming() throws Exception {
		Map<String, String> config = RestartablePostgres.logicalConfig();
		config.put("max_slot_wal_keep_size", "1MB");
		try (RestartablePostgres server = new RestartablePostgres(Soak.workDir("s6a-invalidated-slot").resolve("pgdata"),
				config)) {
			server.execute("CREATE TABLE t (id bigint PRIMARY KEY, payload text)", "CREATE TABLE filler (pad text)",
					"CREATE PUBLICATION p FOR TABLE t");
			// (1) at startup: a slot that lost its WAL before the application starts
			server.execute("SELECT pg_create_logical_replication_slot('lost_slot', 'pgoutput')");
			server.execute("INSERT INTO t VALUES (1, 'before invalidation')");
			exceedWalKeepSize(server);
			assertThat(server.queryString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lost_slot'"))
				.isEqualTo("lost");
			Throwable failure = null;
			try {
				// not expected to start
				ReliabilityApp.start(AppProperties.of(server.jdbcUrl(), null, "lost_slot", "p", "t")).close();
			}
			catch (Throwable ex) {
				failure = ex;
			}
			ReplicationSetupException setup = cause(failure, ReplicationSetupException.class);
			assertThat(setup).as("startup fails with ReplicationSetupException, got %s", failure).isNotNull();
			assertThat(setup.getMessage()).contains("lost_slot").contains("invalidated").contains("wal_status = lost");
			server.execute("SELECT pg_drop_replication_slot('lost_slot')");

			// (2) while streaming: the listener holds the slot back, the server removes the WAL it needs
			server.execute("SELECT pg_create_logical_replication_slot('live_slot', 'pgoutput')");
			gate = new CountDownLatch(1);
			ROWS.clear();
			StreamState state;
			int committedAfter;
			try (ConfigurableApplicationContext context = ReliabilityApp
				.start(AppProperties.of(server.jdbcUrl(), null, "live_slot", "p", "t"), CaptureConfig.class)) {
				server.execute("INSERT INTO t VALUES (2, 'held back by the listener')");
				Soak.await("streaming", TIMEOUT, () -> container(context).state().status() == StreamStatus.STREAMING);
				exceedWalKeepSize(server);
				Soak.await("slot invalidated", TIMEOUT, () -> "lost"
					.equals(server.queryString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'live_slot'")));
				server.execute("INSERT INTO t VALUES (3, 'after invalidation')");
				committedAfter = 1;
				gate.countDown();
				Soak.await("the stream to report the invalidated slot", TIMEOUT, () -> {
					String error = container(context).state().lastError();
					return error != null && error.contains("invalidated");
				});
				Soak.sleep(3000);
				state = container(context).state();
			}
			finally {
				gate.countDown();
			}
			String error = state.lastError();
			Report.add(new Report.Entry("6a", "Slot invalidated by max_slot_wal_keep_size (startup / mid-stream)", 2, null,
					null, "startup: fails with ReplicationSetupException \"" + setup.getMessage().replaceAll("\\s+", " ")
							+ "\"; mid-stream: walsender terminated by the checkpointer, the stream stops (pglogrepl.slot.on-lost=fail), status "
							+ state.status() + " after " + state.reconnects() + " reconnects, lastError \""
							+ error.replaceAll("\\s+", " ") + "\"; " + committedAfter
							+ " row committed after the invalidation is not delivered (slot unusable: loud, not silent)"));
			assertThat(state.status()).isEqualTo(StreamStatus.SLOT_LOST);
			assertThat(error).contains("live_slot").contains("invalidated");
			assertThat(ROWS).doesNotContainKey(3L);
		}
	}

	private static void exceedWalKeepSize(RestartablePostgres server) {
		for (int i = 0; i < 4; i++) {
			server.execute("INSERT INTO filler SELECT repeat('x', 500) FROM generate_series(1, 2000)",
					"SELECT pg_switch_wal()");
		}
		server.execute("CHECKPOINT", "CHECKPOINT");
	}

	private static <T extends Throwable> T cause(Throwable ex, Class<T> type) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void droppedPublicationMidStream(TestPostgres pg) {
		String table = TestPostgres.uniqueName("droppub");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		Path file = Soak.workDir("s6b-dropped-publication").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table));
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 3, 20).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			ReplicationStreamContainer container = container(context);
			Soak.await("rows", TIMEOUT, () -> deliveries.refresh().total() > 20);
			long beforeDrop = writer.lastAcked();
			pg.execute("DROP PUBLICATION " + pub);
			long dropped = writer.lastAcked();
			Soak.sleep(2000);
			// a check of the publications, if the stream makes one, has had time to run
			long waitUntil = System.currentTimeMillis() + 8000;
			while (container.state().problem() == null && System.currentTimeMillis() < waitUntil) {
				Soak.sleep(50);
			}
			StreamState whileDropped = container.state();
			long beforeCreate = writer.lastAcked();
			pg.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
			long created = writer.lastAcked();
			Soak.sleep(2000);
			writer.stop();
			Set<Long> committed = Sql.ids(pg::connect, table);
			Set<Long> afterCreate = new TreeSet<>();
			committed.stream().filter((id) -> id > created).forEach(afterCreate::add);
			Set<Long> gap = new TreeSet<>();
			committed.stream().filter((id) -> id > dropped && id <= beforeCreate).forEach(gap::add);
			Set<Long> before = new TreeSet<>();
			committed.stream().filter((id) -> id <= beforeDrop).forEach(before::add);
			// give the stream time to deliver (or to fail)
			Outcome.awaitAll(() -> afterCreate, deliveries, Duration.ofSeconds(20));
			StreamState end = container.state();
			Outcome beforeOutcome = Outcome.of(before, deliveries);
			Outcome gapOutcome = Outcome.of(gap, deliveries);
			Outcome afterOutcome = Outcome.of(afterCreate, deliveries);
			Set<Long> published = new TreeSet<>(before);
			published.addAll(afterCreate);
			Outcome outcome = Outcome.of(published, deliveries);
			boolean continued = afterOutcome.lost() == 0;
			String error = (end.lastError() != null) ? end.lastError() : whileDropped.lastError();
			String problem = whileDropped.problem();
			boolean gapDelivered = gapOutcome.lost() == 0;
			boolean reported = (problem != null && problem.contains(pub)) || (error != null && error.contains(pub));
			Report.add(new Report.Entry("6b", "Publication dropped mid-stream (and created again)", 1, outcome, null,
					"counted: rows committed while the publication existed (" + before.size() + " before the drop, "
							+ afterCreate.size() + " after re-creating it): all delivered; " + gap.size()
							+ " rows committed while it was missing: " + gapOutcome.delivered()
							+ " delivered (the server does not publish them)"
							+ (reported ? "; reported while missing: state.problem \"" + problem + "\" (health DOWN)"
									: (gapDelivered ? "" : "; NOTHING reported (stream " + whileDropped.status() + "): SILENT gap"))
							+ "; after re-creating: stream " + end.status() + ", problem "
							+ ((end.problem() == null) ? "cleared" : "\"" + end.problem() + "\"") + ", reconnects "
							+ end.reconnects() + ", lastError " + ((error != null) ? "\"" + error.replaceAll("\\s+", " ") + "\"" : "none")));
			assertThat(beforeOutcome.lost()).as("rows committed before the drop: %s", beforeOutcome).isZero();
			assertThat(outcome.lost()).as("rows committed while the publication existed: %s", outcome).isZero();
			assertThat(continued || reported).as("rows after re-creating are delivered (%s), or the stream reports the "
					+ "missing publication (%s)", afterOutcome, error).isTrue();
			assertThat(gapDelivered || reported).as("rows committed while the publication was missing (%s) are either "
					+ "delivered or the missing publication is reported; problem %s, lastError %s", gapOutcome, problem, error)
				.isTrue();
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void alteredTableMidStreamDeliversTheNewShape(TestPostgres pg) {
		String table = TestPostgres.uniqueName("altered");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text, v int)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		Path file = Soak.workDir("s6c-altered-table").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table));
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		gate = new CountDownLatch(0);
		ROWS.clear();
		RELATIONS.clear();
		long big = 1L << 40;
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, CaptureConfig.class)) {
			for (long id = 1; id <= 5; id++) {
				pg.execute("INSERT INTO " + table + " (id, payload, v) VALUES (" + id + ", 'p" + id + "', " + id + ")");
			}
			Soak.await("rows 1-5", TIMEOUT, () -> ROWS.containsKey(5L));
			pg.execute("ALTER TABLE " + table + " ADD COLUMN extra text DEFAULT 'default'");
			for (long id = 6; id <= 10; id++) {
				pg.execute("INSERT INTO " + table + " (id, payload, v, extra) VALUES (" + id + ", 'p" + id + "', " + id + ", 'e" + id + "')");
			}
			pg.execute("ALTER TABLE " + table + " DROP COLUMN payload");
			for (long id = 11; id <= 15; id++) {
				pg.execute("INSERT INTO " + table + " (id, v, extra) VALUES (" + id + ", " + id + ", 'e" + id + "')");
			}
			// a type change rewrites the table: the rewrite must not show up as inserts
			pg.execute("ALTER TABLE " + table + " ALTER COLUMN v TYPE bigint");
			for (long id = 16; id <= 20; id++) {
				pg.execute("INSERT INTO " + table + " (id, v, extra) VALUES (" + id + ", " + (big + id) + ", 'e" + id + "')");
			}
			Soak.await("rows 6-20", TIMEOUT, () -> ROWS.containsKey(20L));
			Soak.sleep(500);
			Outcome outcome = Outcome.of(Sql.ids(pg::connect, table), deliveries);
			StreamState state = container(context).state();
			Report.add(new Report.Entry("6c", "Table altered mid-stream: ADD COLUMN, DROP COLUMN, column type change", 3,
					outcome, null, "rows after each ALTER carry the new shape: after ADD COLUMN " + ROWS.get(6L) + ", after DROP COLUMN "
							+ ROWS.get(11L) + ", after int->bigint " + ROWS.get(16L) + " (v as " + ROWS.get(16L).get("v").getClass().getSimpleName()
							+ "); " + RELATIONS.size() + " Relation messages; the table rewrite produced no inserts; stream "
							+ state.status() + ", lastError " + state.lastError()));
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			assertThat(outcome.duplicates()).as("no row twice, the rewrite is not replicated").isZero();
			assertThat(deliveries.total()).isEqualTo(20);
			assertThat(ROWS.get(1L)).containsOnlyKeys("id", "payload", "v").containsEntry("v", 1);
			assertThat(ROWS.get(6L)).containsOnlyKeys("id", "payload", "v", "extra").containsEntry("extra", "e6");
			assertThat(ROWS.get(11L)).containsOnlyKeys("id", "v", "extra").containsEntry("extra", "e11");
			assertThat(ROWS.get(16L)).containsOnlyKeys("id", "v", "extra").containsEntry("v", big + 16);
			assertThat(state.status()).isEqualTo(StreamStatus.STREAMING);
			assertThat(state.reconnects()).isZero();
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void droppedTableMidStreamLeavesTheOthersStreaming(TestPostgres pg) {
		String gone = TestPostgres.uniqueName("gone");
		String kept = TestPostgres.uniqueName("kept");
		String pub = gone + "_pub";
		String slot = gone + "_slot";
		pg.execute("CREATE TABLE " + gone + " (id bigint PRIMARY KEY, payload text)",
				"CREATE TABLE " + kept + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + gone + ", " + kept,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		Path file = Soak.workDir("s6d-dropped-table").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, ""));
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), kept, 1_000_000, 3, 10).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			for (long id = 1; id <= 10; id++) {
				pg.execute("INSERT INTO " + gone + " VALUES (" + id + ", 'x')");
			}
			Soak.await("rows of the table to drop", TIMEOUT, () -> deliveries.refresh().ids().contains(10L));
			Set<Long> goneRows = Sql.ids(pg::connect, gone);
			pg.execute("DROP TABLE " + gone);
			long droppedAt = writer.lastAcked();
			Soak.sleep(2000);
			writer.stop();
			Set<Long> committed = new TreeSet<>(Sql.ids(pg::connect, kept));
			committed.addAll(goneRows);
			Outcome outcome = Outcome.awaitAll(() -> committed, deliveries, TIMEOUT);
			StreamState state = container(context).state();
			long afterDrop = committed.stream().filter((id) -> id > droppedAt).count();
			Report.add(new Report.Entry("6d", "Table dropped mid-stream (publication of two tables)", 1, outcome, null,
					"rows of the dropped table before DROP: delivered; " + afterDrop
							+ " rows of the other table committed after DROP TABLE: delivered; stream " + state.status()
							+ ", reconnects " + state.reconnects() + ", lastError " + state.lastError()));
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			assertThat(afterDrop).isPositive();
			assertThat(state.status()).isEqualTo(StreamStatus.STREAMING);
			assertThat(state.reconnects()).isZero();
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

}
