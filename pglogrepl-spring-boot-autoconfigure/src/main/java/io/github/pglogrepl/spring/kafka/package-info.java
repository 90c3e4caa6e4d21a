/**
 * The Kafka relay ({@code pglogrepl.kafka.enabled=true}): every change of a stream becomes a Kafka record in a
 * Debezium-compatible JSON envelope, and the slot is acknowledged up to a transaction's end only after the broker
 * acknowledged every record of it and of every earlier transaction.
 * <ul>
 * <li>{@link io.github.pglogrepl.spring.kafka.TopicRouter}: which topic a table's changes and an outbox event go to;</li>
 * <li>{@link io.github.pglogrepl.spring.kafka.ColumnValueEncoder}: a column value as JSON;</li>
 * <li>{@link io.github.pglogrepl.spring.kafka.ChangeRecordEncoder}: an event as records (key, envelope, tombstone);</li>
 * <li>{@link io.github.pglogrepl.spring.kafka.PendingTransactions}: which transactions the broker has acknowledged
 * in full, in commit order;</li>
 * <li>{@link io.github.pglogrepl.spring.kafka.KafkaRelay}: sends and acknowledges;
 * {@link io.github.pglogrepl.spring.kafka.KafkaRelayState} its state for health and metrics.</li>
 * </ul>
 */
package io.github.pglogrepl.spring.kafka;
