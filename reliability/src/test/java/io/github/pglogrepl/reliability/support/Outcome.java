package io.github.pglogrepl.reliability.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * What reached the listener compared with what was committed.
 *
 * @param written committed rows (taken from the table)
 * @param delivered committed rows delivered at least once
 * @param lost committed rows never delivered
 * @param duplicates deliveries of committed rows beyond the first
 * @param lostSample some lost ids, for the failure message
 */
public record Outcome(long written, long delivered, long lost, long duplicates, List<Long> lostSample) {

	/**
	 * @param committed ids of committed rows
	 * @param deliveries what was delivered
	 * @return the comparison
	 */
	public static Outcome of(Collection<Long> committed, Deliveries deliveries) {
		deliveries.refresh();
		long delivered = 0;
		long duplicates = 0;
		List<Long> lost = new ArrayList<>();
		for (long id : new TreeSet<>(committed)) {
			int count = deliveries.count(id);
			if (count == 0) {
				lost.add(id);
			}
			else {
				delivered++;
				duplicates += count - 1;
			}
		}
		return new Outcome(committed.size(), delivered, lost.size(), duplicates, lost.subList(0, Math.min(20, lost.size())));
	}

	/**
	 * Waits until every committed row was delivered, or the timeout passed.
	 * @param committed supplies the committed ids (queried from the table)
	 * @param deliveries what was delivered
	 * @param timeout how long at most
	 * @return the final comparison (lost may be above 0 after the timeout)
	 */
	public static Outcome awaitAll(Supplier<Set<Long>> committed, Deliveries deliveries, Duration timeout) {
		Set<Long> ids = committed.get();
		long deadline = System.nanoTime() + timeout.toNanos();
		Outcome outcome = of(ids, deliveries);
		while (outcome.lost() > 0 && System.nanoTime() < deadline) {
			Soak.sleep(100);
			outcome = of(ids, deliveries);
		}
		return outcome;
	}

	@Override
	public String toString() {
		return "written " + this.written + ", delivered " + this.delivered + ", lost " + this.lost
				+ ((this.lost > 0) ? " (e.g. " + this.lostSample + ")" : "") + ", duplicates " + this.duplicates;
	}

	/**
	 * @param committed committed ids
	 * @param deliveries deliveries
	 * @return delivered ids that were never committed (e.g. streamed rows of an aborted transaction)
	 */
	public static Set<Long> uncommittedDelivered(Set<Long> committed, Deliveries deliveries) {
		Set<Long> result = new TreeSet<>(deliveries.refresh().ids());
		result.removeAll(committed);
		return result;
	}

}
