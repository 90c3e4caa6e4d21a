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
 * @param slotName the slot
 * @param receivedLsn highest WAL position received
 * @param flushedLsn position acknowledged to the server
 * @param serverWalEnd the server's WAL end as last reported
 * @param lagBytes bytes between the server's WAL end and the flushed position
 * @param lagSeconds seconds since the commit time of the newest change received while the stream is behind;
 * 0 when caught up
 * @param messages received pgoutput messages by type name
 * @param transactions transactions delivered
 * @param reconnects reconnects since start
 * @param lastError the last connection or listener error, or {@code null}
 * @param streamingSince when the current connection started streaming, or {@code null}
 * @param problem a condition that makes the stream miss changes although it is connected (e.g. a dropped
 * publication), or {@code null}
 */
public record StreamState(String streamName, StreamStatus status, String slotName, Lsn receivedLsn, Lsn flushedLsn, Lsn serverWalEnd,
		long lagBytes, double lagSeconds, Map<String, Long> messages, long transactions, long reconnects,
		String lastError, Instant streamingSince, String problem) {
}
