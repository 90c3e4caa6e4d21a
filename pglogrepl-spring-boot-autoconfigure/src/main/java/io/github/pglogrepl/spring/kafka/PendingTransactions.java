package io.github.pglogrepl.spring.kafka;

import java.util.ArrayDeque;
import java.util.Deque;

import io.github.pglogrepl.Lsn;

/**
 * The transactions of one stream whose records were sent and not all acknowledged by the broker yet, in commit
 * order: the one place that decides how far the slot may be acknowledged. A transaction is done when it committed
 * (its {@code CommitEvent} was seen) and the broker acknowledged each of its records; the position to acknowledge
 * is the end of the last done transaction before the first one that is not ({@link #acknowledgeable()}), so a
 * transaction is never acknowledged before every earlier one is on the broker. A failed send keeps its transaction
 * from ever being done: the stream is then delivered again from the last acknowledged position into a new instance
 * ({@link #abandon()} makes late callbacks of the old one harmless). Thread-safe: sends and commits come from the
 * dispatch thread, completions from the producer's I/O thread.
 */
final class PendingTransactions {

	/** One transaction's sends. */
	static final class Transaction {

		/** Its end LSN once committed. */
		Lsn end;

		/** Sends not completed yet. */
		int outstanding;

		boolean failed;

	}

	private final Deque<Transaction> transactions = new ArrayDeque<>();

	private boolean abandoned;

	/**
	 * @return the open transaction (the one records are sent for now), started if none is open
	 */
	synchronized Transaction open() {
		Transaction last = this.transactions.peekLast();
		if (last == null || last.end != null) {
			last = new Transaction();
			this.transactions.addLast(last);
		}
		return last;
	}

	/**
	 * A record of the open transaction is being sent.
	 * @return its transaction, for {@link #completed}
	 */
	synchronized Transaction sending() {
		Transaction transaction = open();
		transaction.outstanding++;
		return transaction;
	}

	/**
	 * The broker acknowledged a record, or its send failed.
	 * @param transaction the record's transaction
	 * @param failure the failure, or {@code null}
	 */
	synchronized void completed(Transaction transaction, Throwable failure) {
		transaction.outstanding--;
		if (failure != null) {
			transaction.failed = true;
		}
	}

	/**
	 * The open transaction committed (a transaction without records is opened and committed at once).
	 * @param end its end LSN
	 */
	synchronized void committed(Lsn end) {
		open().end = end;
	}

	/**
	 * Removes the done transactions at the head.
	 * @return the end of the last of them, or {@code null} if the first one is not done
	 */
	synchronized Lsn acknowledgeable() {
		if (this.abandoned) {
			return null;
		}
		Lsn end = null;
		Transaction head;
		while ((head = this.transactions.peekFirst()) != null && head.end != null && head.outstanding == 0
				&& !head.failed) {
			end = head.end;
			this.transactions.pollFirst();
		}
		return end;
	}

	/**
	 * @return committed transactions waiting for the broker
	 */
	synchronized int committedPending() {
		int count = 0;
		for (Transaction transaction : this.transactions) {
			if (transaction.end != null) {
				count++;
			}
		}
		return count;
	}

	/** The stream is delivered again: nothing of this instance is acknowledged any more. */
	synchronized void abandon() {
		this.abandoned = true;
		this.transactions.clear();
	}

}
