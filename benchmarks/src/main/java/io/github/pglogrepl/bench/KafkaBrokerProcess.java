package io.github.pglogrepl.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka broker of the Kafka workloads (K1, K2): one KRaft broker ({@code benchmarks/kafka-broker}, Kafka 4.2.1)
 * in a JVM of its own, started once per run; every Kafka consumer sends to it. Topics are created through it
 * (fresh ones per consumer run, all with the same settings) and counted on it after a run.
 */
final class KafkaBrokerProcess implements AutoCloseable {

	private final Process process;

	private final BlockingQueue<Map<String, String>> replies = new LinkedBlockingQueue<>();

	final String bootstrap;

	final long pid;

	/** the broker settings that matter here, as reported by the broker */
	final Map<String, String> config = new LinkedHashMap<>();

	final double startSeconds;

	private KafkaBrokerProcess(Process process, Path log) throws Exception {
		this.process = process;
		this.pid = process.pid();
		Thread reader = new Thread(() -> read(log), "bench-broker-out");
		reader.setDaemon(true);
		reader.start();
		Map<String, String> ready = await("ready", Duration.ofMinutes(3));
		this.bootstrap = ready.get("bootstrap");
		this.startSeconds = Long.parseLong(ready.get("start_ms")) / 1000.0;
		send("config");
		Map<String, String> cfg = await("config", Duration.ofSeconds(60));
		cfg.remove("event");
		this.config.putAll(new java.util.TreeMap<>(cfg));
	}

	static KafkaBrokerProcess start(Harness harness, List<String> jvmFlags, List<String> brokerProps) throws Exception {
		Path moduleTarget = harness.moduleDir.resolve("kafka-broker").resolve("target");
		Path cpFile = moduleTarget.resolve("classpath-broker.txt");
		if (!Files.exists(cpFile)) {
			throw new IllegalStateException(cpFile + " is missing: build with ./mvnw -Pbench -pl benchmarks -am package "
					+ "(benchmarks/run.sh does)");
		}
		String classpath = moduleTarget.resolve("classes") + File.pathSeparator
				+ Files.readString(cpFile, StandardCharsets.UTF_8).trim();
		List<String> cmd = new ArrayList<>();
		cmd.add(harness.java);
		cmd.addAll(jvmFlags);
		cmd.addAll(List.of("-cp", classpath, "io.github.pglogrepl.bench.broker.KafkaBroker"));
		for (String p : brokerProps) {
			cmd.addAll(List.of("--prop", p));
		}
		Path log = harness.logDir.resolve("kafka-broker.log");
		Files.writeString(log, String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
		Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		try {
			return new KafkaBrokerProcess(process, log);
		}
		catch (Exception ex) {
			process.destroyForcibly();
			throw ex;
		}
	}

	private void read(Path log) {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
						StandardOpenOption.APPEND))) {
			String line;
			while ((line = in.readLine()) != null) {
				out.println(line);
				out.flush();
				if (line.startsWith("@broker ")) {
					String[] parts = line.split(" ");
					Map<String, String> values = new HashMap<>();
					values.put("event", parts[1]);
					for (int i = 2; i < parts.length; i++) {
						int eq = parts[i].indexOf('=');
						if (eq > 0) {
							values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
						}
					}
					this.replies.add(values);
				}
			}
		}
		catch (IOException ex) {
			// ended
		}
	}

	private synchronized void send(String line) throws IOException {
		OutputStream in = this.process.getOutputStream();
		in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	private Map<String, String> await(String event, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long left = deadline - System.nanoTime();
			Map<String, String> reply = this.replies.poll(Math.max(1, left), TimeUnit.NANOSECONDS);
			if (reply == null) {
				throw new IllegalStateException("the Kafka broker did not answer '" + event + "' in " + timeout
						+ (this.process.isAlive() ? "" : " (it exited)") + "; see kafka-broker.log");
			}
			if (reply.get("event").equals(event)) {
				return reply;
			}
			if (reply.get("event").equals("error")) {
				throw new IllegalStateException("the Kafka broker failed: " + reply);
			}
		}
	}

	/**
	 * Creates a topic (replication factor 1) and waits until its partitions have a leader.
	 * @param topic its name
	 * @param partitions how many
	 * @param configs topic settings ({@code key=value,...}), or empty
	 */
	synchronized void createTopic(String topic, int partitions, String configs) throws Exception {
		send("create " + topic + " " + partitions + (configs.isEmpty() ? "" : " " + configs));
		await("created", Duration.ofSeconds(90));
	}

	/**
	 * Sends records to the broker from a producer in its own JVM (not measured), so that no measured run pays
	 * for compiling the broker's produce path.
	 * @param records how many
	 * @return how long it took, seconds
	 */
	synchronized double warmup(long records) throws Exception {
		send("warmup " + records);
		return Long.parseLong(await("warmed", Duration.ofMinutes(10)).get("ms")) / 1000.0;
	}

	/** @return the records the broker has in the topic (sum of its partitions' end offsets) and its log's bytes */
	synchronized long[] count(String topic) throws Exception {
		send("count " + topic);
		Map<String, String> reply = await("count", Duration.ofSeconds(60));
		return new long[] { Long.parseLong(reply.get("records")), Long.parseLong(reply.getOrDefault("bytes", "-1")) };
	}

	@Override
	public void close() throws InterruptedException, IOException {
		this.process.getOutputStream().close();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

}
