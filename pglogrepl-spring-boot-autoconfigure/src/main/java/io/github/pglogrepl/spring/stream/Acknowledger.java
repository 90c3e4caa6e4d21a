package io.github.pglogrepl.spring.stream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.github.pglogrepl.Lsn;

/**
 * The one place where the flushed position moves: the LSN reported to the server as processed, which the slot
 * confirms and after which the server never sends a change again.
 *
 * <p>It moves in three ways, each never beyond what was delivered:
 * <ul>
 * <li>{@link #delivered(Lsn)}: the dispatch thread reports a transaction's end after all its listeners
 * returned; in {@link AckMode#AUTO} that acknowledges it at once.</li>
 * <li>{@link #acknowledge(Lsn)}: the application acknowledges ({@link AckMode#MANUAL}; any thread).</li>
 * <li>{@link #advanceIdle(Lsn, boolean)}: the reader (I/O thread) moves an idle stream to a keepalive's WAL end,
 * so the server can recycle WAL while the published tables see no change. This is safe only when nothing
 * received can still be delivered: see that method for the rule.</li>
 * </ul>
 *
 * <p>To decide the last case it also counts the hand-overs in flight: batches the reader handed to the
 * dispatcher and the dispatcher has not finished ({@link #handedOver()} / {@link #finished()}), and whether a
 * delivery was cut short and waits for its redelivery ({@link #deliveryInterrupted()}, cleared when the next connection
 * starts, {@link #restart(Lsn)}).
 */
final class Acknowledger implements Acknowledgement {

	/** Read when used: a container's customizers (the Kafka relay's) set the mode after it was created. */
	private final Supplier<AckMode> mode;

	private final AtomicReference<Lsn> flushed;

	private volatile Lsn delivered;

	private final AtomicLong inFlight = new AtomicLong();

	private volatile boolean redeliveryPending;

	Acknowledger(AckMode mode, Lsn start) {
		this(() -> mode, start);
	}

	Acknowledger(Supplier<AckMode> mode, Lsn start) {
		this.mode = mode;
		this.flushed = new AtomicReference<>(start);
		this.delivered = start;
	}

	/**
	 * Dispatch thread: every listener of the events up to a transaction's end returned.
	 * @param transactionEnd the transaction's end LSN
	 */
	void delivered(Lsn transactionEnd) {
		if (transactionEnd.isAfter(this.delivered)) {
			this.delivered = transactionEnd;
		}
		if (this.mode.get() == AckMode.AUTO) {
			advance(transactionEnd);
		}
	}

	@Override
	public void acknowledge(Lsn lsn) {
		if (lsn.isAfter(this.delivered)) {
			throw new IllegalArgumentException(
					"Cannot acknowledge " + lsn + ": only transactions up to " + this.delivered + " were delivered");
		}
		advance(lsn);
	}

	/** Reader: a batch was put on the dispatch queue. */
	void handedOver() {
		this.inFlight.incrementAndGet();
	}

	/**
	 * Dispatch thread (or the reader dropping queued batches): a batch is done with. After a failed delivery,
	 * {@link #deliveryInterrupted()} is called before this, so that the reader sees the failure no later than the
	 * end of the batch.
	 * @param batches how many batches
	 */
	void finished(int batches) {
		this.inFlight.addAndGet(-batches);
	}

	/**
	 * Delivery was cut short: a listener failed and the transaction will be delivered again on a new
	 * connection (dispatch thread), or the stream stops and the dispatcher gives up what it holds (the
	 * stopping thread, before the dispatcher can see the stop). Until the next connection starts, the idle
	 * advance must not skip what was given up.
	 */
	void deliveryInterrupted() {
		this.redeliveryPending = true;
	}

	/**
	 * Reader, on a keepalive: moves the flushed position to the server's WAL end when nothing received can
	 * still be delivered. The server sends messages in WAL order, so a keepalive's WAL end covers only
	 * transactions whose messages came before it; those are all done with when
	 * <ol>
	 * <li>the reader holds none of them (not building a batch, not inside a transaction),</li>
	 * <li>no batch is on the queue or in the listeners, and</li>
	 * <li>no delivery failed that waits for redelivery (its batch was given up, so it is no longer in flight,
	 * but its transaction was not delivered).</li>
	 * </ol>
	 * The in-flight count is read before the failure flag: the dispatcher sets the flag before it finishes the
	 * failed batch, so a failure is never missed. In {@link AckMode#MANUAL} the position moves only when the
	 * application has acknowledged everything delivered.
	 * @param serverWalEnd the keepalive's WAL end
	 * @param readerHoldsMessages whether the reader has received messages it did not hand over yet, or is
	 * inside a transaction
	 * @return whether the flushed position moved
	 */
	boolean advanceIdle(Lsn serverWalEnd, boolean readerHoldsMessages) {
		if (readerHoldsMessages || this.inFlight.get() != 0 || this.redeliveryPending) {
			return false;
		}
		if (this.mode.get() == AckMode.MANUAL && !this.flushed.get().equals(this.delivered)) {
			return false;
		}
		if (serverWalEnd.isAfter(this.delivered)) {
			this.delivered = serverWalEnd;
		}
		return advance(serverWalEnd);
	}

	private boolean advance(Lsn lsn) {
		Lsn previous = this.flushed.getAndAccumulate(lsn, Lsn::max);
		return lsn.isAfter(previous);
	}

	/**
	 * Reader: a new connection starts streaming from the server's confirmed position (or, at startup, the
	 * slot's). A failed delivery is redelivered from here, so the idle advance may resume.
	 * @param confirmed the server's confirmed position, or {@link Lsn#INVALID} if unknown
	 */
	void restart(Lsn confirmed) {
		this.flushed.accumulateAndGet(confirmed, Lsn::max);
		this.delivered = Lsn.max(this.flushed.get(), this.delivered);
		this.redeliveryPending = false;
	}

	@Override
	public Lsn acknowledged() {
		return this.flushed.get();
	}

	/**
	 * @return the position to report to the server as flushed
	 */
	Lsn flushed() {
		return this.flushed.get();
	}

	/**
	 * @return the end of the last delivered transaction (or idle position)
	 */
	Lsn delivered() {
		return this.delivered;
	}

	/**
	 * @return whether batches are on the queue or in the listeners
	 */
	boolean hasInFlight() {
		return this.inFlight.get() != 0;
	}

}
