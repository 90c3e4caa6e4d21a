package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The flushed position advances only after delivery (auto), or on the application's word (manual); a failing
 * listener is retried (default) or skipped (custom handler), never acknowledged past.
 */
@RealPostgres
class AcknowledgementTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

	static final Map<Integer, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();

	/** Blocks on a gate for rows whose id has one; throws for ids with failures left. */
	public static class GatedListener {

		final List<Integer> delivered = new CopyOnWriteArrayList<>();

		@EventListener
		public void on(InsertEvent<ChangeRow> event) throws InterruptedException {
			int id = (Integer) event.newRow().get("id");
			CountDownLatch gate = GATES.get(event.table().name() + ":" + id);
			if (gate != null) {
				gate.await(60, TimeUnit.SECONDS);
			}
			AtomicInteger failures = FAILURES_LEFT.get(id);
			if (failures != null && failures.getAndDecrement() > 0) {
				throw new IllegalStateException("listener fails for id " + id);
			}
			this.delivered.add(id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		GatedListener gatedListener() {
			return new GatedListener();
		}

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SkipConfig {

		static final List<String> skipped = new CopyOnWriteArrayList<>();

		@Bean
		ReplicationErrorHandler skippingHandler() {
			return (event, error, attempt) -> {
				skipped.add(String.valueOf(error.getMessage()));
				return ErrorAction.SKIP;
			};
		}

	}

	private static Lsn confirmed(TestPostgres pg, String slot) {
		return Lsn.parse(pg.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
	}

	private static List<String> props(TestPostgres pg, String slot, String pub) {
		List<String> props = StreamTestSupport.properties(pg, slot, pub);
		props.add("pglogrepl.status-interval=200ms");
		return props;
	}

	@Test
	void autoAckWaitsForTheListenersOfTheTransaction(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		CountDownLatch gate = new CountDownLatch(1);
		GATES.put(tp[0] + ":2", gate);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props(pg, slot, tp[1]), Config.class)) {
			GatedListener listener = context.getBean(GatedListener.class);
			Recorder recorder = context.getBean(Recorder.class);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("first commit", () -> recorder.of(CommitEvent.class).size() == 1, TIMEOUT);
			Lsn firstEnd = recorder.of(CommitEvent.class).get(0).endLsn();
			StreamTestSupport.await("first ack", () -> !confirmed(pg, slot).isBefore(firstEnd), TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");
			// the listener of row 2 is blocked: its transaction must not be acknowledged
			Thread.sleep(1500);
			assertThat(listener.delivered).containsExactly(1);
			Lsn current = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()::text"));
			assertThat(confirmed(pg, slot)).isLessThan(current);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Lsn flushedWhileBlocked = container.state().flushedLsn();
			gate.countDown();
			StreamTestSupport.await("second commit", () -> recorder.of(CommitEvent.class).size() == 2, TIMEOUT);
			Lsn secondEnd = recorder.of(CommitEvent.class).get(1).endLsn();
			assertThat(flushedWhileBlocked).isLessThan(secondEnd);
			StreamTestSupport.await("second ack", () -> !confirmed(pg, slot).isBefore(secondEnd), TIMEOUT);
			assertThat(listener.delivered).containsExactly(1, 2);
		}
		finally {
			GATES.clear();
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

	@Test
	void failingListenerIsRedeliveredAndNothingIsAcknowledgedPastIt(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		FAILURES_LEFT.put(1002, new AtomicInteger(2));
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props(pg, slot, tp[1]), Config.class)) {
			GatedListener listener = context.getBean(GatedListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1001)", "INSERT INTO " + tp[0] + " VALUES (1002)",
					"INSERT INTO " + tp[0] + " VALUES (1003)");
			StreamTestSupport.await("all rows", () -> listener.delivered.contains(1003), TIMEOUT);
			// 1002 failed twice, then succeeded on the third delivery; 1001 may be redelivered (at-least-once)
			assertThat(listener.delivered).containsSubsequence(1001, 1002, 1003);
			assertThat(listener.delivered.stream().filter((id) -> id == 1002).count()).isEqualTo(1);
			assertThat(FAILURES_LEFT.get(1002).get()).isLessThan(0);
			assertThat(container.state().reconnects()).isGreaterThanOrEqualTo(2);
			assertThat(container.state().lastError()).isNull();
		}
		finally {
			FAILURES_LEFT.clear();
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

	@Test
	void skippingErrorHandlerMovesOnAndAcknowledges(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		FAILURES_LEFT.put(2002, new AtomicInteger(1000));
		SkipConfig.skipped.clear();
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props(pg, slot, tp[1]), Config.class,
				SkipConfig.class)) {
			GatedListener listener = context.getBean(GatedListener.class);
			Recorder recorder = context.getBean(Recorder.class);
			// 2002 and 2003 are one transaction: skipping the failed row goes on with the next one
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2001)", "INSERT INTO " + tp[0] + " VALUES (2002), (2003)");
			StreamTestSupport.await("row after the failing one", () -> listener.delivered.contains(2003), TIMEOUT);
			assertThat(listener.delivered).containsExactly(2001, 2003);
			assertThat(SkipConfig.skipped).containsExactly("listener fails for id 2002");
			Lsn lastEnd = recorder.of(CommitEvent.class).get(recorder.of(CommitEvent.class).size() - 1).endLsn();
			StreamTestSupport.await("ack past the skipped transaction", () -> !confirmed(pg, slot).isBefore(lastEnd), TIMEOUT);
			assertThat(context.getBean(ReplicationStreamContainer.class).state().reconnects()).isZero();
		}
		finally {
			FAILURES_LEFT.clear();
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

	@Test
	void manualAckModeAcknowledgesOnlyWhatTheApplicationSays(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = props(pg, slot, tp[1]);
		props.add("pglogrepl.ack-mode=manual");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			Acknowledgement ack = context.getBean(Acknowledgement.class);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)", "INSERT INTO " + tp[0] + " VALUES (2)");
			StreamTestSupport.await("two commits", () -> recorder.of(CommitEvent.class).size() == 2, TIMEOUT);
			CommitEvent first = recorder.of(CommitEvent.class).get(0);
			CommitEvent second = recorder.of(CommitEvent.class).get(1);
			Thread.sleep(1000);
			// delivered but not acknowledged: the slot stays before the first transaction's end
			assertThat(confirmed(pg, slot)).isLessThan(first.endLsn());
			assertThat(ack.acknowledged()).isLessThan(first.endLsn());
			assertThatIllegalArgumentException().isThrownBy(() -> ack.acknowledge(second.endLsn().plus(1000)))
				.withMessageContaining("were delivered");
			ack.acknowledge(first);
			StreamTestSupport.await("first ack", () -> confirmed(pg, slot).equals(first.endLsn()), TIMEOUT);
			ack.acknowledge(second);
			// once everything delivered is acknowledged, keepalives may move the slot further (idle WAL)
			StreamTestSupport.await("second ack", () -> !confirmed(pg, slot).isBefore(second.endLsn()), TIMEOUT);
			assertThat(ack.acknowledged()).isGreaterThanOrEqualTo(second.endLsn());
		}
		finally {
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

	@Test
	void gracefulStopReportsTheLastAcknowledgedPosition(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.status-interval=1h");
		Lsn end;
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Recorder recorder = context.getBean(Recorder.class);
			// make the server's keepalive-driven idle advance impossible: one transaction, then stop at once
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("commit", () -> recorder.of(CommitEvent.class).size() == 1, TIMEOUT);
			end = recorder.of(CommitEvent.class).get(0).endLsn();
		}
		try {
			assertThat(confirmed(pg, slot)).isGreaterThanOrEqualTo(end);
			assertThat(pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("false");
		}
		finally {
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

}
