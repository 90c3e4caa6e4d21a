package io.github.pglogrepl.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.KafkaLog;
import io.github.pglogrepl.reliability.support.KafkaScenario;
import io.github.pglogrepl.reliability.support.KafkaWriter;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.spring.kafka.KafkaRelay;
import io.github.pglogrepl.spring.kafka.KafkaRelayState;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 14: the walsender serving the Kafka relay's stream is terminated with {@code pg_terminate_backend} again
 * and again while a writer commits rows, updates and outbox events; the stream reconnects from the last acknowledged
 * position each time and the relay sends what was not acknowledged again. The application runs in the test JVM.
 * Every committed row version and outbox event must be on Kafka, per key in commit order.
 */
@RealPostgres
class S14KafkaWalsenderTerminationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	@ParameterizedTest(name = "transactional={0}")
	@ValueSource(booleans = { false, true })
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	void terminatedWalsenderIsReplacedAndTheRelayLosesNothing(boolean transactional, TestPostgres pg) {
		int terminations = Soak.pick(8, 30);
		long seed = Long.getLong("reliability.seed", System.nanoTime());
		Random random = new Random(seed);
		long begun = System.currentTimeMillis();
		try (KafkaScenario scenario = KafkaScenario.create(pg, "kwalsender", transactional)) {
			KafkaLog log = scenario.log();
			List<Long> recoveries = new ArrayList<>();
			KafkaWriter writer = scenario.startWriter(20);
			try (ConfigurableApplicationContext context = ReliabilityApp.start(scenario.appProperties())) {
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				KafkaRelay relay = context.getBean(KafkaRelay.class);
				long faultAt = 0;
				long marker = 0;
				int terminated = 0;
				for (int i = 0; i <= terminations; i++) {
					long since = faultAt;
					long after = marker;
					Soak.await("rows committed after termination " + i + " on Kafka", TIMEOUT,
							() -> log.firstNewRowAfter(after, since) >= 0);
					if (i > 0) {
						recoveries.add(log.firstNewRowAfter(marker, faultAt) - faultAt);
					}
					if (i == terminations) {
						break;
					}
					Soak.sleep(100 + random.nextInt(900));
					String pid = pg.queryString(
							"SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + scenario.slot() + "'");
					assertThat(pid).as("walsender of the slot").isNotNull();
					assertThat(pg.queryString("SELECT pg_terminate_backend(" + pid + ")::text")).isEqualTo("true");
					terminated++;
					faultAt = System.currentTimeMillis();
					marker = writer.lastAcked();
				}
				KafkaLog.Verdict verdict = scenario.finish(TIMEOUT);
				long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
				long reconnects = container.state().reconnects();
				long duration = System.currentTimeMillis() - begun;
				KafkaRelayState state = relay.state();
				System.out.println("S14 (transactional=" + transactional + "): " + verdict + "; recoveries " + recoveries
						+ " ms; " + state + "; " + duration + " ms");
				Report.add(new Report.Entry(transactional ? "14-tx" : "14",
						"Kafka relay: walsender terminated (pg_terminate_backend) mid-stream", terminated,
						verdict.outcome(), Duration.ofMillis(maxRecovery),
						scenario.notes(verdict) + "; " + reconnects + " reconnects counted by the container; relay: "
								+ state.recordsSent() + " sent, " + state.recordsFailed() + " failed; recovery = "
								+ "termination to first record of a row committed after it; " + (duration / 1000)
								+ " s; seed " + seed));
				assertThat(verdict.consumerError()).as("checker").isNull();
				assertThat(verdict.lost()).as("lost: %s", verdict).isZero();
				assertThat(verdict.phantoms()).as("records of versions that never committed: %s", verdict).isZero();
				assertThat(verdict.orderViolations()).as("per-key order: %s", verdict).isZero();
				if (transactional) {
					assertThat(verdict.duplicates()).as("duplicates in transactional mode: %s", verdict).isZero();
				}
				assertThat(terminated).isEqualTo(terminations);
				assertThat(reconnects).isGreaterThanOrEqualTo(terminations);
				assertThat(verdict.rows().committed()).isGreaterThan(100);
				assertThat(verdict.events().committed()).isGreaterThan(50);
				scenario.awaitSlotCaughtUp(TIMEOUT);
				assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			}
			finally {
				writer.stop();
			}
		}
	}

}
