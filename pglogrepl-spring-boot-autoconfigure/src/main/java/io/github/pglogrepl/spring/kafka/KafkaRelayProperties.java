package io.github.pglogrepl.spring.kafka;

import java.time.Duration;
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

	/**
	 * Whether to relay exactly-once into Kafka: the records of one or more PostgreSQL transactions are committed
	 * in one Kafka transaction, with the last commit LSN recorded on the offsets topic in the same transaction, so
	 * that a {@code read_committed} consumer sees every PostgreSQL transaction whole and once, also across crashes.
	 * Needs a broker with transactions (three brokers, or {@code transaction.state.log.replication.factor} and
	 * {@code min.isr} lowered on a single one).
	 */
	private boolean transactional = false;

	/**
	 * Prefix of the transactional producers' {@code transactional.id}: one producer per slot, with the id
	 * {@code <prefix><slot>}, so that a restarted application fences the one before it. Default:
	 * {@code spring.kafka.producer.transaction-id-prefix} if set, else {@code pglogrepl-}.
	 */
	private String transactionIdPrefix;

	/**
	 * How long a Kafka transaction stays open collecting further PostgreSQL transactions (it is committed at the
	 * first PostgreSQL commit after that, or when the stream is idle). Zero: one Kafka transaction per PostgreSQL
	 * transaction. Longer means fewer Kafka commits, and a {@code read_committed} consumer sees changes later.
	 */
	private Duration transactionMaxDelay = Duration.ofMillis(100);

	/**
	 * How many records a Kafka transaction collects before it is committed at the next PostgreSQL commit.
	 */
	private int transactionMaxRecords = 10_000;

	/**
	 * Topic on which the transactional relay records how far it got (compacted, keyed by slot name; created if
	 * missing). Default: {@code <topic-prefix>.offsets}.
	 */
	private String offsetsTopic;

	/**
	 * What to do with a record the broker rejects for good (too large, not authorized, invalid topic):
	 * {@code retry} (deliver again with the stream's back-off until accepted), {@code dead-letter} (send it to
	 * {@code <topic><dead-letter-suffix>} and go on) or {@code stop} (stop the stream). A
	 * {@link RejectedRecordHandler} bean decides instead when declared.
	 */
	private RejectedRecordAction onRejected = RejectedRecordAction.RETRY;

	/**
	 * Suffix of the dead-letter topic of a topic (Spring Kafka's {@code DeadLetterPublishingRecoverer}
	 * convention).
	 */
	private String deadLetterSuffix = ".DLT";

	/**
	 * How long records may wait for the broker's acknowledgement before the relay's health is DOWN (the stream
	 * is then paused by back-pressure; it resumes by itself when the broker is back).
	 */
	private Duration brokerWaitDownAfter = Duration.ofSeconds(30);

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

	public boolean isTransactional() {
		return this.transactional;
	}

	public void setTransactional(boolean transactional) {
		this.transactional = transactional;
	}

	public String getTransactionIdPrefix() {
		return this.transactionIdPrefix;
	}

	public void setTransactionIdPrefix(String transactionIdPrefix) {
		this.transactionIdPrefix = transactionIdPrefix;
	}

	public Duration getTransactionMaxDelay() {
		return this.transactionMaxDelay;
	}

	public void setTransactionMaxDelay(Duration transactionMaxDelay) {
		this.transactionMaxDelay = transactionMaxDelay;
	}

	public int getTransactionMaxRecords() {
		return this.transactionMaxRecords;
	}

	public void setTransactionMaxRecords(int transactionMaxRecords) {
		this.transactionMaxRecords = transactionMaxRecords;
	}

	public String getOffsetsTopic() {
		return this.offsetsTopic;
	}

	public void setOffsetsTopic(String offsetsTopic) {
		this.offsetsTopic = offsetsTopic;
	}

	public RejectedRecordAction getOnRejected() {
		return this.onRejected;
	}

	public void setOnRejected(RejectedRecordAction onRejected) {
		this.onRejected = onRejected;
	}

	public String getDeadLetterSuffix() {
		return this.deadLetterSuffix;
	}

	public void setDeadLetterSuffix(String deadLetterSuffix) {
		this.deadLetterSuffix = deadLetterSuffix;
	}

	public Duration getBrokerWaitDownAfter() {
		return this.brokerWaitDownAfter;
	}

	public void setBrokerWaitDownAfter(Duration brokerWaitDownAfter) {
		this.brokerWaitDownAfter = brokerWaitDownAfter;
	}

}
