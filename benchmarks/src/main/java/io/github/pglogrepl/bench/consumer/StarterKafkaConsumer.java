package io.github.pglogrepl.bench.consumer;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import io.github.pglogrepl.spring.kafka.KafkaRelay;
import io.github.pglogrepl.spring.kafka.KafkaRelayState;

/**
 * The starter's Kafka relay as an application would use it: a Spring Boot application (no web server, no
 * listener of its own) with {@code pglogrepl-spring-boot-starter-kafka}, {@code pglogrepl.kafka.enabled=true},
 * {@code spring.kafka.bootstrap-servers} and the benchmark's producer settings as
 * {@code spring.kafka.producer.properties[...]} (the relay itself sets {@code acks=all}, idempotence and the
 * byte-array serializers). Topics {@code <--topic-prefix>.public.bench}, created by the harness.
 *
 * <p>The only addition is a {@link DefaultKafkaProducerFactoryCustomizer} that wraps the producer the relay gets
 * (Spring Boot's factory's post-processors are copied into the relay's factory) with an {@link AckTracker}:
 * first send, last broker acknowledgement, and in mode {@code latency} the commit-to-acknowledgement latency of
 * every record (until the harness says {@code expect <rows> <measure-from-epoch-micros>}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StarterKafkaConsumer {

	static volatile AckTracker tracker;

	public static void main(String[] argv) {
		ChildIo.main(argv, StarterKafkaConsumer::command, StarterKafkaConsumer::run);
	}

	static void command(String line) {
		String[] parts = line.split(" ");
		if (parts.length == 3 && parts[0].equals("expect")) {
			tracker.expect(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
		}
	}

	@Bean
	DefaultKafkaProducerFactoryCustomizer benchAckTracking() {
		return StarterKafkaConsumer::track;
	}

	private static <K, V> void track(DefaultKafkaProducerFactory<K, V> factory) {
		factory.addPostProcessor(tracker::wrap);
	}

	static void run(ChildIo io) throws Exception {
		boolean latency = "latency".equals(io.get("mode", "throughput"));
		tracker = new AckTracker(latency ? Long.MAX_VALUE : io.getLong("rows"), latency);
		List<String> props = new ArrayList<>(List.of("pglogrepl.url=" + io.get("url"),
				"pglogrepl.username=" + io.get("user"), "pglogrepl.slot.name=" + io.get("slot"),
				"pglogrepl.slot.create=never", "pglogrepl.publication.names=" + io.get("publication"),
				"pglogrepl.pgoutput.proto-version=" + io.get("proto", "1"), "pglogrepl.pgoutput.streaming=off",
				"pglogrepl.kafka.enabled=true", "pglogrepl.kafka.topic-prefix=" + io.get("topic-prefix"),
				"spring.kafka.bootstrap-servers=" + io.get("bootstrap"),
				"spring.kafka.producer.client-id=bench-starter-kafka", "spring.main.banner-mode=off",
				"logging.level.root=WARN",
				// the producer's effective settings in the log, to compare with Debezium's producer
				"logging.level.org.apache.kafka.common.config.AbstractConfig=INFO",
				"spring.application.name=bench-starter-kafka"));
		for (String kv : io.get("producer", "").split(",")) {
			if (!kv.isBlank()) {
				int eq = kv.indexOf('=');
				props.add("spring.kafka.producer.properties[" + kv.substring(0, eq) + "]=" + kv.substring(eq + 1));
			}
		}
		long start = System.nanoTime();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(StarterKafkaConsumer.class)
			.web(WebApplicationType.NONE)
			.properties(props.toArray(String[]::new))
			.run()) {
			ChildIo.report("ready", "at", System.nanoTime());
			KafkaRelay relay = context.getBean(KafkaRelay.class);
			long timeoutSeconds = Long.parseLong(io.get("timeout", "1800"));
			if (!tracker.await(timeoutSeconds)) {
				throw new IllegalStateException("timed out with " + tracker.acknowledged() + " records acknowledged; "
						+ "relay " + relay.state().toMap());
			}
			if (tracker.failure() != null) {
				throw new IllegalStateException("a send failed", tracker.failure());
			}
			KafkaRelayState state = relay.state();
			List<Object> result = new ArrayList<>(tracker.results());
			result.addAll(List.of("start", start, "relay_sent", state.recordsSent(), "relay_acknowledged",
					state.recordsAcknowledged(), "relay_failed", state.recordsFailed()));
			io.done(result.toArray());
		}
	}

}
