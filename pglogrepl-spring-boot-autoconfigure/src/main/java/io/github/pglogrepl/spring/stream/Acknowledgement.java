package io.github.pglogrepl.spring.stream;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.CommitEvent;

/**
 * Acknowledges processed transactions in {@code pglogrepl.ack-mode=manual}. Inject it where the application
 * knows a transaction's changes are durably handled. An acknowledged position is reported to the server
 * with the next status update; the server will not send those transactions again. Thread-safe: call it from a
 * listener (the dispatch thread) or from any other thread, e.g. after an asynchronous write completed.
 */
public interface Acknowledgement {

	/**
	 * Acknowledges everything up to a transaction's end.
	 * @param commit the transaction's commit event
	 */
	default void acknowledge(CommitEvent commit) {
		acknowledge(commit.endLsn());
	}

	/**
	 * Acknowledges everything up to {@code lsn}.
	 * @param lsn a position no later than the end of the last delivered transaction
	 * @throws IllegalArgumentException if {@code lsn} is beyond what was delivered
	 */
	void acknowledge(Lsn lsn);

	/**
	 * @return the position acknowledged so far (what the server will be told is flushed)
	 */
	Lsn acknowledged();

}
