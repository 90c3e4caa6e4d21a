package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.StreamAbortEvent;
import io.github.pglogrepl.spring.event.StreamCommitEvent;
import io.github.pglogrepl.spring.event.StreamStartEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slot and publication lifecycle per the properties, and streaming of large transactions.
 */
@RealPostgres
@SuppressWarnings("try") // resources held open by try-with-resources (and closed early where the test needs it)
class SlotLifecycleTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	private static String slotCount(TestPostgres pg, String slot) {
		return pg.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	@Test
	void slotIsCreatedIfMissingKeptAcrossRestartsAndDroppedOnShutdownWhenAsked(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		assertThat(slotCount(pg, slot)).isEqualTo("0");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(StreamTestSupport.properties(pg, slot, tp[1]),
				Config.class)) {
			assertThat(slotCount(pg, slot)).isEqualTo("1");
			assertThat(pg.queryString("SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("pgoutput");
		}
		assertThat(slotCount(pg, slot)).as("persistent slot survives shutdown").isEqualTo("1");
		// changes made while the application is down are delivered when it comes back
		pg.execute("INSERT INTO " + tp[0] + " VALUES (7)");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.slot.drop-on-shutdown=true");
		props.add("pglogrepl.slot.create=never");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			StreamTestSupport.await("insert made while down", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
			assertThat(recorder.of(InsertEvent.class).get(0).newRow().get("id")).isEqualTo(7);
		}
		assertThat(slotCount(pg, slot)).as("dropped on shutdown").isEqualTo("0");
	}

	@Test
	void publicationIsCreatedForTheConfiguredTables(TestPostgres pg) {
		String table = TestPostgres.uniqueName("t");
		pg.execute("CREATE TABLE " + table + " (id int primary key)");
		String pub = TestPostgres.uniqueName("pub");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, pub);
		props.add("pglogrepl.publication.create=if-missing");
		props.add("pglogrepl.publication.tables=public." + table);
		props.add("pglogrepl.slot.create=temporary");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			assertThat(pg.queryString("SELECT string_agg(schemaname || '.' || tablename, ',') FROM pg_publication_tables WHERE pubname = '"
					+ pub + "'")).isEqualTo("public." + table);
			Recorder recorder = context.getBean(Recorder.class);
			pg.execute("INSERT INTO " + table + " VALUES (1)");
			StreamTestSupport.await("commit", () -> !recorder.of(CommitEvent.class).isEmpty(), TIMEOUT);
		}
	}

	@Test
	void largeTransactionsAreStreamedAndAcknowledgedAtStreamCommit(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key, payload text");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.pgoutput.streaming=on");
		props.add("pglogrepl.slot.create=temporary");
		props.add("pglogrepl.status-interval=200ms");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			// logical_decoding_work_mem is 64kB on the test server: 3000 rows are streamed before commit
			pg.execute("INSERT INTO " + tp[0] + " SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g");
			try {
				StreamTestSupport.await("stream commit", () -> !recorder.of(StreamCommitEvent.class).isEmpty(), TIMEOUT);
			}
			catch (AssertionError ex) {
				java.util.Map<String, Long> counts = new java.util.TreeMap<>();
				recorder.events.forEach((e) -> counts.merge(e.getClass().getSimpleName(), 1L, Long::sum));
				throw new AssertionError("events: " + counts + " state " + container.state(), ex);
			}
			StreamStartEvent start = recorder.of(StreamStartEvent.class).get(0);
			@SuppressWarnings("rawtypes")
			List<InsertEvent> inserts = recorder.of(InsertEvent.class);
			assertThat(inserts).hasSize(3000);
			assertThat(inserts).allSatisfy((e) -> {
				assertThat(e.transaction().streamed()).isTrue();
				assertThat(e.xid()).isEqualTo(start.xid());
				assertThat(e.commitLsn()).isNull();
			});
			StreamCommitEvent commit = recorder.of(StreamCommitEvent.class).get(0);
			assertThat(commit.xid()).isEqualTo(start.xid());
			StreamTestSupport.await("ack at stream commit", () -> !container.state().flushedLsn().isBefore(commit.endLsn()),
					TIMEOUT);
			assertThat(recorder.of(StreamAbortEvent.class)).isEmpty();
		}
	}

}
