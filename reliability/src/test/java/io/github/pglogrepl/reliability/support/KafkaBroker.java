package io.github.pglogrepl.reliability.support;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import io.github.pglogrepl.test.RestartablePostgres;

/**
 * One embedded KRaft broker (spring-kafka-test) for the Kafka scenarios of this test JVM, started on first use
 * on a fixed port (so that it can be stopped and started again where the application's producer looks for it)
 * and destroyed when the JVM exits. The applications under test reach it on {@link #bootstrapServers()}, from
 * this JVM or their own.
 */
public final class KafkaBroker {

	private static EmbeddedKafkaKraftBroker broker;

	private static boolean stopped;

	private KafkaBroker() {
	}

	private static synchronized EmbeddedKafkaKraftBroker broker() {
		if (broker == null) {
			int port = RestartablePostgres.freePort();
			long started = System.nanoTime();
			EmbeddedKafkaKraftBroker created = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(port);
			// one broker: the transaction state log (transactional mode) must live with one replica
			created.brokerProperty("transaction.state.log.replication.factor", "1");
			created.brokerProperty("transaction.state.log.min.isr", "1");
			created.afterPropertiesSet();
			broker = created;
			System.out.printf("Embedded Kafka broker on %s started in %.1f s%n", created.getBrokersAsString(),
					(System.nanoTime() - started) / 1e9);
			Runtime.getRuntime().addShutdownHook(new Thread(created::destroy, "reliability-kafka-shutdown"));
		}
		return broker;
	}

	/**
	 * @return {@code host:port} of the broker (started if needed)
	 */
	public static String bootstrapServers() {
		return broker().getBrokersAsString();
	}

	/**
	 * Creates topics (the application's producer would create them with one partition on first use).
	 * @param partitions partitions of each
	 * @param topics topic names
	 */
	public static void createTopics(int partitions, String... topics) {
		broker().doWithAdmin((admin) -> {
			try {
				admin.createTopics(java.util.Arrays.stream(topics).map((t) -> new NewTopic(t, partitions, (short) 1))
					.toList()).all().get(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
				throw new IllegalStateException("Creating topics " + List.of(topics) + " failed", ex);
			}
		});
	}

	/** Stops the broker (its port and log directory stay for {@link #start()}). */
	public static synchronized void stop() {
		broker().getCluster().brokers().values().forEach((server) -> server.shutdown());
		stopped = true;
	}

	/** Starts the stopped broker again, on the same port and log directory. */
	public static synchronized void start() {
		if (stopped) {
			broker().getCluster().brokers().values().forEach((server) -> server.startup());
			stopped = false;
		}
	}

	/**
	 * @return whether {@link #stop()} was called without {@link #start()} since
	 */
	public static synchronized boolean isStopped() {
		return stopped;
	}

}
