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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.stream.ErrorAction;
import io.github.pglogrepl.spring.stream.ReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 4: a listener throws for one specific row. The default error handler retries with backoff and
 * never acknowledges past the failing transaction; a skip/dead-letter handler (a user
 * {@link ReplicationErrorHandler} bean) records the event and moves on.
 */
@RealPostgres
class S4ListenerFailureTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	static final Set<Long> POISON = ConcurrentHashMap.newKeySet();

	static final List<Long> FAILURES_AT = new CopyOnWriteArrayList<>();

	static volatile Lsn poisonCommitLsn;

	/** Rows whose listener fails until a point in time (epoch millis). */
	static final Map<Long, Long> POISON_UNTIL = new ConcurrentHashMap<>();

	/** A dead-letter record: the failed row and its transaction. */
	record DeadLetter(long id, long xid, Lsn commitLsn, String error) {
	}

	static final List<DeadLetter> DEAD_LETTERS = new CopyOnWriteArrayList<>();

	/** Throws for poison rows; runs before the durable recorder, so a failed row is not recorded. */
	public static class PoisonListener {

		@EventListener
		@Order(Ordered.HIGHEST_PRECEDENCE)
		public void on(InsertEvent<ChangeRow> event) {
			long id = ((Number) event.newRow().get("id")).longValue();
			Long until = POISON_UNTIL.get(id);
			if (POISON.contains(id) || (until != null && System.currentTimeMillis() < until)) {
				FAILURES_AT.add(System.currentTimeMillis());
				poisonCommitLsn = event.commitLsn();
				throw new IllegalStateException("poison row " + id);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PoisonConfig {

		@Bean
		PoisonListener poisonListener() {
			return new PoisonListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DeadLetterConfig {

		@Bean
		ReplicationErrorHandler deadLetterHandler() {
			return (event, error, attempt) -> {
				if (event instanceof InsertEvent<?> insert) {
					DEAD_LETTERS.add(new DeadLetter(((Number) insert.newRow().get("id")).longValue(), insert.xid(),
							insert.commitLsn(), String.valueOf(error.getMessage())));
				}
				return ErrorAction.SKIP;
			};
		}

	}

	static final List<Integer> ATTEMPTS_SEEN = new CopyOnWriteArrayList<>();

	static volatile long firstFailureAt;

	/** Retries twice, then dead-letters (gives up after 8 s whatever the attempt number says). */
	@Configuration(proxyBeanMethods = false)
	static class RetryThenDeadLetterConfig {

		@Bean
		ReplicationErrorHandler retryThenDeadLetter() {
			return (event, error, attempt) -> {
				ATTEMPTS_SEEN.add(attempt);
				if (firstFailureAt == 0) {
					firstFailureAt = System.currentTimeMillis();
				}
				if (attempt < 3 && System.currentTimeMillis() - firstFailureAt < 8_000) {
					return ErrorAction.RETRY;
				}
				if (event instanceof InsertEvent<?> insert) {
					DEAD_LETTERS.add(new DeadLetter(((Number) insert.newRow().get("id")).longValue(), insert.xid(),
							insert.commitLsn(), String.valueOf(error.getMessage())));
				}
				return ErrorAction.SKIP;
			};
		}

	}

	@AfterEach
	void reset() {
		ATTEMPTS_SEEN.clear();
		firstFailureAt = 0;
		POISON.clear();
		FAILURES_AT.clear();
		POISON_UNTIL.clear();
		DEAD_LETTERS.clear();
		poisonCommitLsn = null;
	}

	private static String[] tableWithSlot(TestPostgres pg, String prefix) {
		String table = TestPostgres.uniqueName(prefix);
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + table + "_pub FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + table + "_slot', 'pgoutput')");
		return new String[] { table, table + "_pub", table + "_slot" };
	}

	private static Lsn confirmed(TestPostgres pg, String slot) {
		return Lsn.parse(pg.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
	}

	private static void insertEach(TestPostgres pg, String table, long from, long to) {
		for (long id = from; id <= to; id++) {
			pg.execute("INSERT INTO " + table + " VALUES (" + id + ", 'row " + id + "')");
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void defaultHandlerRetriesWithBackoffAndNeverAcknowledgesPastTheFailingTransaction(TestPostgres pg) {
		String[] t = tableWithSlot(pg, "retry");
		Path file = Soak.workDir("s4a-listener-retry").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), t[2], t[1], t[0]));
		props.add("reliability.app.delivery-file=" + file);
		AppProperties.set(props, "pglogrepl.status-interval", "200ms");
		Deliveries deliveries = new Deliveries().follow(file);
		POISON.add(10L);
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, PoisonConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			insertEach(pg, t[0], 1, 20);
			int attempts = Soak.pick(4, 10);
			long failingSince = System.currentTimeMillis();
			Lsn maxConfirmed = Lsn.INVALID;
			Lsn maxAcknowledged = Lsn.INVALID;
			while (FAILURES_AT.size() < attempts) {
				assertThat(System.currentTimeMillis() - failingSince).as("%d failed deliveries", attempts)
					.isLessThan(TIMEOUT.toMillis());
				if (poisonCommitLsn != null) {
					Lsn confirmed = confirmed(pg, t[2]);
					maxConfirmed = Lsn.max(maxConfirmed, confirmed);
					assertThat(confirmed).as("confirmed_flush_lsn while the listener fails on the transaction committed at %s",
							poisonCommitLsn)
						.isLessThanOrEqualTo(poisonCommitLsn);
					Lsn acknowledged = container.state().flushedLsn();
					maxAcknowledged = Lsn.max(maxAcknowledged, acknowledged);
					assertThat(acknowledged).as("the container's acknowledged position while the listener fails on "
							+ "the transaction committed at %s", poisonCommitLsn)
						.isLessThanOrEqualTo(poisonCommitLsn);
				}
				Soak.sleep(50);
			}
			deliveries.refresh();
			assertThat(deliveries.ids()).as("rows before the failing one delivered, none after it (commit order)")
				.containsAll(List.of(1L, 9L))
				.doesNotContain(10L, 11L, 20L);
			assertThat(container.state().lastError()).contains("poison row 10");
			List<Long> intervals = new ArrayList<>();
			for (int i = 1; i < FAILURES_AT.size(); i++) {
				intervals.add(FAILURES_AT.get(i) - FAILURES_AT.get(i - 1));
			}
			// the listener recovers: the failed row and everything after it arrive, and are acknowledged
			long healed = System.currentTimeMillis();
			POISON.clear();
			Soak.await("rows 10..20 after the listener recovered", TIMEOUT, () -> deliveries.refresh().ids().contains(20L));
			long recovery = deliveries.rows().stream().filter((r) -> r.id() == 10L).mapToLong(Deliveries.Row::millis).min().orElseThrow() - healed;
			Lsn failedCommit = poisonCommitLsn;
			Soak.await("confirmed_flush_lsn past the formerly failing transaction", TIMEOUT,
					() -> confirmed(pg, t[2]).isAfter(failedCommit));
			Outcome outcome = Outcome.of(Sql.ids(pg::connect, t[0]), deliveries);
			Report.add(new Report.Entry("4a", "Listener throws for one row: default handler (RETRY)", FAILURES_AT.size(),
					outcome, Duration.ofMillis(Math.max(0, recovery)),
					"failed " + FAILURES_AT.size() + " times, redelivered after " + intervals
							+ " ms (reconnect.initial-interval 200 ms, max 2 s: the interval "
							+ ((intervals.get(intervals.size() - 1) > 2 * intervals.get(0)) ? "grows" : "does NOT grow") + "); confirmed_flush_lsn stayed at or before the failing transaction's commit "
							+ failedCommit + " throughout (highest seen " + maxConfirmed + "); in the container "
							+ (maxAcknowledged.isAfter(failedCommit)
									? "the acknowledged position went PAST it (" + maxAcknowledged
											+ ": keepalive race, a later status update would confirm it on the server)"
									: "too (highest " + maxAcknowledged + ")")
							+ "; no later row delivered meanwhile; recovery = listener fixed to the row delivered"));
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			// each redelivery waits at least reconnect.initial-interval (200 ms), and the wait grows
			assertThat(intervals).as("intervals between redeliveries").allMatch((ms) -> ms >= 190);
			assertThat(intervals.get(intervals.size() - 1)).as("backoff grows: %s", intervals)
				.isGreaterThan(2 * intervals.get(0));
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void handlerCountingAttemptsRetriesThenDeadLetters(TestPostgres pg) {
		String[] t = tableWithSlot(pg, "retrythendead");
		Path file = Soak.workDir("s4c-listener-retry-then-dead-letter").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), t[2], t[1], t[0]));
		props.add("reliability.app.delivery-file=" + file);
		AppProperties.set(props, "pglogrepl.status-interval", "200ms");
		Deliveries deliveries = new Deliveries().follow(file);
		POISON.add(10L);
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, PoisonConfig.class,
				RetryThenDeadLetterConfig.class)) {
			insertEach(pg, t[0], 1, 20);
			Soak.await("row 20", TIMEOUT, () -> deliveries.refresh().ids().contains(20L));
			long gaveUpAfter = deliveries.rows().stream().filter((r) -> r.id() == 11L).findFirst().orElseThrow().millis()
					- firstFailureAt;
			Set<Long> committed = Sql.ids(pg::connect, t[0]);
			Set<Long> lost = new TreeSet<>(committed);
			lost.removeAll(deliveries.ids());
			DEAD_LETTERS.forEach((d) -> lost.remove(d.id()));
			Outcome raw = Outcome.of(committed, deliveries);
			Outcome outcome = new Outcome(raw.written(), raw.delivered(), lost.size(), raw.duplicates(), List.copyOf(lost));
			boolean counted = ATTEMPTS_SEEN.equals(List.of(1, 2, 3));
			Report.add(new Report.Entry("4c", "Listener throws for one row: handler retrying twice, then dead-lettering",
					ATTEMPTS_SEEN.size(), outcome, Duration.ofMillis(gaveUpAfter),
					"attempt numbers passed to the handler " + ((ATTEMPTS_SEEN.size() <= 6) ? ATTEMPTS_SEEN
							: ATTEMPTS_SEEN.subList(0, 6) + "... (" + ATTEMPTS_SEEN.size() + " calls)")
							+ (counted ? " (counted across the reconnects)"
									: " - NOT counted across the reconnects of RETRY, so 'retry N times' never ends; the handler gave up by its 8 s clock")
							+ "; dead-lettered " + DEAD_LETTERS.stream().map(DeadLetter::id).toList()
							+ "; 'Max recovery' = first failure to the next row delivered"));
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			assertThat(DEAD_LETTERS).extracting(DeadLetter::id).containsExactly(10L);
			assertThat(ATTEMPTS_SEEN).as("attempt numbers").isNotEmpty();
			assertThat(ATTEMPTS_SEEN).as("attempt numbers passed to the handler").containsExactly(1, 2, 3);
			assertThat(context.getBean(ReplicationStreamContainer.class).state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void deadLetterHandlerRecordsTheFailedEventSkipsAndMovesOn(TestPostgres pg) {
		String[] t = tableWithSlot(pg, "deadletter");
		Path file = Soak.workDir("s4b-listener-dead-letter").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), t[2], t[1], t[0]));
		props.add("reliability.app.delivery-file=" + file);
		AppProperties.set(props, "pglogrepl.status-interval", "200ms");
		Deliveries deliveries = new Deliveries().follow(file);
		POISON.add(10L);
		POISON.add(31L);
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, PoisonConfig.class,
				DeadLetterConfig.class)) {
			long started = System.currentTimeMillis();
			insertEach(pg, t[0], 1, 20);
			// one transaction of three rows whose middle one fails
			pg.execute("INSERT INTO " + t[0] + " VALUES (30, 'a'), (31, 'b'), (32, 'c')");
			insertEach(pg, t[0], 40, 45);
			Soak.await("row 45", TIMEOUT, () -> deliveries.refresh().ids().contains(45L));
			assertThat(DEAD_LETTERS).as("dead letters").hasSize(2);
			Lsn lastSkipped = DEAD_LETTERS.get(1).commitLsn();
			Soak.await("confirmed_flush_lsn past the skipped transactions", TIMEOUT,
					() -> confirmed(pg, t[2]).isAfter(lastSkipped));
			Set<Long> committed = Sql.ids(pg::connect, t[0]);
			Set<Long> deadIds = new TreeSet<>();
			DEAD_LETTERS.forEach((d) -> deadIds.add(d.id()));
			Set<Long> delivered = deliveries.ids();
			// lost: committed rows that reached neither the listener nor the dead-letter store
			Set<Long> lost = new TreeSet<>(committed);
			lost.removeAll(delivered);
			lost.removeAll(deadIds);
			Outcome raw = Outcome.of(committed, deliveries);
			Outcome outcome = new Outcome(raw.written(), raw.delivered(), lost.size(), raw.duplicates(),
					List.copyOf(lost));
			boolean restOfTransaction = delivered.contains(32L);
			Report.add(new Report.Entry("4b", "Listener throws for one row: dead-letter handler (SKIP)", DEAD_LETTERS.size(),
					outcome, Duration.ofMillis(deliveries.rows().stream().filter((r) -> r.id() == 45L).findFirst().orElseThrow().millis() - started),
					DEAD_LETTERS.size() + " events dead-lettered " + deadIds + ", each once, with xid and commit LSN; every other "
							+ "committed row delivered"
							+ (restOfTransaction ? ", including the row after the failed one in the same 3-row transaction"
									: "; NOT the row after the failed one in the same 3-row transaction (32): SKIP dropped the rest of the transaction unseen")
							+ "; the skipped transactions were acknowledged (confirmed_flush_lsn past them); 'Lost' = reached neither "
							+ "the listener nor the dead-letter store; 'Max recovery' = first insert to last row delivered"));
			assertThat(deadIds).containsExactly(10L, 31L);
			assertThat(delivered).containsAll(List.of(1L, 9L, 11L, 20L, 30L, 40L, 45L)).doesNotContain(10L, 31L);
			assertThat(delivered).as("the rest of the transaction whose middle row failed").contains(32L);
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			assertThat(context.getBean(ReplicationStreamContainer.class).state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void listenerFailingForAWhileUnderAWriterShowsTheStallInHealthAndRecoversLosingNothing(TestPostgres pg) {
		String[] t = tableWithSlot(pg, "stall");
		Path file = Soak.workDir("s4d-listener-stall").resolve("app.deliveries");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), t[2], t[1], t[0]));
		props.add("reliability.app.delivery-file=" + file);
		props.add("pglogrepl.health.delivery-stall-threshold=3s");
		Deliveries deliveries = new Deliveries().follow(file);
		long failFor = Soak.pick(10_000, 60_000);
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), t[0], 1, 3, 20).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props, PoisonConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			HealthIndicator health = context.getBean("pglogreplHealthIndicator", HealthIndicator.class);
			Soak.await("rows flowing", TIMEOUT, () -> deliveries.refresh().ids().size() > 20);
			long poison = 1_000_000_000L;
			long start = System.currentTimeMillis();
			POISON_UNTIL.put(poison, start + failFor);
			pg.execute("INSERT INTO " + t[0] + " VALUES (" + poison + ", 'poison')");
			boolean retryingUp = false;
			long downAfter = -1;
			String reason = null;
			while (System.currentTimeMillis() < start + failFor) {
				Health h = health.health(true);
				boolean retrying = "RETRYING".equals(h.getDetails().get("status"));
				if (retrying && Status.UP.equals(h.getStatus())) {
					retryingUp = true;
				}
				if (retrying && Status.DOWN.equals(h.getStatus()) && downAfter < 0) {
					downAfter = System.currentTimeMillis() - start;
					reason = String.valueOf(h.getDetails().get("reason"));
				}
				Soak.sleep(200);
			}
			long healed = System.currentTimeMillis();
			Soak.await("the poison row delivered after the listener recovered", TIMEOUT,
					() -> deliveries.refresh().ids().contains(poison));
			long recovery = deliveries.rows().stream().filter((r) -> r.id() == poison).mapToLong(Deliveries.Row::millis)
				.min().orElseThrow() - healed;
			Soak.await("health UP again", TIMEOUT, () -> Status.UP.equals(health.health().getStatus()));
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> Sql.ids(pg::connect, t[0]), deliveries, TIMEOUT);
			Report.add(new Report.Entry("4d", "Listener failing for " + (failFor / 1000) + " s under a continuous writer",
					FAILURES_AT.size(), outcome, Duration.ofMillis(Math.max(0, recovery)),
					"health: RETRYING and UP at first, DOWN " + downAfter + " ms after the first failure "
							+ "(delivery-stall-threshold 3 s) with \"" + abbreviate(reason) + "\", UP again after the "
							+ "listener recovered; " + FAILURES_AT.size() + " failed attempts; meter pglogrepl.delivery.failures "
							+ container.state().deliveryFailures() + "; recovery = listener fixed to the row delivered"));
			assertThat(retryingUp).as("RETRYING reported while UP (before the threshold)").isTrue();
			assertThat(downAfter).as("DOWN after the stall threshold").isBetween(3_000L, 3_000L + 15_000L);
			assertThat(reason).contains("Delivery blocked at").contains("poison row");
			assertThat(outcome.lost()).as("%s", outcome).isZero();
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, t[2]);
		}
	}

	private static String abbreviate(String text) {
		return (text == null || text.length() <= 120) ? text : text.substring(0, 117) + "...";
	}

}
