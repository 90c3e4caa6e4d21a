package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.time.Instant;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

import io.github.pglogrepl.Lsn;

/**
 * The retry state of listener failures (the counterpart of Spring Kafka's {@code FailedRecordTracker}): the
 * position where delivery failed, how many times in a row it failed there, since when, and the delay before
 * the next attempt from the listener retry backoff. A failure at another position, or a delivered transaction,
 * starts over. Kept across reconnects, since a retry is a reconnect. Dispatch thread only.
 */
final class DeliveryFailures {

	private final BackOff backOff;

	private BackOffExecution execution;

	private StreamState.DeliveryFailure current;

	/** The last delay, used again when the backoff has no more. */
	private long lastDelay = 1000;

	DeliveryFailures(BackOff backOff) {
		this.backOff = backOff;
	}

	/**
	 * Records a failure.
	 * @param position where delivery failed
	 * @param error what failed (for health and the endpoint)
	 * @return the failure, with the number of consecutive failures at that position (1 for a new one)
	 */
	StreamState.DeliveryFailure failed(Lsn position, String error) {
		StreamState.DeliveryFailure failure = this.current;
		if (failure == null || !failure.position().equals(position)) {
			this.execution = this.backOff.start();
			this.current = new StreamState.DeliveryFailure(position, 1, Instant.now(), error);
		}
		else {
			this.current = new StreamState.DeliveryFailure(position, failure.attempts() + 1, failure.since(), error);
		}
		return this.current;
	}

	/**
	 * @return the delay before delivering the failed transaction again; the backoff's last delay if it has no
	 * more (retries go on until the error handler decides otherwise)
	 */
	Duration nextDelay() {
		long millis = (this.execution != null) ? this.execution.nextBackOff() : BackOffExecution.STOP;
		if (millis == BackOffExecution.STOP) {
			millis = this.lastDelay;
		}
		this.lastDelay = millis;
		return Duration.ofMillis(Math.max(0, millis));
	}

	/**
	 * A transaction was delivered: the failure is over.
	 * @return whether there was one
	 */
	boolean delivered() {
		if (this.current == null) {
			return false;
		}
		this.current = null;
		this.execution = null;
		return true;
	}

}
