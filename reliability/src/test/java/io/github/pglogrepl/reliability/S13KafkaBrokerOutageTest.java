package io.github.pglogrepl.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.reliability.app.ReliabilityApp;
import io.github.pglogrepl.reliability.support.KafkaBroker;
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
 * Scenario 13: the Kafka broker is stopped for {@value #OUTAGE_SECONDS} s while a writer commits rows, updates and
 * outbox events continuously, then started again on the same port. The application runs in the test JVM (the fault
 * is the broker's, and its relay state and health are read directly). Its producer runs with short timeouts
 * ({@code delivery.timeout.ms=5000}, {@code request.timeout.ms=2000}, {@code max.block.ms=3000}) so that the outage
 * takes the relay's failure path: sends fail, the relay reports it (state {@code failing}, health DOWN with the
 * error), the stream is delivered again from the last acknowledged position until the broker is back, and the relay
 * goes on by itself. Every committed row version and outbox event must be on Kafka, per key in commit order.
 */
@RealPostgres
class S13KafkaBrokerOutageTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	private static final int OUTAGE_SECONDS = 20;

	@ParameterizedTest(name = "transactional={0}")
	@ValueSource(booleans = { false, true })
	@Timeout(value = 30, unit = TimeUnit.MINUTES)
	void brokerStoppedForTwentySecondsUnderAWriterLosesNothingAndTheRelayRecoversByItself(boolean transactional,
			TestPostgres pg) {
		int outages = Soak.pick(1, 3);
		long begun = System.currentTimeMillis();
		try (KafkaScenario scenario = KafkaScenario.create(pg, "koutage", transactional)) {
			KafkaLog log = scenario.log();
			List<String> props = scenario.appProperties();
			props.add("spring.kafka.producer.properties.delivery.timeout.ms=5000");
			props.add("spring.kafka.producer.properties.request.timeout.ms=2000");
			props.add("spring.kafka.producer.properties.max.block.ms=3000");
			props.add("spring.kafka.producer.properties.reconnect.backoff.max.ms=500");
			List<Long> recoveries = new ArrayList<>();
			List<Long> catchUps = new ArrayList<>();
			List<String> observations = new ArrayList<>();
			KafkaWriter writer = scenario.startWriter(20);
			try (ConfigurableApplicationContext context = ReliabilityApp.start(props)) {
				KafkaRelay relay = context.getBean(KafkaRelay.class);
				HealthIndicator health = context.getBean("pglogreplKafkaHealthIndicator", HealthIndicator.class);
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				Soak.await("the first rows on Kafka", TIMEOUT, () -> log.firstNewRowAfter(0, 0) >= 0);
				for (int round = 1; round <= outages; round++) {
					Soak.sleep(1000);
					long marker = writer.lastAcked();
					long stoppedAt = System.currentTimeMillis();
					KafkaBroker.stop();
					boolean sawDown = false;
					String downError = null;
					long firstDownAfter = -1;
					int maxInFlight = 0;
					int maxPending = 0;
					try {
						long end = stoppedAt + OUTAGE_SECONDS * 1000L;
						long nextLog = stoppedAt;
						while (System.currentTimeMillis() < end) {
							KafkaRelayState state = relay.state();
							Health h = health.health(true);
							maxInFlight = (int) Math.max(maxInFlight, state.inFlight());
							maxPending = Math.max(maxPending, state.transactionsPending());
							if (h.getStatus().equals(Status.DOWN) && !sawDown) {
								sawDown = true;
								firstDownAfter = System.currentTimeMillis() - stoppedAt;
								downError = String.valueOf(h.getDetails().get("lastError"));
							}
							if (System.currentTimeMillis() >= nextLog) {
								System.out.printf("S13 outage %d, %2d s: health %s, stream %s, %s%n", round,
										(System.currentTimeMillis() - stoppedAt) / 1000, h.getStatus(),
										container.state().status(), state);
								nextLog += 5000;
							}
							Soak.sleep(250);
						}
					}
					finally {
						KafkaBroker.start();
					}
					long startedAt = System.currentTimeMillis();
					long caughtUpTo = writer.lastAcked();
					long since = stoppedAt;
					Soak.await("rows committed during outage " + round + " on Kafka", TIMEOUT,
							() -> log.firstNewRowAfter(marker, since) >= 0);
					recoveries.add(log.firstNewRowAfter(marker, stoppedAt) - startedAt);
					Soak.await("the last row inserted before the broker came back on Kafka", TIMEOUT,
							() -> log.firstNewRowAfter(caughtUpTo - 1, since) >= 0);
					catchUps.add(log.firstNewRowAfter(caughtUpTo - 1, stoppedAt) - startedAt);
					Soak.await("the relay healthy again", TIMEOUT, () -> !relay.state().failing());
					long healthyAfter = System.currentTimeMillis() - startedAt;
					Health after = health.health(true);
					String observed = "outage " + round + ": health DOWN " + (sawDown ? firstDownAfter + " ms" : "never")
							+ " after the stop (max in flight " + maxInFlight + ", max pending txns " + maxPending
							+ "), UP again " + healthyAfter + " ms after the restart";
					System.out.println("S13 " + observed + "; error: " + downError + "; now " + after.getStatus()
							+ " " + relay.state());
					observations.add(observed);
					assertThat(sawDown).as("health DOWN during outage %d", round).isTrue();
					// a record's send, or (transactional) the commit of a Kafka transaction
					assertThat(downError).containsAnyOf("Kafka send failed for topic",
							"Kafka send failed for the commit of a Kafka transaction");
					assertThat(after.getStatus()).isEqualTo(Status.UP);
				}
				Soak.sleep(1000);
				KafkaLog.Verdict verdict = scenario.finish(TIMEOUT);
				long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
				long maxCatchUp = catchUps.stream().mapToLong(Long::longValue).max().orElse(0);
				long duration = System.currentTimeMillis() - begun;
				KafkaRelayState state = relay.state();
				System.out.println("S13 (transactional=" + transactional + "): " + verdict + "; recoveries " + recoveries
						+ " ms, catch-ups " + catchUps + " ms; " + state + "; " + duration + " ms");
				Report.add(new Report.Entry(transactional ? "13-tx" : "13",
						"Kafka relay: broker stopped " + OUTAGE_SECONDS + " s under a writer, started again", outages,
						verdict.outcome(), Duration.ofMillis(maxRecovery),
						scenario.notes(verdict) + "; " + String.join("; ", observations) + "; recovery = broker start "
								+ "to first record of a row committed during the outage; the last row inserted before the start on "
								+ "Kafka " + maxCatchUp + " ms after the start at most; relay: " + state.recordsSent()
								+ " sent, " + state.recordsFailed() + " failed; stream reconnects "
								+ container.state().reconnects() + "; short producer timeouts (delivery 5 s); "
								+ (duration / 1000) + " s"));
				assertThat(verdict.consumerError()).as("checker").isNull();
				assertThat(verdict.lost()).as("lost: %s", verdict).isZero();
				assertThat(verdict.phantoms()).as("records of versions that never committed: %s", verdict).isZero();
				assertThat(verdict.orderViolations()).as("per-key order: %s", verdict).isZero();
				if (transactional) {
					assertThat(verdict.duplicates()).as("duplicates in transactional mode: %s", verdict).isZero();
				}
				assertThat(verdict.rows().committed()).isGreaterThan(200);
				assertThat(verdict.events().committed()).isGreaterThan(100);
				// at-least-once a send fails; transactional either a send or the commit of the open Kafka transaction
				// (its records may all be on the broker already), which is then aborted
				assertThat(state.recordsFailed() + state.kafkaTransactionsAborted())
					.as("sends failed or Kafka transactions aborted during the outage: %s", state)
					.isPositive();
				scenario.awaitSlotCaughtUp(TIMEOUT);
				assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			}
			finally {
				writer.stop();
				KafkaBroker.start();
			}
		}
	}

}
