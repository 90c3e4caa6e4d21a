package io.github.pglogrepl.spring.kafka;

import java.util.Map;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

import io.github.pglogrepl.spring.autoconfigure.ReplicationStreamContainerCustomizer;
import io.github.pglogrepl.spring.stream.AckMode;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamingMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * When the relay switches on, and the producer settings its guarantee rests on (no broker needed: the producer is
 * created at the first change).
 */
class KafkaRelayAutoConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, KafkaRelayAutoConfiguration.class));

	@Test
	void offUnlessEnabled() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(KafkaRelay.class)
			.doesNotHaveBean(ChangeRecordEncoder.class));
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaRelay.class));
	}

	@Test
	void onWithSpringBootsKafkaConfiguration() {
		this.runner
			.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.topic-prefix=shop",
					"pglogrepl.kafka.topics.public.orders=orders")
			.run((context) -> {
				assertThat(context).hasSingleBean(KafkaRelay.class).hasSingleBean(ChangeRecordEncoder.class);
				TopicRouter topics = context.getBean(ChangeRecordEncoder.class).topics();
				assertThat(topics.tableTopic("slot", new io.github.pglogrepl.spring.event.TableName("public", "orders")))
					.isEqualTo("orders");
				assertThat(topics.tableTopic("slot", new io.github.pglogrepl.spring.event.TableName("sales", "Line Items")))
					.isEqualTo("shop.sales.Line_Items");
				assertThat(topics.outboxTopic("slot", "Order")).isEqualTo("shop.outbox.Order");
				// Boot's own beans are untouched: one ProducerFactory, one KafkaTemplate
				assertThat(context).hasSingleBean(ProducerFactory.class);
				assertThat(context.getBean(KafkaRelay.class).state().recordsSent()).isZero();
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean("pglogreplKafkaMeters", MeterBinder.class).bindTo(registry);
				assertThat(registry.get("pglogrepl.kafka.records.sent").functionCounter().count()).isZero();
				assertThat(registry.get("pglogrepl.kafka.transactions.pending").gauge().value()).isZero();
				assertThat(context).hasBean("pglogreplKafkaHealthIndicator");
			});
	}

	@Test
	void theRelaysProducerIsIdempotentWithAcksAllAndByteArrays() {
		DefaultKafkaProducerFactory<Object, Object> boot = new DefaultKafkaProducerFactory<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1", ProducerConfig.ACKS_CONFIG, "1",
						ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
						StringSerializer.class, ProducerConfig.LINGER_MS_CONFIG, 7));
		Map<String, Object> config = KafkaRelayAutoConfiguration.relayProducerFactory(boot).getConfigurationProperties();
		assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
			.containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
			.containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)
			.containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)
			// the application's other settings are kept
			.containsEntry(ProducerConfig.LINGER_MS_CONFIG, 7)
			.containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
	}

	@Test
	void refusesSettingsThatBreakTheOrderOrTheGuarantee() {
		assertThatIllegalStateException()
			.isThrownBy(() -> KafkaRelayAutoConfiguration.relayProducerFactory(new DefaultKafkaProducerFactory<>(
					Map.of(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 10))))
			.withMessageContaining("max.in.flight.requests.per.connection <= 5");
		assertThatIllegalStateException()
			.isThrownBy(() -> KafkaRelayAutoConfiguration
				.relayProducerFactory(new DefaultKafkaProducerFactory<>(Map.of(ProducerConfig.RETRIES_CONFIG, 0))))
			.withMessageContaining("retries=0");
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.transaction-max-records=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("pglogrepl.kafka.transaction-max-records must be at least 1"));
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.dead-letter-suffix=")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("pglogrepl.kafka.dead-letter-suffix must not be empty"));
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.on-rejected=drop")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void healthSaysWhyItIsDown() {
		KafkaRelayState waiting = new KafkaRelayState("at-least-once", 10, 2, 0, 8, 3, 31_000, 0, 0, 0, 0, 0, Map.of(),
				false, null, null);
		assertThat(KafkaRelayAutoConfiguration.HealthConfiguration.reason(waiting, 30_000))
			.startsWith("The broker has acknowledged none of 8 records for 31 s");
		assertThat(KafkaRelayAutoConfiguration.HealthConfiguration.reason(waiting, 60_000)).isNull();
		KafkaRelayState failing = new KafkaRelayState("at-least-once", 10, 2, 1, 7, 3, 1_000, 0, 0, 0, 0, 0, Map.of(),
				true, "Kafka send failed for topic t: boom", null);
		assertThat(KafkaRelayAutoConfiguration.HealthConfiguration.reason(failing, 30_000))
			.contains("Kafka send failed for topic t: boom");
	}

	@Test
	void anApplicationsTransactionalFactoryIsKeptAndItsPrefixNamesTheTransactionalRelaysProducers() {
		DefaultKafkaProducerFactory<Object, Object> transactional = new DefaultKafkaProducerFactory<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1"));
		transactional.setTransactionIdPrefix("tx-");
		assertThat(KafkaRelayAutoConfiguration.relayProducerFactory(transactional).transactionCapable()).isFalse();
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "spring.kafka.producer.transaction-id-prefix=tx-")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(KafkaRelay.class).state().delivery()).isEqualTo("at-least-once");
			});
		this.runner
			.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.transactional=true",
					"spring.kafka.producer.transaction-id-prefix=tx-")
			.run((context) -> {
				assertThat(context.getBean(KafkaRelayProperties.class).getTransactionIdPrefix()).isEqualTo("tx-");
				assertThat(context.getBean(KafkaRelay.class).state().delivery()).isEqualTo("exactly-once");
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean("pglogreplKafkaMeters", MeterBinder.class).bindTo(registry);
				assertThat(registry.get("pglogrepl.kafka.transactions.committed").functionCounter().count()).isZero();
				assertThat(registry.get("pglogrepl.kafka.send.latency").timer().count()).isZero();
			});
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true", "pglogrepl.kafka.transactional=true")
			.run((context) -> assertThat(context.getBean(KafkaRelayProperties.class).getTransactionIdPrefix())
				.isEqualTo("pglogrepl-"));
	}

	@Test
	void theRelaysStreamsAreAcknowledgedManuallyAndNeedStreamingOff() {
		this.runner.withPropertyValues("pglogrepl.kafka.enabled=true").run((context) -> {
			ReplicationStreamContainerCustomizer customizer = context.getBean(ReplicationStreamContainerCustomizer.class);
			ReplicationStreamContainer container = new ReplicationStreamContainer(new StreamContainerProperties(),
					new GenericApplicationContext());
			customizer.customize(container);
			assertThat(container.getContainerProperties().getAckMode()).isEqualTo(AckMode.MANUAL);
			StreamContainerProperties streamed = new StreamContainerProperties();
			streamed.setStreaming(StreamingMode.ON);
			assertThatIllegalStateException()
				.isThrownBy(() -> customizer.customize(new ReplicationStreamContainer(streamed,
						new GenericApplicationContext())))
				.withMessageContaining("pglogrepl.pgoutput.streaming=off");
		});
	}

}
