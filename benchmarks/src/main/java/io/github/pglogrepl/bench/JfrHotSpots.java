package io.github.pglogrepl.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of a consumer: CPU samples by method (self and inclusive) and sampled allocations
 * by the first project or Spring frame that caused them. {@code --jfr} records the starter's first run of each
 * throughput workload with 1 ms method sampling (a copy of the JDK's {@code profile.jfc}) and prints this.
 *
 * <pre>java -cp ... io.github.pglogrepl.bench.JfrHotSpots benchmarks/target/bench-logs/W1-starter.jfr</pre>
 */
public final class JfrHotSpots {

	private JfrHotSpots() {
	}

	public static void main(String[] args) throws IOException {
		for (String file : args) {
			summarise(Path.of(file), System.out, 25);
		}
	}

	/**
	 * Writes a JFC settings file: the JDK's {@code profile} settings with method sampling every 1 ms.
	 * @param dir where
	 * @return the file
	 * @throws IOException if the JDK's file cannot be read
	 */
	static Path settings(Path dir) throws IOException {
		Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
		String jfc = Files.readString(profile, StandardCharsets.UTF_8);
		int event = jfc.indexOf("<event name=\"jdk.ExecutionSample\">");
		int period = jfc.indexOf("</setting>", jfc.indexOf("name=\"period\"", event));
		int valueStart = jfc.lastIndexOf('>', period) + 1;
		jfc = jfc.substring(0, valueStart) + "1 ms" + jfc.substring(period);
		Path out = dir.resolve("bench-profile.jfc");
		Files.writeString(out, jfc, StandardCharsets.UTF_8);
		return out;
	}

	static String name(RecordedFrame frame) {
		RecordedMethod m = frame.getMethod();
		return m.getType().getName() + "." + m.getName();
	}

	static boolean interesting(String frame) {
		return frame.startsWith("io.github.pglogrepl.") && !frame.startsWith("io.github.pglogrepl.bench.")
				|| frame.startsWith("org.springframework.") || frame.startsWith("org.postgresql.");
	}

	static void summarise(Path file, PrintStream out, int top) throws IOException {
		Map<String, Integer> self = new HashMap<>();
		Map<String, Integer> inclusive = new HashMap<>();
		Map<String, Integer> byThread = new HashMap<>();
		Map<String, Long> allocBySite = new HashMap<>();
		Map<String, Long> allocByClass = new HashMap<>();
		int samples = 0;
		long allocTotal = 0;
		for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
			String type = e.getEventType().getName();
			if (type.equals("jdk.ExecutionSample") && e.getStackTrace() != null) {
				List<RecordedFrame> frames = e.getStackTrace().getFrames();
				if (frames.isEmpty()) {
					continue;
				}
				samples++;
				String thread = e.getThread("sampledThread") != null ? e.getThread("sampledThread").getJavaName() : "?";
				byThread.merge(thread.replaceAll("-[a-z0-9_]+$", "-*"), 1, Integer::sum);
				self.merge(name(frames.get(0)), 1, Integer::sum);
				Set<String> seen = new HashSet<>();
				for (RecordedFrame f : frames) {
					String n = name(f);
					if (seen.add(n)) {
						inclusive.merge(n, 1, Integer::sum);
					}
				}
			}
			else if (type.equals("jdk.ObjectAllocationSample") && e.getStackTrace() != null) {
				long weight = e.getLong("weight");
				allocTotal += weight;
				allocByClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
				String site = "?";
				for (RecordedFrame f : e.getStackTrace().getFrames()) {
					String n = name(f);
					if (interesting(n)) {
						site = n;
						break;
					}
				}
				allocBySite.merge(site, weight, Long::sum);
			}
		}
		out.println("== " + file + ": " + samples + " CPU samples (1 ms), " + (allocTotal >> 20) + " MB sampled allocations");
		print(out, "CPU samples by thread", byThread, samples, top);
		print(out, "CPU self (top frame)", self, samples, top);
		Map<String, Integer> ours = new HashMap<>();
		inclusive.forEach((k, v) -> {
			if (interesting(k)) {
				ours.put(k, v);
			}
		});
		print(out, "CPU inclusive (project, Spring and pgjdbc methods)", ours, samples, top);
		printLong(out, "Allocation by class", allocByClass, allocTotal, top / 2);
		printLong(out, "Allocation by first project/Spring/pgjdbc frame", allocBySite, allocTotal, top);
	}

	private static void print(PrintStream out, String title, Map<String, Integer> counts, int total, int top) {
		out.println("-- " + title);
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
			.limit(top)
			.forEach((e) -> out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
	}

	private static void printLong(PrintStream out, String title, Map<String, Long> counts, long total, int top) {
		out.println("-- " + title);
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(top)
			.forEach((e) -> out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
	}

}
