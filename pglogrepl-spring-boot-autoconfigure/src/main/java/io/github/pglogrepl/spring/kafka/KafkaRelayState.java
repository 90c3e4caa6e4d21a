package io.github.pglogrepl.spring.kafka;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of the relay's state, for health, metrics and the actuator endpoint. Immutable.
 *
 * @param delivery {@code at-least-once} or {@code exactly-once} ({@code pglogrepl.kafka.transactional=true})
 * @param recordsSent records handed to the producer since start (tombstones and dead letters included)
 * @param recordsAcknowledged records the broker acknowledged
 * @param recordsFailed records whose send failed (each is sent again: the stream is delivered again)
 * @param inFlight records sent and not yet acknowledged or failed
 * @param transactionsPending PostgreSQL transactions waiting for the broker (or for their Kafka transaction to
 * commit) before the slot is acknowledged past them
 * @param brokerWaitMillis how long records have been in flight without the broker acknowledging any (0 when
 * nothing is in flight): growing while the broker is down or slow, when the stream is paused by back-pressure
 * @param deadLettered records sent to a dead-letter topic instead of their own
 * @param deadLettersWaiting rejected records remembered for the dead-letter topic: each delivery of their change
 * sends them there, until the slot is acknowledged past it
 * @param kafkaTransactionsCommitted Kafka transactions committed (transactional mode)
 * @param kafkaTransactionsAborted Kafka transactions aborted (transactional mode; their PostgreSQL transactions
 * were delivered again)
 * @param transactionsSkipped PostgreSQL transactions delivered again but found on Kafka already and not sent
 * again (transactional mode, after a restart)
 * @param acknowledgedLsn per stream, the position the relay acknowledged to the slot so far
 * @param failing whether a send failed and no transaction was acknowledged since
 * @param lastError the last send failure (topic, event without row values, exception), or {@code null}
 * @param lastErrorAt when it happened, or {@code null}
 */
public record KafkaRelayState(String delivery, long recordsSent, long recordsAcknowledged, long recordsFailed,
		long inFlight, int transactionsPending, long brokerWaitMillis, long deadLettered, int deadLettersWaiting,
		long kafkaTransactionsCommitted, long kafkaTransactionsAborted, long transactionsSkipped,
		Map<String, String> acknowledgedLsn, boolean failing, String lastError, Instant lastErrorAt) {

	/**
	 * @return the fields as health and the endpoint show them
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("delivery", this.delivery);
		map.put("recordsSent", this.recordsSent);
		map.put("recordsAcknowledged", this.recordsAcknowledged);
		map.put("recordsFailed", this.recordsFailed);
		map.put("inFlight", this.inFlight);
		map.put("transactionsPending", this.transactionsPending);
		map.put("brokerWaitMillis", this.brokerWaitMillis);
		map.put("deadLettered", this.deadLettered);
		if (this.deadLettersWaiting > 0) {
			map.put("deadLettersWaiting", this.deadLettersWaiting);
		}
		if ("exactly-once".equals(this.delivery)) {
			map.put("kafkaTransactionsCommitted", this.kafkaTransactionsCommitted);
			map.put("kafkaTransactionsAborted", this.kafkaTransactionsAborted);
			map.put("transactionsSkipped", this.transactionsSkipped);
		}
		map.put("acknowledgedLsn", this.acknowledgedLsn);
		map.put("failing", this.failing);
		if (this.lastError != null) {
			map.put("lastError", this.lastError);
			map.put("lastErrorAt", String.valueOf(this.lastErrorAt));
		}
		return map;
	}

}
