package io.github.pglogrepl.spring.kafka;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of the relay's state, for health and metrics. Immutable.
 *
 * @param recordsSent records handed to the producer since start (tombstones included)
 * @param recordsAcknowledged records the broker acknowledged
 * @param recordsFailed records whose send failed (each is sent again: the stream is delivered again)
 * @param inFlight records sent and not yet acknowledged or failed
 * @param transactionsPending committed transactions waiting for the broker's acknowledgement of their records
 * (or of an earlier transaction's) before the slot is acknowledged past them
 * @param acknowledgedLsn per stream, the position the relay acknowledged to the slot so far
 * @param failing whether a send failed and no transaction was acknowledged since
 * @param lastError the last send failure (topic, event without row values, exception), or {@code null}
 * @param lastErrorAt when it happened, or {@code null}
 */
public record KafkaRelayState(long recordsSent, long recordsAcknowledged, long recordsFailed, long inFlight,
		int transactionsPending, Map<String, String> acknowledgedLsn, boolean failing, String lastError,
		Instant lastErrorAt) {

	/**
	 * @return the fields as health shows them
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("recordsSent", this.recordsSent);
		map.put("recordsAcknowledged", this.recordsAcknowledged);
		map.put("recordsFailed", this.recordsFailed);
		map.put("inFlight", this.inFlight);
		map.put("transactionsPending", this.transactionsPending);
		map.put("acknowledgedLsn", this.acknowledgedLsn);
		map.put("failing", this.failing);
		if (this.lastError != null) {
			map.put("lastError", this.lastError);
			map.put("lastErrorAt", String.valueOf(this.lastErrorAt));
		}
		return map;
	}

}
