package io.github.pglogrepl.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads process figures from Linux's {@code /proc}: CPU time ({@code stat}: utime + stime, in clock ticks),
 * peak resident set size ({@code status}: VmHWM) and bytes written ({@code io}: wchar).
 */
final class ProcFs {

	/** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux x86_64). */
	static final long CLOCK_TICKS = clockTicks();

	private ProcFs() {
	}

	private static long clockTicks() {
		try {
			Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
			String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
			p.waitFor();
			return Long.parseLong(out);
		}
		catch (IOException | InterruptedException | NumberFormatException ex) {
			return 100;
		}
	}

	private static String read(String path) {
		try {
			return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * @param pid a process
	 * @return user + system CPU time in clock ticks (all threads, since the process started), or -1 if gone
	 */
	static long cpuTicks(long pid) {
		String stat = read("/proc/" + pid + "/stat");
		if (stat == null) {
			return -1;
		}
		// fields after the command name in parentheses: state is field 3, utime 14, stime 15
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		try {
			return Long.parseLong(f[11]) + Long.parseLong(f[12]);
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * CPU time of a process's threads over their lives, grouped by thread name (the kernel's 15-character
	 * {@code comm}; digits replaced by {@code *}, so a pool is one entry), largest first, and the process's user
	 * and system time.
	 * @param pid a process
	 * @param top how many groups to list
	 * @return e.g. {@code user 30.1 s, system 4.2 s; pglogrepl-dispa 20.3, GC Thread#* 3.1, ...}, or null if gone
	 */
	static String threadCpu(long pid, int top) {
		java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
		if (tasks == null) {
			return null;
		}
		java.util.Map<String, Long> byName = new java.util.HashMap<>();
		long user = 0;
		long system = 0;
		for (java.io.File task : tasks) {
			String stat = read(task.getPath() + "/stat");
			if (stat == null) {
				continue;
			}
			String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "*");
			String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			try {
				long u = Long.parseLong(f[11]);
				long sys = Long.parseLong(f[12]);
				user += u;
				system += sys;
				byName.merge(name, u + sys, Long::sum);
			}
			catch (RuntimeException ex) {
				// thread ended
			}
		}
		StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "user %.1f s, system %.1f s;",
				user / (double) CLOCK_TICKS, system / (double) CLOCK_TICKS));
		byName.entrySet()
			.stream()
			.sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(top)
			.forEach((e) -> sb.append(String.format(java.util.Locale.ROOT, " %s %.1f,", e.getKey(),
					e.getValue() / (double) CLOCK_TICKS)));
		sb.setLength(sb.length() - 1);
		return sb.toString();
	}

	/**
	 * @param pid a process
	 * @return VmHWM (peak resident set size) in kB, or -1 if gone
	 */
	static long peakRssKb(long pid) {
		return statusField(pid, "VmHWM:");
	}

	static long statusField(long pid, String field) {
		String status = read("/proc/" + pid + "/status");
		if (status == null) {
			return -1;
		}
		int i = status.indexOf(field);
		if (i < 0) {
			return -1;
		}
		int end = status.indexOf('\n', i);
		String value = status.substring(i + field.length(), (end < 0) ? status.length() : end).trim();
		return Long.parseLong(value.split("\\s+")[0]);
	}

	/**
	 * @param pid a process
	 * @return bytes the process passed to write calls ({@code wchar}), or -1 if gone
	 */
	static long bytesWritten(long pid) {
		String io = read("/proc/" + pid + "/io");
		if (io == null) {
			return -1;
		}
		int i = io.indexOf("wchar:");
		int end = io.indexOf('\n', i);
		return Long.parseLong(io.substring(i + 6, end).trim());
	}

	/**
	 * @param pid a process
	 * @return bytes the process caused to be read from storage ({@code read_bytes}; page-cache hits are not
	 * counted), or -1 if gone
	 */
	static long bytesReadFromStorage(long pid) {
		String io = read("/proc/" + pid + "/io");
		if (io == null) {
			return -1;
		}
		int i = io.indexOf("read_bytes:");
		if (i < 0) {
			return -1;
		}
		int end = io.indexOf('\n', i);
		return Long.parseLong(io.substring(i + 11, end).trim());
	}

	/**
	 * @return the machine's CPU time in clock ticks, all cores: { busy (user, nice, system, irq, softirq, steal),
	 * iowait, total }, or {@code null}
	 */
	static long[] machineCpu() {
		String s = read("/proc/stat");
		if (s == null || !s.startsWith("cpu ")) {
			return null;
		}
		String[] f = s.substring(4, s.indexOf('\n')).trim().split("\\s+");
		long total = 0;
		for (int i = 0; i < Math.min(8, f.length); i++) {
			total += Long.parseLong(f[i]);
		}
		long idle = Long.parseLong(f[3]);
		long iowait = Long.parseLong(f[4]);
		return new long[] { total - idle - iowait, iowait, total };
	}

	/**
	 * @return the three load averages
	 */
	static String loadAverage() {
		String s = read("/proc/loadavg");
		if (s == null) {
			return "?";
		}
		String[] f = s.trim().split(" ");
		return f[0] + " " + f[1] + " " + f[2];
	}

	/**
	 * @return the CPU model name
	 */
	static String cpuModel() {
		String s = read("/proc/cpuinfo");
		if (s == null) {
			return "?";
		}
		for (String line : s.split("\n")) {
			if (line.startsWith("model name")) {
				return line.substring(line.indexOf(':') + 1).trim();
			}
		}
		return "?";
	}

	/**
	 * @return total memory in GiB
	 */
	static double memTotalGib() {
		String s = read("/proc/meminfo");
		if (s == null) {
			return 0;
		}
		for (String line : s.split("\n")) {
			if (line.startsWith("MemTotal:")) {
				return Long.parseLong(line.split("\\s+")[1]) / 1024.0 / 1024.0;
			}
		}
		return 0;
	}

	/**
	 * @return the kernel release
	 */
	static String kernel() {
		String s = read("/proc/sys/kernel/osrelease");
		return (s != null) ? s.trim() : "?";
	}

}
