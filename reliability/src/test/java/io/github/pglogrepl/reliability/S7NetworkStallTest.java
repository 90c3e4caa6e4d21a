package io.github.pglogrepl.reliability;

import java.net.URI;
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
import io.github.pglogrepl.reliability.support.StallProxy;
import io.github.pglogrepl.reliability.support.Writer;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 7: the network stalls. The application streams through a TCP proxy on 127.0.0.1 that, when
 * paused, forwards nothing in either direction but closes nothing. With
 * {@code pglogrepl.receive-timeout=3s} the application must notice the silence, reconnect (through the
 * proxy, once it forwards again) and lose nothing.
 */
@RealPostgres
class S7NetworkStallTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final long RECEIVE_TIMEOUT_MS = 3000;

	private static final long PAUSE_MS = 6000;

	private static boolean awaitQuietly(long millis, java.util.function.BooleanSupplier condition) {
		long deadline = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < deadline) {
			if (condition.getAsBoolean()) {
				return true;
			}
			Soak.sleep(20);
		}
		return condition.getAsBoolean();
	}

	@Test
	@Timeout(value = 15, unit = TimeUnit.MINUTES)
	void stalledConnectionIsDetectedAndReplacedWithoutLosingRows(TestPostgres pg) {
		int stalls = Soak.pick(2, 5);
		Random random = new Random(Long.getLong("reliability.seed", System.nanoTime()));
		URI server = URI.create(pg.jdbcUrl().substring("jdbc:".length()));
		String table = TestPostgres.uniqueName("stall");
		String pub = table + "_pub";
		String slot = table + "_slot";
		pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		Path file = Soak.workDir("s7-network-stall").resolve("app.deliveries");
		Deliveries deliveries = new Deliveries().follow(file);
		List<Long> detections = new ArrayList<>();
		List<Long> recoveries = new ArrayList<>();
		List<Long> afterResume = new ArrayList<>();
		List<Long> lateDetections = new ArrayList<>();
		try (StallProxy proxy = new StallProxy(server.getPort())) {
			String proxyUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + server.getRawPath()
					+ ((server.getRawQuery() != null) ? "?" + server.getRawQuery() : "");
			List<String> props = new ArrayList<>(AppProperties.of(proxyUrl, pg.user(), slot, pub, table));
			props.add("reliability.app.delivery-file=" + file);
			AppProperties.set(props, "pglogrepl.receive-timeout", RECEIVE_TIMEOUT_MS + "ms");
			Writer writer = new Writer(pg.jdbcUrl(), pg.properties(), table, 1, 5, 5).start();
			try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				long faultAt = System.currentTimeMillis();
				long marker = 0;
				for (int i = 0; i <= stalls; i++) {
					long since = faultAt;
					long after = marker;
					Soak.await("rows committed after stall " + i, TIMEOUT,
							() -> deliveries.refresh().firstDeliveryAfter(after, since) >= 0);
					if (i > 0) {
						recoveries.add(deliveries.firstDeliveryAfter(marker, faultAt) - faultAt);
					}
					if (i == stalls) {
						break;
					}
					Soak.sleep(300 + random.nextInt(1000));
					long reconnects = container.state().reconnects();
					proxy.pause();
					faultAt = System.currentTimeMillis();
					marker = writer.lastAcked();
					long pausedAt = faultAt;
					boolean duringStall = awaitQuietly(PAUSE_MS, () -> container.state().reconnects() > reconnects);
					if (duringStall) {
						detections.add(System.currentTimeMillis() - pausedAt);
					}
					// rows committed during the stall go to the server, not to the application
					Soak.sleep(Math.max(0, PAUSE_MS - (System.currentTimeMillis() - pausedAt)));
					long resumedAt = System.currentTimeMillis();
					proxy.resume();
					Soak.await("a reconnect after the stall", TIMEOUT, () -> container.state().reconnects() > reconnects);
					if (!duringStall) {
						lateDetections.add(System.currentTimeMillis() - resumedAt);
					}
					long m = writer.lastAcked();
					Soak.await("rows after the network came back", TIMEOUT,
							() -> deliveries.refresh().firstDeliveryAfter(m, resumedAt) >= 0);
					afterResume.add(deliveries.firstDeliveryAfter(m, resumedAt) - resumedAt);
				}
				writer.stop();
				Outcome outcome = Outcome.awaitAll(() -> Sql.ids(pg::connect, table), deliveries, TIMEOUT);
				Set<Long> committed = Sql.ids(pg::connect, table);
				long maxDetection = detections.stream().mapToLong(Long::longValue).max().orElse(0);
				String lastError = container.state().lastError();
				Report.add(new Report.Entry("7", "Network stall (TCP proxy forwards nothing, closes nothing), receive-timeout 3s",
						stalls, outcome, Duration.ofMillis(recoveries.stream().mapToLong(Long::longValue).max().orElse(0)),
						(lateDetections.isEmpty() ? "" : lateDetections.size() + " of " + stalls
								+ " stalls NOT detected while the network was stalled: the reconnect was counted only "
								+ lateDetections + " ms after it came back (the I/O thread blocks ending the CopyBoth stream "
								+ "on the dead connection); ")
								+ (detections.isEmpty() ? "" : "detected during the stall after " + detections + " ms; ")
								+ "each stall lasted " + PAUSE_MS / 1000 + " s; after the proxy resumed, first new row in "
								+ afterResume + " ms; " + proxy.connections()
								+ " connections through the proxy; recovery = stall start to first new row recorded"));
				assertThat(outcome.lost()).as("lost rows: %s", outcome).isZero();
				assertThat(outcome.written()).isGreaterThan(100);
				assertThat(lateDetections).as("stalls detected only after the network came back").isEmpty();
				assertThat(maxDetection).as("stall detected within receive-timeout + 2 s")
					.isLessThan(RECEIVE_TIMEOUT_MS + 2000);
				assertThat(container.state().reconnects()).isGreaterThanOrEqualTo(stalls);
				assertThat(proxy.connections()).as("reconnected through the proxy").isGreaterThan(stalls);
				assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
				assertThat(Outcome.uncommittedDelivered(committed, deliveries)).isEmpty();
				assertThat(lastError == null || lastError.contains("receive-timeout")).isTrue();
			}
			finally {
				writer.stop();
			}
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

}
