package io.github.pglogrepl.spring.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the Kafka relay ({@code pglogrepl.kafka.*}). The connection to the broker and the producer's
 * settings come from Spring Boot's {@code spring.kafka.*} (or a {@code KafkaConnectionDetails} bean); the relay
 * overrides {@code acks=all}, {@code enable.idempotence=true} and the byte-array serializers.
 */
@ConfigurationProperties("pglogrepl.kafka")
public class KafkaRelayProperties {

	/**
	 * Whether to relay every change of the replication streams to Kafka. The relay then owns the streams'
	 * acknowledgement ({@code ack-mode} is set to {@code manual}).
	 */
	private boolean enabled = false;

	/**
	 * Prefix of the topic names: changes of {@code schema.table} go to {@code <topic-prefix>.<schema>.<table>},
	 * outbox events to {@code <topic-prefix>.outbox.<aggregate-type>}. Default: the stream's slot name.
	 */
	private String topicPrefix;

	/**
	 * Topics for tables whose changes go elsewhere, by qualified table name: {@code pglogrepl.kafka.topics.public
	 * .orders=orders}. Tables not named here go to {@code <topic-prefix>.<schema>.<table>}.
	 */
	private Map<String, String> topics = new LinkedHashMap<>();

	/**
	 * Whether a delete is followed by a tombstone (a record with the same key and a null value), so that log
	 * compaction removes the key.
	 */
	private boolean tombstones = true;

	/**
	 * How {@code numeric} values are written: {@code string} (exact, the default) or {@code number}.
	 */
	private NumericEncoding numericEncoding = NumericEncoding.STRING;

	/**
	 * How dates and times are written: {@code iso-8601} (the default), {@code epoch-micros}, or {@code debezium}
	 * (Debezium's adaptive time precision).
	 */
	private TemporalEncoding temporalEncoding = TemporalEncoding.ISO_8601;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getTopicPrefix() {
		return this.topicPrefix;
	}

	public void setTopicPrefix(String topicPrefix) {
		this.topicPrefix = topicPrefix;
	}

	public Map<String, String> getTopics() {
		return this.topics;
	}

	public void setTopics(Map<String, String> topics) {
		this.topics = topics;
	}

	public boolean isTombstones() {
		return this.tombstones;
	}

	public void setTombstones(boolean tombstones) {
		this.tombstones = tombstones;
	}

	public NumericEncoding getNumericEncoding() {
		return this.numericEncoding;
	}

	public void setNumericEncoding(NumericEncoding numericEncoding) {
		this.numericEncoding = numericEncoding;
	}

	public TemporalEncoding getTemporalEncoding() {
		return this.temporalEncoding;
	}

	public void setTemporalEncoding(TemporalEncoding temporalEncoding) {
		this.temporalEncoding = temporalEncoding;
	}

}
