package io.github.pglogrepl.spring.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.autoconfigure.ReplicationStreamContainerCustomizer;
import io.github.pglogrepl.spring.endpoint.PgLogReplReportContributor;
import io.github.pglogrepl.spring.stream.AckMode;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamingMode;

/**
 * Auto-configuration of the Kafka relay: with {@code pglogrepl.kafka.enabled=true} and Spring Kafka on the class
 * path, a {@link KafkaRelay} sends every change of the streams to Kafka through a copy of Spring Boot's
 * auto-configured {@link ProducerFactory} ({@code spring.kafka.*}, {@code KafkaConnectionDetails}) with byte-array
 * serializers, {@code acks=all} and {@code enable.idempotence=true}, and the streams run with
 * {@code ack-mode=manual}, acknowledged by the relay behind the broker.
 */
@AutoConfiguration(after = { KafkaAutoConfiguration.class, PgLogReplAutoConfiguration.class })
@ConditionalOnClass({ ProducerFactory.class, KafkaAutoConfiguration.class, JsonMapper.class,
		ReplicationStreamContainer.class })
@ConditionalOnBooleanProperty(name = "pglogrepl.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("pglogrepl.kafka.enabled")
@EnableConfigurationProperties(KafkaRelayProperties.class)
public final class KafkaRelayAutoConfiguration {

	/** The most producer requests in flight with which an idempotent producer keeps the order per partition. */
	static final int MAX_IN_FLIGHT_IN_ORDER = 5;

	@Bean
	@ConditionalOnMissingBean
	ChangeRecordEncoder pgLogReplKafkaRecordEncoder(KafkaRelayProperties properties) {
		ChangeRecordEncoder encoder = new ChangeRecordEncoder(
				new TopicRouter(properties.getTopicPrefix(), properties.getTopics()));
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::isTombstones).to(encoder::setTombstones);
		map.from(new ColumnValueEncoder(properties.getNumericEncoding(), properties.getTemporalEncoding()))
			.to(encoder::setValueEncoder);
		return encoder;
	}

	@Bean
	@ConditionalOnMissingBean
	RejectedRecordHandler pgLogReplKafkaRejectedRecordHandler(KafkaRelayProperties properties,
			Environment environment) {
		return new DefaultRejectedRecordHandler(properties.getOnRejected(),
				environment.getProperty("pglogrepl.log-row-values", Boolean.class, false));
	}

	@Bean
	@ConditionalOnMissingBean
	KafkaRelay pgLogReplKafkaRelay(ObjectProvider<ProducerFactory<?, ?>> producerFactory,
			ChangeRecordEncoder encoder, RejectedRecordHandler rejectedRecordHandler, KafkaRelayProperties properties) {
		ProducerFactory<?, ?> boot = producerFactory.getIfUnique();
		if (boot == null) {
			throw new IllegalStateException("pglogrepl.kafka.enabled=true needs one Kafka ProducerFactory bean "
					+ "(Spring Boot's, from spring.kafka.*), found none or several");
		}
		validate(properties);
		if (properties.isTransactional() && properties.getTransactionIdPrefix() == null) {
			String bootPrefix = boot.getTransactionIdPrefix();
			properties.setTransactionIdPrefix((bootPrefix != null && !bootPrefix.isEmpty()) ? bootPrefix : "pglogrepl-");
		}
		return new KafkaRelay(relayProducerFactory(boot), encoder, rejectedRecordHandler, properties);
	}

	private static void validate(KafkaRelayProperties properties) {
		if (properties.getTransactionMaxRecords() < 1) {
			throw new IllegalStateException("pglogrepl.kafka.transaction-max-records must be at least 1, not "
					+ properties.getTransactionMaxRecords());
		}
		if (properties.getTransactionMaxDelay() == null || properties.getTransactionMaxDelay().isNegative()) {
			throw new IllegalStateException("pglogrepl.kafka.transaction-max-delay must be zero or more, not "
					+ properties.getTransactionMaxDelay());
		}
		if (properties.getDeadLetterSuffix() == null || properties.getDeadLetterSuffix().isEmpty()) {
			throw new IllegalStateException("pglogrepl.kafka.dead-letter-suffix must not be empty: the dead letters "
					+ "would go to the topic they were rejected from");
		}
		if (properties.getBrokerWaitDownAfter() == null || properties.getBrokerWaitDownAfter().isNegative()
				|| properties.getBrokerWaitDownAfter().isZero()) {
			throw new IllegalStateException("pglogrepl.kafka.broker-wait-down-after must be positive, not "
					+ properties.getBrokerWaitDownAfter());
		}
	}

	/**
	 * The relay's streams are acknowledged by the relay, behind the broker.
	 */
	@Bean
	ReplicationStreamContainerCustomizer pgLogReplKafkaRelayStreamCustomizer() {
		return (container) -> {
			StreamContainerProperties properties = container.getContainerProperties();
			if (properties.getStreaming() != StreamingMode.OFF) {
				throw new IllegalStateException("pglogrepl.kafka.enabled=true needs pglogrepl.pgoutput.streaming=off "
						+ "(stream '" + properties.getStreamName() + "' has " + properties.getStreaming()
						+ "): changes of a transaction streamed before it commits could be on Kafka although it aborted");
			}
			properties.setAckMode(AckMode.MANUAL);
		};
	}

	/**
	 * A copy of Spring Boot's producer factory for byte-array records, with the settings the relay's guarantee
	 * rests on.
	 * @param boot the auto-configured (or the application's) producer factory
	 * @return the relay's producer factory
	 */
	@SuppressWarnings("unchecked")
	static ProducerFactory<byte[], byte[]> relayProducerFactory(ProducerFactory<?, ?> boot) {
		Map<String, Object> configured = boot.getConfigurationProperties();
		Object inFlight = configured.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
		if (inFlight != null && Integer.parseInt(inFlight.toString()) > MAX_IN_FLIGHT_IN_ORDER) {
			throw new IllegalStateException("The Kafka relay needs " + ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION
					+ " <= " + MAX_IN_FLIGHT_IN_ORDER + " to keep the order per key, not " + inFlight);
		}
		Object retries = configured.get(ProducerConfig.RETRIES_CONFIG);
		if (retries != null && Integer.parseInt(retries.toString()) == 0) {
			throw new IllegalStateException("The Kafka relay needs an idempotent producer, which retries: "
					+ ProducerConfig.RETRIES_CONFIG + "=0 is not allowed");
		}
		Map<String, Object> overrides = new HashMap<>();
		overrides.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		overrides.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		overrides.put(ProducerConfig.ACKS_CONFIG, "all");
		overrides.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		ProducerFactory<byte[], byte[]> copy = null;
		if (!boot.transactionCapable()) {
			try {
				copy = (ProducerFactory<byte[], byte[]>) boot.copyWithConfigurationOverride(overrides);
			}
			catch (UnsupportedOperationException ex) {
				// made below
			}
		}
		if (copy == null) {
			// the application's factory is transactional (spring.kafka.producer.transaction-id-prefix): the relay's
			// own producers are not (at-least-once) or are made per slot (pglogrepl.kafka.transactional)
			Map<String, Object> merged = new HashMap<>(configured);
			merged.putAll(overrides);
			copy = new DefaultKafkaProducerFactory<>(merged);
		}
		if (copy instanceof DefaultKafkaProducerFactory<byte[], byte[]> factory) {
			// a serializer instance set on Boot's factory by a customizer would otherwise win over the class
			factory.setKeySerializer(new ByteArraySerializer());
			factory.setValueSerializer(new ByteArraySerializer());
		}
		return copy;
	}

	/**
	 * The relay's meters: {@code pglogrepl.kafka.records.sent}, {@code .acknowledged}, {@code .failed},
	 * {@code .dead-lettered} (counters), {@code pglogrepl.kafka.send.latency} (timer: send to the broker's
	 * acknowledgement), {@code pglogrepl.kafka.records.in-flight}, {@code pglogrepl.kafka.transactions.pending}
	 * and {@code pglogrepl.kafka.broker.wait} (gauges), and in transactional mode
	 * {@code pglogrepl.kafka.transactions.committed} / {@code .aborted} (counters).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterBinder.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "pglogreplKafkaMeters")
		MeterBinder pglogreplKafkaMeters(KafkaRelay relay) {
			return (registry) -> {
				FunctionCounter.builder("pglogrepl.kafka.records.sent", relay, (r) -> r.state().recordsSent())
					.description("Records handed to the Kafka producer by the relay")
					.register(registry);
				FunctionCounter
					.builder("pglogrepl.kafka.records.acknowledged", relay, (r) -> r.state().recordsAcknowledged())
					.description("Records the broker acknowledged")
					.register(registry);
				FunctionCounter.builder("pglogrepl.kafka.records.failed", relay, (r) -> r.state().recordsFailed())
					.description("Records whose send failed (sent again after the stream is delivered again)")
					.register(registry);
				FunctionCounter.builder("pglogrepl.kafka.records.dead-lettered", relay, (r) -> r.state().deadLettered())
					.description("Records the broker rejected that were sent to their dead-letter topic")
					.register(registry);
				Gauge.builder("pglogrepl.kafka.records.in-flight", relay, (r) -> r.state().inFlight())
					.description("Records sent and not yet acknowledged by the broker")
					.register(registry);
				Gauge.builder("pglogrepl.kafka.transactions.pending", relay, (r) -> r.state().transactionsPending())
					.description("Committed transactions waiting for the broker before the slot is acknowledged past them")
					.register(registry);
				Gauge.builder("pglogrepl.kafka.broker.wait", relay, (r) -> r.state().brokerWaitMillis() / 1000.0)
					.description("How long records have been waiting for the broker without any acknowledgement")
					.baseUnit("seconds")
					.register(registry);
				Timer latency = Timer.builder("pglogrepl.kafka.send.latency")
					.description("Time from handing a record to the producer to the broker's acknowledgement")
					.publishPercentiles(0.5, 0.99)
					.register(registry);
				relay.setSendLatencyRecorder((nanos) -> latency.record(nanos, TimeUnit.NANOSECONDS));
				if (relay.properties().isTransactional()) {
					FunctionCounter
						.builder("pglogrepl.kafka.transactions.committed", relay,
								(r) -> r.state().kafkaTransactionsCommitted())
						.description("Kafka transactions the relay committed")
						.register(registry);
					FunctionCounter
						.builder("pglogrepl.kafka.transactions.aborted", relay, (r) -> r.state().kafkaTransactionsAborted())
						.description("Kafka transactions the relay aborted (their changes were delivered again)")
						.register(registry);
				}
			};
		}

	}

	/** The relay's state in {@code GET /actuator/pglogrepl}, under {@code kafka}. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(PgLogReplReportContributor.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "pglogreplKafkaReport")
		PgLogReplReportContributor pglogreplKafkaReport(KafkaRelay relay) {
			return new PgLogReplReportContributor() {

				@Override
				public String name() {
					return "kafka";
				}

				@Override
				public Map<String, Object> report() {
					return relay.state().toMap();
				}

			};
		}

	}

	/**
	 * The relay's health: DOWN while a send failed and nothing was acknowledged since, or while the broker has
	 * acknowledged nothing for {@code pglogrepl.kafka.broker-wait-down-after}; the details say which.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "pglogreplKafkaHealthIndicator")
		HealthIndicator pglogreplKafkaHealthIndicator(KafkaRelay relay, KafkaRelayProperties properties) {
			return () -> {
				KafkaRelayState state = relay.state();
				String reason = reason(state, properties.getBrokerWaitDownAfter().toMillis());
				Health.Builder health = (reason != null) ? Health.down().withDetail("reason", reason) : Health.up();
				return health.withDetails(state.toMap()).build();
			};
		}

		static String reason(KafkaRelayState state, long waitDownAfterMillis) {
			if (state.brokerWaitMillis() >= waitDownAfterMillis) {
				return "The broker has acknowledged none of " + state.inFlight() + " records for "
						+ state.brokerWaitMillis() / 1000 + " s: it is down, slow or unreachable; the stream is paused "
						+ "(nothing is lost, the slot keeps the changes) and resumes by itself when the broker is back";
			}
			if (state.failing()) {
				return "A send failed and the stream is delivered again from the last acknowledged position: "
						+ state.lastError();
			}
			return null;
		}

	}

}
