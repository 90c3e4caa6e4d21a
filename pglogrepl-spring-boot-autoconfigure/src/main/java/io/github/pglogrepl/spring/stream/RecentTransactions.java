package io.github.pglogrepl.spring.stream;

/**
 * The ids of the last transactions delivered (dispatch thread only), numbered in delivery order, so that a
 * snapshot chunk can check that no transaction delivered before its low watermark was invisible to its read.
 * A transaction is normally visible to every read that starts after its commit record was streamed; the
 * exception is one still finishing its commit (waiting for the WAL flush or a synchronous standby) while the
 * read takes its snapshot. Holds {@value #CAPACITY} transactions: one delivered more than that many
 * transactions before the low watermark and still invisible to the read is not detected.
 */
final class RecentTransactions {

	static final int CAPACITY = 65_536;

	private final int[] xids = new int[CAPACITY];

	private long count;

	/**
	 * @param xid a delivered transaction's id
	 */
	void delivered(int xid) {
		this.xids[(int) (this.count % CAPACITY)] = xid;
		this.count++;
	}

	/**
	 * @return the number of the next transaction to be delivered
	 */
	long mark() {
		return this.count;
	}

	/**
	 * @param before a {@link #mark()}
	 * @param visibility what a read could see
	 * @return whether a transaction delivered before the mark (among those remembered) was invisible to the read
	 */
	boolean anyInvisibleBefore(long before, SnapshotVisibility visibility) {
		long from = Math.max(0, this.count - CAPACITY);
		for (long n = Math.min(before, this.count) - 1; n >= from; n--) {
			if (visibility.isInvisible(this.xids[(int) (n % CAPACITY)])) {
				return true;
			}
		}
		return false;
	}

}
