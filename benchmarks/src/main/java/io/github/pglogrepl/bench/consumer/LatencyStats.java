package io.github.pglogrepl.bench.consumer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Percentiles of per-row latencies (microseconds) of the rows committed from a point in time on, and the bursts
 * of slow rows (over 20 ms, less than 200 ms apart by commit time).
 */
final class LatencyStats {

	private LatencyStats() {
	}

	/**
	 * @param commitMicros commit time of each row (epoch microseconds)
	 * @param latencyMicros its latency
	 * @param n how many rows
	 * @param measureFromMicros rows committed before are not counted (warm-up)
	 * @return {@code lat_*} key/value pairs for the harness
	 */
	static List<Object> of(long[] commitMicros, long[] latencyMicros, int n, long measureFromMicros) {
		long[] selected = new long[n];
		int count = 0;
		for (int i = 0; i < n; i++) {
			if (commitMicros[i] >= measureFromMicros) {
				selected[count++] = latencyMicros[i];
			}
		}
		long[] sorted = Arrays.copyOf(selected, count);
		Arrays.sort(sorted);
		double sum = 0;
		long over10 = 0;
		long over20 = 0;
		for (long v : sorted) {
			sum += v;
			over10 += (v > 10_000) ? 1 : 0;
			over20 += (v > 20_000) ? 1 : 0;
		}
		StringBuilder stalls = new StringBuilder();
		int bursts = 0;
		long burstStart = 0;
		long burstLast = 0;
		long burstMax = 0;
		for (int i = 0; i <= n; i++) {
			boolean slow = i < n && commitMicros[i] >= measureFromMicros && latencyMicros[i] > 20_000;
			if (slow && burstLast != 0 && commitMicros[i] - burstLast <= 200_000) {
				burstLast = commitMicros[i];
				burstMax = Math.max(burstMax, latencyMicros[i]);
				continue;
			}
			if (burstLast != 0 && (slow || i == n)) {
				bursts++;
				if (bursts <= 12) {
					stalls.append((bursts == 1) ? "" : ",")
						.append(String.format(Locale.ROOT, "%.1fs+%dms:%dms", (burstStart - measureFromMicros) / 1e6,
								(burstLast - burstStart) / 1000, burstMax / 1000));
				}
				burstLast = 0;
			}
			if (slow) {
				burstStart = commitMicros[i];
				burstLast = commitMicros[i];
				burstMax = latencyMicros[i];
			}
		}
		return List.<Object>of("lat_count", count, "lat_p50_us", percentile(sorted, 50), "lat_p90_us",
				percentile(sorted, 90), "lat_p99_us", percentile(sorted, 99), "lat_p999_us", percentile(sorted, 99.9),
				"lat_max_us", (count > 0) ? sorted[count - 1] : 0, "lat_mean_us",
				(count > 0) ? Math.round(sum / count) : 0, "lat_over_10ms", over10, "lat_over_20ms", over20,
				"lat_bursts", bursts, "lat_stalls", (stalls.length() == 0) ? "none" : stalls.toString());
	}

	static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

}
