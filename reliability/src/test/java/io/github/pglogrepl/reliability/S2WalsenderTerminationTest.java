package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Deliveries;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 2: the walsender serving the application is terminated with {@code pg_terminate_backend} again and
 * again while rows are committed; the application reconnects each time and nothing is lost.
 */
@RealPostgres
class S2WalsenderTerminationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	@Test
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void terminatedWalsenderIsReplacedAndNoCommittedRowIsLost(TestPostgres pg) {
		int terminations = Soak.pick(10, 30);
		Random random = new Random(Long.getLong("reliability.seed", System.nanoTime()));
		Path dir = Soak.workDir("s2-walsender-termination");
		String table = TestPostgres.uniqueName("walsender");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		List<String> props = new ArrayList<>(AppProperties.of(pg.jdbcUrl(), pg.user(), slot, pub, table));
		Path file = dir.resolve("app.deliveries");
		props.add("reliability.app.delivery-file=" + file);
		Deliveries deliveries = new Deliveries().follow(file);
		List<Long> recoveries = new ArrayList<>();
		Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 5, 5).start();
		try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			long faultAt = System.currentTimeMillis();
			long marker = 0;
			int terminated = 0;
			for (int i = 0; i <= terminations; i++) {
				long since = faultAt;
				long after = marker;
				Soak.await("rows committed after termination " + i, TIMEOUT,
						() -> deliveries.refresh().firstDeliveryAfter(after, since) >= 0);
				if (i > 0) {
					recoveries.add(deliveries.firstDeliveryAfter(marker, faultAt) - faultAt);
				}
				if (i == terminations) {
					break;
				}
				Soak.sleep(100 + random.nextInt(700));
				String pid = pg.queryString("SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
				assertThat(pid).as("walsender of the slot").isNotNull();
				String result = pg.queryString("SELECT pg_terminate_backend(" + pid + ")::text");
				assertThat(result).isEqualTo("true");
				terminated++;
				faultAt = System.currentTimeMillis();
				marker = writer.lastAcked();
			}
			writer.stop();
			Outcome outcome = Outcome.awaitAll(() -> Sql.ids(pg::connect, table), deliveries, TIMEOUT);
			Set<Long> committed = Sql.ids(pg::connect, table);
			long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
			long reconnects = container.state().reconnects();
			Report.add(new Report.Entry("2", "Walsender terminated (pg_terminate_backend) mid-stream", terminated, outcome,
					Duration.ofMillis(maxRecovery), reconnects + " reconnects counted by the container; recovery = "
							+ "termination to first new row recorded"));
			assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
			assertThat(outcome.written()).isGreaterThan(100);
			assertThat(terminated).isEqualTo(terminations);
			assertThat(reconnects).isGreaterThanOrEqualTo(terminations);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			assertThat(Outcome.uncommittedDelivered(committed, deliveries)).isEmpty();
		}
		finally {
			writer.stop();
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

}
