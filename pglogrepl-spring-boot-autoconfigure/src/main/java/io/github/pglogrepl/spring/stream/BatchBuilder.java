package io.github.pglogrepl.spring.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The reader's side of the hand-over: collects received messages into batches and puts them on the
 * {@link DispatchQueue}, so that the dispatch thread wakes up once per batch rather than per message. A batch
 * is sealed when it is full ({@link DispatchQueue#BATCH_SIZE}), when nothing more arrived at once, or — while
 * the dispatcher is idle — once its first message waited {@link #HANDOFF_NANOS}: a latency cost well under a
 * millisecond. A sealed batch that finds no room waits here (the reader then stops reading: back-pressure).
 * I/O thread only; one per connection.
 */
final class BatchBuilder {

	/** While the dispatcher is idle, how long the first message of a batch may wait for more. */
	static final long HANDOFF_NANOS = 200_000L;

	private final DispatchQueue queue;

	private List<Received> building = new ArrayList<>(DispatchQueue.BATCH_SIZE);

	private long buildingSince;

	/** A sealed batch waiting for room on the queue, or {@code null}. */
	private List<Received> sealed;

	BatchBuilder(DispatchQueue queue) {
		this.queue = queue;
	}

	/**
	 * Adds a message, sealing the batch when it is full or has waited long enough for an idle dispatcher.
	 * @param received the message
	 * @param now {@link System#nanoTime()} of its arrival
	 */
	void add(Received received, long now) {
		if (this.building.isEmpty()) {
			this.buildingSince = now;
		}
		this.building.add(received);
		if (this.building.size() >= DispatchQueue.BATCH_SIZE
				|| (this.queue.isEmpty() && now - this.buildingSince >= HANDOFF_NANOS)) {
			seal();
		}
	}

	/**
	 * Adds a message without considering a hand-over (keepalives: they wait for the next change or pause).
	 * @param received the message
	 */
	void append(Received received) {
		this.building.add(received);
	}

	/** Seals the batch being built (nothing more arrived at once). */
	void seal() {
		if (!this.building.isEmpty()) {
			this.sealed = this.building;
			this.building = new ArrayList<>(DispatchQueue.BATCH_SIZE);
		}
	}

	/**
	 * @return whether a sealed batch waits for room on the queue (back-pressure: the reader pauses reading)
	 */
	boolean isWaitingForRoom() {
		return this.sealed != null;
	}

	/**
	 * @return whether messages are being collected (not sealed yet)
	 */
	boolean isBuilding() {
		return !this.building.isEmpty();
	}

	/**
	 * @return whether this holds any message not yet handed over
	 */
	boolean holdsMessages() {
		return this.sealed != null || !this.building.isEmpty();
	}

	/**
	 * Tries to hand the sealed batch over, waiting up to 50 ms for room.
	 * @return whether it was handed over
	 */
	boolean handOver() {
		if (this.sealed != null && this.queue.offer(new DispatchQueue.Batch(this.sealed), 50)) {
			this.sealed = null;
		}
		return this.sealed == null;
	}

}
