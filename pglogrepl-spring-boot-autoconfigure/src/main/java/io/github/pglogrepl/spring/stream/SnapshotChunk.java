package io.github.pglogrepl.spring.stream;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.github.pglogrepl.pgoutput.TupleData;

/**
 * One chunk of a table's snapshot, from its low watermark to its high one. The reading thread registers it,
 * writes the low watermark, reads the rows ({@link #filled}) and writes the high watermark; the dispatch thread
 * opens the window at the low watermark, collects the keys the stream changes inside it, and at the high
 * watermark delivers the rows that no change in the window touched, then completes the chunk.
 */
final class SnapshotChunk {

	/** How a chunk ended. */
	enum Outcome {

		/** Its rows were delivered. */
		DELIVERED,

		/** It must be read again (the window could not be trusted: a reconnect, an invisible transaction...). */
		RETRY,

		/** Given up: the snapshot was cancelled or the stream stops. */
		ABANDONED

	}

	final long id;

	final TableSnapshot table;

	/** {@code C} for a cancellation marker, {@code H} for a chunk of rows. */
	final char kind;

	private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

	private volatile ChunkReader.Result result;

	// dispatch thread only

	boolean open;

	long ringMark;

	boolean truncated;

	final Set<List<Object>> changedKeys = new HashSet<>();

	/** Rows delivered (set before the outcome completes). */
	volatile int delivered;

	private final String slot;

	private final String run;

	SnapshotChunk(long id, TableSnapshot table, char kind, String slot, String run) {
		this.id = id;
		this.table = table;
		this.kind = kind;
		this.slot = slot;
		this.run = run;
	}

	/**
	 * @param watermarkKind {@code L}, {@code H} or {@code C}
	 * @return this chunk's watermark of that kind
	 */
	Watermark watermark(char watermarkKind) {
		return new Watermark(watermarkKind, this.slot, this.run, this.id);
	}

	void filled(ChunkReader.Result result) {
		this.result = result;
	}

	ChunkReader.Result result() {
		return this.result;
	}

	List<TupleData> rows() {
		ChunkReader.Result r = this.result;
		return (r != null) ? r.rows() : null;
	}

	void finish(Outcome value) {
		this.outcome.complete(value);
	}

	boolean isFinished() {
		return this.outcome.isDone();
	}

	CompletableFuture<Outcome> outcome() {
		return this.outcome;
	}

}
