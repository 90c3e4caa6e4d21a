package io.github.pglogrepl.spring.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.github.pglogrepl.Lsn;

/**
 * The transactional relay's record of how far it got, kept in Kafka: with each Kafka transaction the relay writes
 * the commit LSN of the last PostgreSQL transaction in it to the offsets topic (compacted, key = the slot name), in
 * the same Kafka transaction. So what is on Kafka and the position it reached are committed together, and after a
 * crash — when the slot's confirmed position may be behind what Kafka has, because the acknowledgement had not
 * reached the server yet — the relay skips the transactions Kafka already has instead of sending them twice.
 * Read with {@code isolation.level=read_committed}, after {@code initTransactions()} has finished or aborted the
 * previous producer's open transaction.
 */
final class KafkaOffsets {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

	private final String topic;

	private final Map<String, Object> clientConfig;

	/**
	 * @param topic the offsets topic
	 * @param producerConfig the relay producer's settings, of which the connection settings are used
	 */
	KafkaOffsets(String topic, Map<String, Object> producerConfig) {
		this.topic = topic;
		this.clientConfig = connectionSettings(producerConfig);
	}

	String topic() {
		return this.topic;
	}

	/**
	 * @param slotName the slot
	 * @param commitLsn the commit LSN of the last PostgreSQL transaction of the Kafka transaction
	 * @param endLsn its end LSN
	 * @return the record to send in the Kafka transaction
	 */
	ProducerRecord<byte[], byte[]> record(String slotName, Lsn commitLsn, Lsn endLsn) {
		String value = "{\"commit_lsn\":\"" + commitLsn + "\",\"end_lsn\":\"" + endLsn + "\"}";
		return new ProducerRecord<>(this.topic, slotName.getBytes(StandardCharsets.UTF_8),
				value.getBytes(StandardCharsets.UTF_8));
	}

	/** Creates the topic (compacted, one partition) unless it exists. */
	void createIfMissing() {
		try (Admin admin = Admin.create(this.clientConfig)) {
			NewTopic newTopic = new NewTopic(this.topic, Optional.of(1), Optional.empty())
				.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
			admin.createTopics(List.of(newTopic)).all().get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			if (!(ex.getCause() instanceof TopicExistsException)) {
				throw new KafkaRelayException("Could not create the relay's offsets topic " + this.topic
						+ " (pglogrepl.kafka.offsets-topic): " + ex.getCause(), ex.getCause());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KafkaRelayException("Interrupted while creating the offsets topic " + this.topic, ex);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new KafkaRelayException("The broker did not create the offsets topic " + this.topic + " within "
					+ READ_TIMEOUT.toSeconds() + " s", ex);
		}
	}

	/**
	 * @param slotName the slot
	 * @return the commit LSN of the last PostgreSQL transaction of the slot committed to Kafka, or {@code null}
	 */
	Lsn read(String slotName) {
		Map<String, Object> config = new HashMap<>(this.clientConfig);
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		byte[] key = slotName.getBytes(StandardCharsets.UTF_8);
		String last = null;
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			List<TopicPartition> partitions = new ArrayList<>();
			for (PartitionInfo partition : consumer.partitionsFor(this.topic, READ_TIMEOUT)) {
				partitions.add(new TopicPartition(this.topic, partition.partition()));
			}
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
			long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
			while (!reached(consumer, end)) {
				if (System.nanoTime() > deadline) {
					throw new KafkaRelayException("Could not read the relay's offsets topic " + this.topic
							+ " to its end within " + READ_TIMEOUT.toSeconds() + " s", null);
				}
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					if (java.util.Arrays.equals(record.key(), key)) {
						last = (record.value() != null) ? new String(record.value(), StandardCharsets.UTF_8) : null;
					}
				}
			}
		}
		return (last != null) ? commitLsn(last) : null;
	}

	private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
		for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
			if (consumer.position(partition.getKey()) < partition.getValue()) {
				return false;
			}
		}
		return true;
	}

	static Lsn commitLsn(String json) {
		String field = "\"commit_lsn\":\"";
		int start = json.indexOf(field);
		if (start < 0) {
			throw new KafkaRelayException("Unreadable record in the relay's offsets topic: " + json, null);
		}
		start += field.length();
		return Lsn.parse(json.substring(start, json.indexOf('"', start)));
	}

	/**
	 * The settings that say how to reach and authenticate to the cluster, from the producer's settings (which
	 * Spring Boot built from {@code spring.kafka.*} or a {@code KafkaConnectionDetails} bean).
	 */
	static Map<String, Object> connectionSettings(Map<String, Object> producerConfig) {
		Map<String, Object> settings = new HashMap<>();
		for (Map.Entry<String, Object> entry : producerConfig.entrySet()) {
			String key = entry.getKey();
			if (key.startsWith("bootstrap.") || key.startsWith("security.") || key.startsWith("sasl.")
					|| key.startsWith("ssl.") || key.equals("client.dns.lookup") || key.startsWith("socket.")
					|| key.startsWith("reconnect.backoff") || key.equals("request.timeout.ms")) {
				settings.put(key, entry.getValue());
			}
		}
		return settings;
	}

}
