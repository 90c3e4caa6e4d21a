package io.github.pglogrepl.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one consumer run measured. Times are {@link System#nanoTime()} values (one clock for all processes).
 */
final class RunResult {

	String workload;

	ConsumerKind kind;

	String variant = "";

	int run;

	boolean ok;

	String error;

	long rows;

	long spawn;

	/** the consumer's main method was entered (JVM started) */
	long main;

	/** the slot became active (START_REPLICATION), as seen by polling pg_replication_slots */
	long active;

	long first;

	long last;

	long exit;

	long cpuTicks;

	long peakRssKb;

	/** consumer CPU ticks between the first and the last row (sampled, see ConsumerProcess) */
	long streamCpuTicks = -1;

	long walsenderCpuTicks = -1;

	long walsenderPeakRssKb = -1;

	long bytesWritten = -1;

	/** client backends of the consumer (snapshot workloads): how many, their CPU, bytes read from storage */
	int backendCount;

	long backendCpuTicks = -1;

	long backendReadBytes = -1;

	/** share of all the machine's cores busy (and in iowait) between the first and last row, NaN if unknown */
	double machineBusy = Double.NaN;

	double machineIowait = Double.NaN;

	final Map<String, String> slotStats = new LinkedHashMap<>();

	final Map<String, String> extra = new LinkedHashMap<>();

	double seconds(long from, long to) {
		return (from == 0 || to == 0) ? Double.NaN : (to - from) / 1e9;
	}

	/** @return first row to last row, seconds */
	double firstToLast() {
		return seconds(this.first, this.last);
	}

	/** @return slot active (replication started) to last row, seconds */
	double catchUp() {
		return seconds(this.active, this.last);
	}

	/** @return process start to process end, seconds */
	double wall() {
		return seconds(this.spawn, this.exit);
	}

	double jvmStart() {
		return seconds(this.spawn, this.main);
	}

	double rowsPerSecond() {
		double s = firstToLast();
		return (s > 0) ? this.rows / s : Double.NaN;
	}

	double cpuSeconds() {
		return this.cpuTicks / (double) ProcFs.CLOCK_TICKS;
	}

	double streamCpuSeconds() {
		return (this.streamCpuTicks < 0) ? Double.NaN : this.streamCpuTicks / (double) ProcFs.CLOCK_TICKS;
	}

	/** @return consumer CPU seconds between the first and last row per million rows */
	double streamCpuPerMillionRows() {
		return (this.rows > 0) ? streamCpuSeconds() / (this.rows / 1e6) : Double.NaN;
	}

	double walsenderCpuSeconds() {
		return (this.walsenderCpuTicks < 0) ? Double.NaN : this.walsenderCpuTicks / (double) ProcFs.CLOCK_TICKS;
	}

	double cpuPerMillionRows() {
		return (this.rows > 0) ? cpuSeconds() / (this.rows / 1e6) : Double.NaN;
	}

	double backendCpuSeconds() {
		return (this.backendCpuTicks < 0) ? Double.NaN : this.backendCpuTicks / (double) ProcFs.CLOCK_TICKS;
	}

	double peakRssMb() {
		return this.peakRssKb / 1024.0;
	}

	/** @return the JVM's committed heap after the last row (MB), NaN for pg_recvlogical */
	double heapCommittedMb() {
		String kb = this.extra.get("heap_committed_kb");
		return (kb != null) ? Long.parseLong(kb) / 1024.0 : Double.NaN;
	}


	String label() {
		return this.kind.label + (this.variant.isEmpty() ? "" : " " + this.variant);
	}

}
