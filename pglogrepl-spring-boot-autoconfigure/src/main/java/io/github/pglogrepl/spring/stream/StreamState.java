package io.github.pglogrepl.spring.stream;

import java.time.Instant;
import java.util.Map;

import io.github.pglogrepl.Lsn;

/**
 * A snapshot of the stream's state, for health, the actuator endpoint and metrics. Immutable; made on the
 * thread that asks ({@link ReplicationStreamContainer#state()}).
 *
 * @param streamName the stream's name
 * @param status lifecycle state
 * @param statusSince when the stream entered this status
 * @param slotName the slot
 * @param receivedLsn highest WAL position received (the slot's confirmed position until the first message)
 * @param flushedLsn position acknowledged to the server
 * @param serverWalEnd the server's WAL end as last reported (at startup: its current WAL position)
 * @param lagBytes bytes between the server's WAL end and the flushed position
 * @param lagSeconds seconds since the commit time of the newest change received while the stream is behind;
 * 0 when caught up
 * @param messages received pgoutput messages by type name
 * @param transactions transactions delivered
 * @param reconnects reconnects since start
 * @param deliveryFailures listener failures since start
 * @param lastError the last connection or listener error, or {@code null}
 * @param streamingSince when the current connection started streaming, or {@code null}
 * @param problem a condition that makes the stream miss changes although it is connected (e.g. a dropped
 * publication), or {@code null}
 * @param deliveryFailure where delivery is blocked by a failing listener, or {@code null}
 * @param slotRetention how much WAL the slot holds back, as last polled (every {@code status-interval} while the
 * stream runs), or {@code null} before the first poll
 */
public record StreamState(String streamName, StreamStatus status, Instant statusSince, String slotName,
		Lsn receivedLsn, Lsn flushedLsn, Lsn serverWalEnd, long lagBytes, double lagSeconds, Map<String, Long> messages,
		long transactions, long reconnects, long deliveryFailures, String lastError, Instant streamingSince,
		String problem, DeliveryFailure deliveryFailure, ServerCatalog.SlotRetention slotRetention) {

	/**
	 * Delivery blocked by a listener that keeps failing.
	 *
	 * @param position the WAL position of the message whose listener failed
	 * @param attempts consecutive failures there
	 * @param since when the first of them happened
	 * @param error the last failure: the event (table, LSN, xid, columns; values only with
	 * {@code pglogrepl.log-row-values}) and the exception
	 */
	public record DeliveryFailure(Lsn position, int attempts, Instant since, String error) {

		/**
		 * @return the fields as health and the endpoint show them
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new java.util.LinkedHashMap<>();
			map.put("position", this.position.toString());
			map.put("since", this.since.toString());
			map.put("attempts", this.attempts);
			map.put("error", this.error);
			return map;
		}

	}

}
