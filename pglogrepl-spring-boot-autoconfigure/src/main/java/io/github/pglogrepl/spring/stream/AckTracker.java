package io.github.pglogrepl.spring.stream;

import java.util.concurrent.atomic.AtomicReference;

import io.github.pglogrepl.Lsn;

/**
 * The one place where the flushed LSN advances. The dispatch thread reports delivered transactions; in
 * {@link AckMode#AUTO} a delivered transaction is acknowledged at once, in {@link AckMode#MANUAL} only by
 * {@link #acknowledge(Lsn)}. The I/O thread reads {@link #flushed()} for status updates and may advance an
 * idle stream to a keepalive's WAL end with {@link #advanceIdle(Lsn)}. Never beyond what was delivered.
 */
final class AckTracker implements Acknowledgement {

	private final AckMode mode;

	private final AtomicReference<Lsn> flushed;

	private volatile Lsn delivered;

	AckTracker(AckMode mode, Lsn start) {
		this.mode = mode;
		this.flushed = new AtomicReference<>(start);
		this.delivered = start;
	}

	/** Called by the dispatch thread after all listeners of a transaction end returned. */
	void delivered(Lsn transactionEnd) {
		if (transactionEnd.isAfter(this.delivered)) {
			this.delivered = transactionEnd;
		}
		if (this.mode == AckMode.AUTO) {
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

	/**
	 * Called by the I/O thread on a keepalive when nothing is in flight: WAL up to the server's end holds no
	 * change for this stream, so the slot may move on (lets the server recycle WAL).
	 * @param serverWalEnd the keepalive's WAL end
	 * @return whether the position advanced
	 */
	boolean advanceIdle(Lsn serverWalEnd) {
		if (this.mode == AckMode.MANUAL && !this.flushed.get().equals(this.delivered)) {
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

	/** Restarts from the server's confirmed position after a reconnect. */
	void reset(Lsn confirmed) {
		this.flushed.accumulateAndGet(confirmed, Lsn::max);
		this.delivered = Lsn.max(this.flushed.get(), this.delivered);
	}

	@Override
	public Lsn acknowledged() {
		return this.flushed.get();
	}

	Lsn flushed() {
		return this.flushed.get();
	}

	Lsn delivered() {
		return this.delivered;
	}

	AckMode mode() {
		return this.mode;
	}

}
