package io.github.pglogrepl.spring.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-over from the reader (I/O thread) to the dispatcher (dispatch thread). It holds batches of
 * received messages, so a thread wakes up once per batch rather than per message, and a marker for each new
 * connection, after which the dispatcher starts over (the server sends again from its confirmed position).
 * Every entry put on the queue counts as in flight in the {@link Acknowledger} until the dispatcher finished
 * it (or the reader dropped it), which is what keeps the idle advance of the flushed position safe.
 */
final class DispatchQueue {

	/** Most messages in one batch. */
	static final int BATCH_SIZE = 256;

	/** An entry of the queue. */
	sealed interface Entry permits Batch, NewConnection {
	}

	/**
	 * Messages in stream order.
	 *
	 * @param messages the messages
	 */
	record Batch(List<Received> messages) implements Entry {
	}

	/** A new connection starts: what follows is sent again from the server's confirmed position. */
	record NewConnection() implements Entry {
	}

	private final BlockingQueue<Entry> queue;

	private final Acknowledger acknowledger;

	/**
	 * @param capacity how many messages may wait (rounded up to whole batches, at least two)
	 * @param acknowledger counts the entries in flight
	 */
	DispatchQueue(int capacity, Acknowledger acknowledger) {
		this.queue = new ArrayBlockingQueue<>(Math.max(2, (capacity + BATCH_SIZE - 1) / BATCH_SIZE));
		this.acknowledger = acknowledger;
	}

	/**
	 * Reader: puts an entry on the queue, waiting up to {@code timeoutMillis} for room.
	 * @param entry the entry
	 * @param timeoutMillis how long to wait
	 * @return whether it was put
	 */
	boolean offer(Entry entry, long timeoutMillis) {
		// counted before it becomes visible, so the dispatcher can never finish it first
		this.acknowledger.handedOver();
		try {
			if (this.queue.offer(entry, timeoutMillis, TimeUnit.MILLISECONDS)) {
				return true;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.acknowledger.finished(1);
		return false;
	}

	/**
	 * Dispatch thread: takes the next entry, waiting up to {@code timeoutMillis}. The caller must call
	 * {@link #finished()} when done with it.
	 * @param timeoutMillis how long to wait
	 * @return the entry, or {@code null}
	 * @throws InterruptedException if interrupted while waiting
	 */
	Entry poll(long timeoutMillis) throws InterruptedException {
		return this.queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
	}

	/** Dispatch thread: done with the entry taken last. */
	void finished() {
		this.acknowledger.finished(1);
	}

	/**
	 * @return whether nothing waits for the dispatcher
	 */
	boolean isEmpty() {
		return this.queue.isEmpty();
	}

	/** Reader: drops what waits (a connection failed; the server will send it again). */
	void clear() {
		List<Entry> dropped = new ArrayList<>();
		this.queue.drainTo(dropped);
		if (!dropped.isEmpty()) {
			this.acknowledger.finished(dropped.size());
		}
	}

}
