package io.github.pglogrepl.spring.stream;

import java.util.HashSet;
import java.util.Set;

/**
 * Which transactions a snapshot chunk's read could see: the transaction snapshot of the read-only transaction
 * that read it, as {@code pg_current_snapshot()} gives it ({@code xmin:xmax:xip,...}). Used to find a
 * transaction that was delivered before the chunk's low watermark yet was invisible to the read — its commit
 * record was written before the watermark, but it had not finished committing when the read began.
 */
final class SnapshotVisibility {

	private final int xmin;

	private final int xmax;

	private final Set<Integer> inProgress;

	private SnapshotVisibility(int xmin, int xmax, Set<Integer> inProgress) {
		this.xmin = xmin;
		this.xmax = xmax;
		this.inProgress = inProgress;
	}

	/**
	 * @param text {@code pg_current_snapshot()} as text, e.g. {@code 740:745:741,743}
	 * @return the snapshot
	 */
	static SnapshotVisibility parse(String text) {
		String[] parts = text.split(":", -1);
		if (parts.length != 3) {
			throw new IllegalArgumentException("Unexpected snapshot '" + text + "'");
		}
		Set<Integer> xip = new HashSet<>();
		if (!parts[2].isEmpty()) {
			for (String xid : parts[2].split(",")) {
				xip.add(low32(xid));
			}
		}
		return new SnapshotVisibility(low32(parts[0]), low32(parts[1]), xip);
	}

	/** xid8 as text → the 32-bit xid pgoutput sends. */
	private static int low32(String xid8) {
		return (int) Long.parseUnsignedLong(xid8.trim());
	}

	/**
	 * @param xid a 32-bit transaction id from a Begin message
	 * @return whether a transaction that committed with this id was not visible to the read
	 */
	boolean isInvisible(int xid) {
		if (xid - this.xmin < 0) {
			return false;
		}
		return xid - this.xmax >= 0 || this.inProgress.contains(xid);
	}

}
