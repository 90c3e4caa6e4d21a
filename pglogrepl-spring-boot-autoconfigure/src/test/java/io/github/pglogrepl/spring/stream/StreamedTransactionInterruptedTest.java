package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.StreamCommitEvent;
import io.github.pglogrepl.spring.event.StreamInterruptedEvent;
import io.github.pglogrepl.spring.event.StreamStartEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A streamed transaction cut by a reconnect: the walsender is terminated while a large transaction is being
 * streamed (the test server's {@code logical_decoding_work_mem} is 64kB); the listeners are told that its partial
 * delivery is void ({@link StreamInterruptedEvent}) before the server sends it again, and then receive it in full
 * and committed once.
 */
@RealPostgres
@Tag("all-versions")
class StreamedTransactionInterruptedTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	private static String walsenderPid(TestPostgres pg, String slot) {
		return pg.queryString("SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	private static List<Integer> insertedIds(List<ReplicationEvent> events, long xid) {
		List<Integer> ids = new ArrayList<>();
		for (ReplicationEvent event : events) {
			if (event instanceof InsertEvent<?> insert && insert.transaction().xid() == xid) {
				ids.add((Integer) insert.newRow().get("id"));
			}
		}
		return ids;
	}

	@Test
	void listenersAreToldThatThePartialDeliveryIsVoidBeforeTheTransactionComesAgainInFull(TestPostgres pg)
			throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key, filler text");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.pgoutput.streaming=on");
		int firstPart = 3000;
		int total = 4000;
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class);
				Connection writer = pg.connect()) {
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> walsenderPid(pg, slot) != null, TIMEOUT);
			writer.setAutoCommit(false);
			long xid;
			try (Statement st = writer.createStatement()) {
				st.execute("INSERT INTO " + tp[0] + " SELECT g, repeat('x', 100) FROM generate_series(1, " + firstPart
						+ ") g");
				try (ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
					rs.next();
					xid = rs.getLong(1);
				}
			}
			// the open transaction exceeds logical_decoding_work_mem: the server streams it before it commits
			StreamTestSupport.await("part of the transaction streamed",
					() -> !insertedIds(recorder.events, xid).isEmpty(), TIMEOUT);
			String pid = walsenderPid(pg, slot);
			pg.execute("SELECT pg_terminate_backend(" + pid + ")");
			StreamTestSupport.await("streaming on a new walsender", () -> {
				String now = walsenderPid(pg, slot);
				return now != null && !now.equals(pid);
			}, TIMEOUT);
			try (Statement st = writer.createStatement()) {
				st.execute("INSERT INTO " + tp[0] + " SELECT g, repeat('x', 100) FROM generate_series(" + (firstPart + 1)
						+ ", " + total + ") g");
			}
			writer.commit();
			StreamTestSupport.await("stream commit", () -> !recorder.of(StreamCommitEvent.class).isEmpty(), TIMEOUT);

			List<ReplicationEvent> events = List.copyOf(recorder.events);
			int interrupted = -1;
			for (int i = 0; i < events.size(); i++) {
				if (events.get(i) instanceof StreamInterruptedEvent event) {
					assertThat(interrupted).as("one StreamInterruptedEvent").isEqualTo(-1);
					assertThat(event.xid()).isEqualTo(xid);
					assertThat(event.stream()).isEqualTo("default");
					interrupted = i;
				}
			}
			assertThat(interrupted).as("StreamInterruptedEvent published").isPositive();
			List<ReplicationEvent> before = events.subList(0, interrupted);
			List<ReplicationEvent> after = events.subList(interrupted + 1, events.size());
			assertThat(insertedIds(before, xid)).isNotEmpty().hasSizeLessThan(total);
			// after the signal: the transaction from its first block, every row once, committed once
			StreamStartEvent firstAfter = after.stream()
				.filter(StreamStartEvent.class::isInstance)
				.map(StreamStartEvent.class::cast)
				.findFirst()
				.orElseThrow();
			assertThat(firstAfter.xid()).isEqualTo(xid);
			assertThat(firstAfter.message().firstSegment()).isTrue();
			assertThat(after.indexOf(firstAfter)).isLessThan(after.indexOf(after.stream()
				.filter(InsertEvent.class::isInstance)
				.findFirst()
				.orElseThrow()));
			List<Integer> redelivered = insertedIds(after, xid);
			assertThat(redelivered).hasSize(total);
			Set<Integer> expected = new HashSet<>();
			for (int id = 1; id <= total; id++) {
				expected.add(id);
			}
			assertThat(new HashSet<>(redelivered)).isEqualTo(expected);
			assertThat(recorder.of(StreamCommitEvent.class)).hasSize(1)
				.allSatisfy((commit) -> assertThat(commit.xid()).isEqualTo(xid));
			assertThat(after.indexOf(recorder.of(StreamCommitEvent.class).get(0))).isGreaterThan(0);
			assertThat(container.state().reconnects()).isGreaterThanOrEqualTo(1);
		}
		finally {
			StreamTestSupport.await("slot inactive", () -> !"true".equals(
					pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")),
					TIMEOUT);
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

}
