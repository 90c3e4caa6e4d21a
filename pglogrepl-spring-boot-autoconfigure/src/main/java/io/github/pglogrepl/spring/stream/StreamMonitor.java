package io.github.pglogrepl.spring.stream;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputMessageType;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * What the stream's threads report about it — status, positions, counters, errors — and the one place a
 * {@link StreamState} is made from. The reader writes the connection's side, the dispatcher the delivery's,
 * the publication watchdog the problem; any thread reads ({@link ReplicationStreamContainer#state()}, health,
 * metrics, the endpoint).
 */
final class StreamMonitor {

	private final String streamName;

	private final String slotName;

	private final LongAdder[] messageCounts = new LongAdder[PgOutputMessageType.values().length];

	private final LongAdder transactions = new LongAdder();

	private final LongAdder reconnects = new LongAdder();

	private volatile StreamStatus status = StreamStatus.NEW;

	private volatile String lastError;

	private volatile String problem;

	private volatile Instant streamingSince;

	private volatile Lsn receivedLsn = Lsn.INVALID;

	private volatile Lsn serverWalEnd = Lsn.INVALID;

	private volatile Lsn newestCommitEnd = Lsn.INVALID;

	private volatile long newestCommitTimeMicros;

	StreamMonitor(String streamName, String slotName) {
		this.streamName = streamName;
		this.slotName = slotName;
		for (int i = 0; i < this.messageCounts.length; i++) {
			this.messageCounts[i] = new LongAdder();
		}
	}

	// ---------------------------------------------------------------- reader

	void status(StreamStatus status) {
		this.status = status;
	}

	StreamStatus status() {
		return this.status;
	}

	void streaming() {
		this.status = StreamStatus.STREAMING;
		this.streamingSince = Instant.now();
		this.lastError = null;
	}

	void notStreaming() {
		this.streamingSince = null;
	}

	void connectionFailed(StreamStatus status, String error) {
		this.status = status;
		this.lastError = error;
		this.streamingSince = null;
	}

	void reconnected() {
		this.reconnects.increment();
	}

	void received(Lsn walStart, Lsn serverWalEnd) {
		if (walStart.isAfter(this.receivedLsn)) {
			this.receivedLsn = walStart;
		}
		this.serverWalEnd = serverWalEnd;
	}

	void serverWalEnd(Lsn serverWalEnd) {
		this.serverWalEnd = serverWalEnd;
	}

	void counted(PgOutputMessageType type) {
		this.messageCounts[type.ordinal()].increment();
	}

	void transactionBegins(Lsn commitEnd, long commitTimeMicros) {
		this.newestCommitTimeMicros = commitTimeMicros;
		if (commitEnd.isAfter(this.newestCommitEnd)) {
			this.newestCommitEnd = commitEnd;
		}
	}

	// ---------------------------------------------------------------- dispatcher

	void transactionDelivered() {
		this.transactions.increment();
	}

	void deliveryFailed(String error) {
		this.lastError = error;
	}

	// ---------------------------------------------------------------- watchdog

	void problem(String problem) {
		this.problem = problem;
	}

	String problem() {
		return this.problem;
	}

	// ---------------------------------------------------------------- readers of the state

	long messageCount(PgOutputMessageType type) {
		return this.messageCounts[type.ordinal()].sum();
	}

	StreamState state(Lsn flushed) {
		Lsn walEnd = this.serverWalEnd;
		long lagBytes = (walEnd.isValid() && walEnd.isAfter(flushed)) ? walEnd.bytesSince(flushed) : 0;
		double lagSeconds = 0;
		if (this.newestCommitEnd.isAfter(flushed) && this.newestCommitTimeMicros != 0) {
			lagSeconds = Math.max(0, (PgTimestamps.nowPgMicros() - this.newestCommitTimeMicros) / 1_000_000.0);
		}
		Map<String, Long> messages = new TreeMap<>();
		for (PgOutputMessageType type : PgOutputMessageType.values()) {
			long count = this.messageCounts[type.ordinal()].sum();
			if (count > 0) {
				messages.put(type.typeName(), count);
			}
		}
		return new StreamState(this.streamName, this.status, this.slotName, this.receivedLsn, flushed, walEnd,
				lagBytes, lagSeconds, messages, this.transactions.sum(), this.reconnects.sum(), this.lastError,
				this.streamingSince, this.problem);
	}

}
