package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.pglogrepl.reliability.support.AppProcess;
import io.github.pglogrepl.reliability.support.KafkaLog;
import io.github.pglogrepl.reliability.support.KafkaScenario;
import io.github.pglogrepl.reliability.support.KafkaWriter;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 12: the Kafka relay's application (its own JVM, {@code pglogrepl.kafka.enabled=true}, the broker in the
 * test JVM) is killed with SIGKILL at random points while a writer commits rows, updates of existing keys and
 * outbox events continuously, and started again, over and over. Every committed row version and outbox event must
 * be on Kafka, per key in commit order; duplicates are counted (none in transactional mode).
 */
@RealPostgres
class S12KafkaApplicationKillTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	@ParameterizedTest(name = "transactional={0}")
	@ValueSource(booleans = { false, true })
	@Timeout(value = 40, unit = TimeUnit.MINUTES)
	void relayKilledAtRandomPointsAndRestartedLosesNothingAndKeepsPerKeyOrder(boolean transactional, TestPostgres pg) {
		// the short run kills the transactional relay (the stricter check: lost 0 and duplicates 0); the at-least-once
		// one is killed in the long soak or with -Dreliability.kafka.all=true (S13 and S14 run both modes always)
		Assumptions.assumeTrue(transactional || Soak.LONG || Boolean.getBoolean("reliability.kafka.all"),
				"at-least-once variant: long soak or -Dreliability.kafka.all=true");
		int kills = Soak.pick(10, 30);
		long seed = Long.getLong("reliability.seed", System.nanoTime());
		Random random = new Random(seed);
		long begun = System.currentTimeMillis();
		Path dir = Soak.workDir("s12-kafka-application-kill" + (transactional ? "-tx" : ""));
		try (KafkaScenario scenario = KafkaScenario.create(pg, "kkill", transactional)) {
			KafkaLog log = scenario.log();
			List<String> props = scenario.appProperties();
			List<Long> recoveries = new ArrayList<>();
			int startupKills = 0;
			AppProcess app = null;
			KafkaWriter writer = scenario.startWriter(20);
			try {
				long faultAt = -1;
				long marker = 0;
				long lastRecovery = 8000;
				for (int i = 0; i <= kills; i++) {
					app = AppProcess.start("app-" + i, dir, props);
					long started = System.currentTimeMillis();
					boolean duringStartup = i < kills && i % 3 == 2;
					if (duringStartup) {
						// a random point from the JVM's start to a second past the last instance's time to its first
						// relayed row: startup, connecting, the first sends and acknowledgements
						Soak.sleep(300 + random.nextInt((int) Math.max(1000, lastRecovery + 1000)));
						long first = log.firstNewRowAfter(marker, faultAt);
						if (first < 0) {
							startupKills++;
						}
						else {
							recoveries.add(first - faultAt);
						}
					}
					else {
						AppProcess current = app;
						long since = (faultAt >= 0) ? faultAt : started;
						long after = marker;
						Soak.await("instance " + i + " to relay rows committed after the last kill", TIMEOUT,
								() -> log.firstNewRowAfter(after, since) >= 0 || !current.isAlive());
						assertThat(app.isAlive()).as("application %d alive; log:%n%s", i, app.logTail()).isTrue();
						if (faultAt >= 0) {
							lastRecovery = log.firstNewRowAfter(marker, faultAt) - faultAt;
							recoveries.add(lastRecovery);
						}
						if (i < kills) {
							Soak.sleep(random.nextInt(1500));
						}
					}
					if (i < kills) {
						app.kill();
						faultAt = System.currentTimeMillis();
						marker = writer.lastAcked();
					}
				}
				// the last instance runs to the end: stop writing and let it catch up
				Soak.sleep(500);
				KafkaLog.Verdict verdict = scenario.finish(TIMEOUT);
				long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
				long duration = System.currentTimeMillis() - begun;
				System.out.println("S12 (transactional=" + transactional + "): " + verdict + "; " + kills + " kills ("
						+ startupKills + " in startup), max recovery " + maxRecovery + " ms, " + duration + " ms");
				Report.add(new Report.Entry(transactional ? "12-tx" : "12",
						"Kafka relay: application SIGKILL at random points + restart (own JVM)", kills,
						verdict.outcome(), Duration.ofMillis(maxRecovery),
						scenario.notes(verdict) + "; " + startupKills + " of the kills before the instance's first "
								+ "relayed row; writer " + writer.transactions() + " txns; recovery = kill to first "
								+ "record of a row committed after it (includes JVM start); " + (duration / 1000)
								+ " s; seed " + seed));
				assertThat(verdict.consumerError()).as("checker").isNull();
				assertThat(verdict.lost()).as("lost: %s; last log:%n%s", verdict, app.logTail()).isZero();
				assertThat(verdict.phantoms()).as("records of versions that never committed: %s", verdict).isZero();
				assertThat(verdict.orderViolations()).as("per-key order: %s", verdict).isZero();
				if (transactional) {
					assertThat(verdict.duplicates()).as("duplicates in transactional mode: %s", verdict).isZero();
				}
				assertThat(verdict.rows().committed()).isGreaterThan(200);
				assertThat(verdict.events().committed()).isGreaterThan(100);
				assertThat(verdict.rows().maxVersions()).as("keys updated several times").isGreaterThan(3);
				assertThat(recoveries).as("recoveries measured").isNotEmpty();
				scenario.awaitSlotCaughtUp(TIMEOUT);
			}
			finally {
				writer.stop();
				if (app != null) {
					app.stop();
				}
			}
		}
	}

}
