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

	private final LongAdder deliveryFailures = new LongAdder();

	private final LongAdder slotRecreations = new LongAdder();

	private volatile StreamStatus status = StreamStatus.NEW;

	private volatile Instant statusSince = Instant.now();

	private volatile StreamState.DeliveryFailure deliveryFailure;

	private volatile String lastError;

	private volatile String problem;

	private volatile Instant streamingSince;

	private volatile Lsn receivedLsn = Lsn.INVALID;

	private volatile Lsn serverWalEnd = Lsn.INVALID;

	private volatile Lsn newestCommitEnd = Lsn.INVALID;

	private volatile long newestCommitTimeMicros;

	private volatile ServerCatalog.SlotRetention slotRetention;

	StreamMonitor(String streamName, String slotName) {
		this.streamName = streamName;
		this.slotName = slotName;
		for (int i = 0; i < this.messageCounts.length; i++) {
			this.messageCounts[i] = new LongAdder();
		}
	}

	String slotName() {
		return this.slotName;
	}

	// ---------------------------------------------------------------- reader

	void status(StreamStatus status) {
		StreamStatus previous = this.status;
		if (previous == StreamStatus.SLOT_LOST && status == StreamStatus.STOPPED) {
			// the stream stopped because its slot is lost: that stays the status until it starts again
			return;
		}
		if (status != previous) {
			// connecting and reconnecting alternate while the stream is down: since is when it went down
			if (!(isDown(status) && isDown(previous))) {
				this.statusSince = Instant.now();
			}
			this.status = status;
		}
	}

	private static boolean isDown(StreamStatus status) {
		return status == StreamStatus.CONNECTING || status == StreamStatus.RECONNECTING;
	}

	/**
	 * @return the connection's status (never {@link StreamStatus#RETRYING}, which {@link #state} derives)
	 */
	StreamStatus status() {
		return this.status;
	}

	/**
	 * Streaming starts on a connection.
	 * @param from the position it starts from (shown as received until the first message)
	 */
	void streaming(Lsn from) {
		status(StreamStatus.STREAMING);
		this.streamingSince = Instant.now();
		if (this.deliveryFailure == null) {
			this.lastError = null;
		}
		if (from.isAfter(this.receivedLsn)) {
			this.receivedLsn = from;
		}
	}

	/**
	 * The container starts.
	 * @param confirmed the slot's confirmed position
	 * @param serverWalEnd the server's current WAL position, or {@code null}
	 */
	void starting(Lsn confirmed, Lsn serverWalEnd) {
		if (confirmed.isAfter(this.receivedLsn)) {
			this.receivedLsn = confirmed;
		}
		if (serverWalEnd != null) {
			this.serverWalEnd = serverWalEnd;
		}
	}

	void notStreaming() {
		this.streamingSince = null;
	}

	void connectionFailed(StreamStatus status, String error) {
		status(status);
		this.lastError = error;
		this.streamingSince = null;
	}

	void reconnected() {
		this.reconnects.increment();
	}

	/** The slot was created again after it was lost ({@code pglogrepl.slot.on-lost}). */
	void slotRecreated() {
		this.slotRecreations.increment();
	}

	/**
	 * @return how often the slot was created again after it was lost
	 */
	long slotRecreations() {
		return this.slotRecreations.sum();
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

	void deliveryFailed(StreamState.DeliveryFailure failure) {
		this.deliveryFailures.increment();
		this.deliveryFailure = failure;
		this.lastError = failure.error();
	}

	void deliveryRecovered() {
		this.deliveryFailure = null;
		this.lastError = null;
	}

	// ---------------------------------------------------------------- watchdog

	void problem(String problem) {
		this.problem = problem;
	}

	String problem() {
		return this.problem;
	}

	void slotRetention(ServerCatalog.SlotRetention slotRetention) {
		this.slotRetention = slotRetention;
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
		StreamStatus current = this.status;
		Instant since = this.statusSince;
		StreamState.DeliveryFailure failure = this.deliveryFailure;
		if (failure != null && (current == StreamStatus.STREAMING || current == StreamStatus.CONNECTING
				|| current == StreamStatus.RECONNECTING)) {
			// the connection comes and goes with each retry; what matters is that delivery is blocked
			current = StreamStatus.RETRYING;
			since = failure.since();
		}
		return new StreamState(this.streamName, current, since, this.slotName, this.receivedLsn, flushed, walEnd,
				lagBytes, lagSeconds, messages, this.transactions.sum(), this.reconnects.sum(),
				this.deliveryFailures.sum(), this.lastError, this.streamingSince, this.problem, failure,
				this.slotRetention);
	}

}
