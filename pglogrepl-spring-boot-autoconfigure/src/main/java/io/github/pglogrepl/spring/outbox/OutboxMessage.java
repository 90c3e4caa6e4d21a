package io.github.pglogrepl.spring.outbox;

/**
 * An outbox event as written into the WAL: who it is about, what happened, and the payload as JSON.
 *
 * @param aggregateType the kind of aggregate, e.g. {@code Order} (routes to topics and listeners)
 * @param aggregateId the aggregate's id, e.g. {@code 42} (the Kafka record key)
 * @param eventType what happened, e.g. {@code OrderPlaced} (maps the payload to a listener's type)
 * @param payload the payload as JSON text
 */
public record OutboxMessage(String aggregateType, String aggregateId, String eventType, String payload) {
}
