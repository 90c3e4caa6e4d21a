package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

import io.github.pglogrepl.Lsn;

/**
 * What the reader does after a connection failed, and what it tells operators: the status (standby,
 * reconnecting, blocked), the delay from the reconnect {@link BackOff}, and the log lines — a WARN per failed
 * attempt, an INFO when standing by and when streaming (again), an ERROR with the ways out when only an
 * operator can help (repeated at most every {@link #OPERATOR_REMINDER}). The backoff starts over after a
 * connection that worked, except after a failure that needs an operator, which must not turn into a tight loop.
 * I/O thread only.
 */
final class ReconnectPolicy {

	private static final Log logger = LogFactory.getLog(ReconnectPolicy.class);

	/** How often a failure that needs an operator is logged again at ERROR while it lasts. */
	static final Duration OPERATOR_REMINDER = Duration.ofMinutes(5);

	private final BackOff backOff;

	private final String slot;

	private final List<String> publications;

	private final StreamMonitor monitor;

	private BackOffExecution execution;

	/** {@link System#nanoTime()} of the first failure in a row, or 0. */
	private long failingSince;

	private int attempts;

	private ConnectionFailure.Kind lastKind;

	/** Where the stream was blocked (failures that need an operator), if the server said. */
	private Lsn blockedAt;

	private long lastOperatorLog;

	ReconnectPolicy(BackOff backOff, String slot, List<String> publications, StreamMonitor monitor) {
		this.backOff = backOff;
		this.slot = slot;
		this.publications = List.copyOf(publications);
		this.monitor = monitor;
		this.execution = backOff.start();
	}

	/**
	 * A connection started streaming: logged at INFO, with how long the stream was down if it follows failures.
	 * @param from the position it streams from
	 */
	void streaming(Lsn from) {
		this.monitor.streaming(from);
		String streaming = "Streaming slot '" + this.slot + "' (publications " + this.publications + ") from " + from;
		if (this.lastKind != null && this.lastKind.needsOperator()) {
			// still blocked until data flows (see dataReceived): no INFO line per attempt
			logger.debug(streaming);
			return;
		}
		if (this.failingSince != 0) {
			logger.info(String.format("Replication stream of slot '%s' reconnected after %.1f s (%d attempt%s)", this.slot,
					(System.nanoTime() - this.failingSince) / 1e9, this.attempts, (this.attempts == 1) ? "" : "s"));
			reset();
		}
		logger.info(streaming);
	}

	/**
	 * @return whether the stream is blocked by a failure that needs an operator
	 */
	boolean isBlocked() {
		return this.lastKind != null && this.lastKind.needsOperator();
	}

	/**
	 * A transaction's end arrived: if it lies past where the stream was blocked, it no longer is.
	 * @param transactionEnd the transaction's end LSN
	 */
	void transactionReceived(Lsn transactionEnd) {
		if (isBlocked() && (this.blockedAt == null || transactionEnd.isAfter(this.blockedAt))) {
			logger.info(String.format("Replication stream of slot '%s' is no longer blocked: streaming again after %.1f s "
					+ "(%d attempt%s)", this.slot, (System.nanoTime() - this.failingSince) / 1e9, this.attempts,
					(this.attempts == 1) ? "" : "s"));
			reset();
		}
	}

	/**
	 * A connection failed.
	 * @param failure the classified failure
	 * @param worked whether the connection was streaming before it failed
	 * @param confirmed the acknowledged position (for the operator's message)
	 * @return the delay before the next attempt, or {@link BackOffExecution#STOP} to give up
	 */
	long failed(ConnectionFailure failure, boolean worked, Lsn confirmed) {
		ConnectionFailure.Kind kind = failure.kind();
		if (worked && !kind.needsOperator()) {
			// the connection worked before it failed: start the backoff over
			this.execution = this.backOff.start();
		}
		if (this.failingSince == 0) {
			this.failingSince = System.nanoTime();
		}
		this.attempts++;
		long delay = this.execution.nextBackOff();
		if (kind == ConnectionFailure.Kind.SLOT_IN_USE) {
			this.monitor.connectionFailed(StreamStatus.STANDBY, failure.message());
			if (this.lastKind != kind) {
				logger.info("Slot '" + this.slot + "' is in use by another connection; standing by (" + failure.message()
						+ ")");
			}
		}
		else if (kind.needsOperator()) {
			this.blockedAt = failure.blockedAt();
			String explanation = failure.explain(this.slot, confirmed);
			this.monitor.connectionFailed(StreamStatus.BLOCKED, explanation);
			long now = System.nanoTime();
			if (this.lastKind != kind || now - this.lastOperatorLog >= OPERATOR_REMINDER.toNanos()) {
				logger.error(explanation + ((this.lastKind == kind)
						? " (still blocked after " + this.attempts + " attempts; retrying every " + delay + " ms)"
						: " (retrying every " + delay + " ms at most, in case an operator resolves it)"));
				this.lastOperatorLog = now;
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Slot '" + this.slot + "' still blocked (attempt " + this.attempts + "): " + failure.message());
			}
		}
		else {
			this.monitor.connectionFailed(StreamStatus.RECONNECTING, failure.message());
			if (delay != BackOffExecution.STOP) {
				logger.warn("Replication stream of slot '" + this.slot + "' failed, reconnecting in " + delay + " ms: "
						+ failure.message());
			}
		}
		this.lastKind = kind;
		if (delay == BackOffExecution.STOP) {
			logger.error("Replication stream of slot '" + this.slot + "' gave up reconnecting after " + this.attempts
					+ " attempts (the reconnect backoff ran out): " + failure.message());
		}
		return delay;
	}

	/** A connection ended without a failure (a redelivery after a listener failure): the backoff starts over. */
	void ended() {
		this.execution = this.backOff.start();
		reset();
	}

	private void reset() {
		this.failingSince = 0;
		this.attempts = 0;
		this.lastKind = null;
		this.blockedAt = null;
	}

}
