package io.github.pglogrepl.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One consumer process: started, watched through {@code /proc} every few milliseconds (its CPU time and peak
 * RSS, and those of the walsender serving its slot, found through {@code pg_replication_slots.active_pid}),
 * and finished. Java consumers report their row times on stdout and wait, after their last row, until their
 * final CPU and RSS figures are read; {@code pg_recvlogical} writes to {@code /dev/null}, so its first and
 * last row are the first and last increase of its {@code wchar} (bytes written) and its figures are the
 * last sample before it exits (at most {@link #SAMPLE_NANOS} old).
 */
final class ConsumerProcess {

	static final long SAMPLE_NANOS = 5_000_000L;

	/** Options of one run. */
	static final class Spec {

		String workload;

		int run;

		String variant = "";

		String slot;

		String publication;

		long expectedRows;

		String endLsn;

		String proto = "1";

		String streaming = "off";

		String mode = "throughput";

		List<String> jvmFlags = new ArrayList<>();

		/** more {@code --key value} arguments for the consumer */
		List<String> extraArgs = new ArrayList<>();

		/**
		 * also sample the consumer's ordinary server connections (client backends in pg_stat_activity other than
		 * the harness's): their CPU and the bytes they read from storage
		 */
		boolean trackBackends;

		Duration timeout = Duration.ofMinutes(20);

		/** other processes whose CPU is sampled with the consumer's (e.g. the Kafka broker): name -> pid */
		Map<String, Long> trackPids = new LinkedHashMap<>();

	}

	private final Server server;

	private final Harness harness;

	private final ConsumerKind kind;

	private final Spec spec;

	private final RunResult result = new RunResult();

	private final CountDownLatch done = new CountDownLatch(1);

	private final Map<String, String> report = new HashMap<>();

	private volatile boolean sampling = true;

	private Process process;

	private long pid;

	private Thread sampler;

	private Connection monitor;

	// sampled state (sampler thread; read after it stopped)
	private long lastCpu;

	private long lastRss;

	private long lastWritten = -1;

	private final Map<Long, long[]> walsenders = new LinkedHashMap<>();

	/** (time, consumer CPU ticks) samples, to tell the CPU time spent between the first and the last row */
	private long[] series = new long[2048];

	private int seriesLength;

	private volatile long activeAt;

	/** client backends of the consumer: pid -> { CPU ticks, bytes read from storage } (last sample) */
	private final Map<Long, long[]> backends = new LinkedHashMap<>();

	/** (time, machine busy ticks, iowait ticks, total ticks) every 100 ms */
	private final List<long[]> machine = new ArrayList<>();

	/** (time, CPU ticks) samples of the {@link Spec#trackPids}, by name */
	private final Map<String, long[]> tracked = new LinkedHashMap<>();

	private final Map<String, Integer> trackedLength = new LinkedHashMap<>();

	/** other {@code @bench} events of the consumer, by name: their values */
	private final Map<String, Map<String, String>> events = new java.util.concurrent.ConcurrentHashMap<>();

	ConsumerProcess(Server server, Harness harness, ConsumerKind kind, Spec spec) {
		this.server = server;
		this.harness = harness;
		this.kind = kind;
		this.spec = spec;
		this.result.workload = spec.workload;
		this.result.kind = kind;
		this.result.run = spec.run;
		this.result.variant = spec.variant;
	}

	List<String> command() {
		List<String> cmd = new ArrayList<>();
		if (this.kind == ConsumerKind.RECVLOGICAL) {
			cmd.add(this.harness.recvlogical);
			cmd.add("-d");
			cmd.add("host=" + this.server.host + " port=" + this.server.port + " dbname=postgres user="
					+ this.server.user + " application_name=bench-recvlogical");
			cmd.addAll(List.of("-S", this.spec.slot, "--start", "--no-loop", "-F", "0", "-f", "/dev/null", "-o",
					"proto_version=" + this.spec.proto, "-o", "publication_names=" + this.spec.publication));
			if (!"off".equals(this.spec.streaming)) {
				cmd.addAll(List.of("-o", "streaming=" + this.spec.streaming));
			}
			cmd.addAll(List.of("-E", this.spec.endLsn));
			return cmd;
		}
		cmd.add(this.harness.java);
		cmd.addAll(this.spec.jvmFlags);
		cmd.add("-cp");
		cmd.add((this.kind == ConsumerKind.DEBEZIUM || this.kind == ConsumerKind.DEBEZIUM_KAFKA)
				? this.harness.debeziumClasspath : this.harness.appClasspath);
		cmd.add(this.kind.mainClass.getName());
		cmd.addAll(List.of("--url", this.server.jdbcUrl, "--user", this.server.user, "--slot",
				String.valueOf(this.spec.slot), "--publication", String.valueOf(this.spec.publication), "--rows", String.valueOf(this.spec.expectedRows), "--proto",
				this.spec.proto, "--streaming", this.spec.streaming, "--mode", this.spec.mode, "--timeout",
				String.valueOf(this.spec.timeout.toSeconds())));
		if (this.kind == ConsumerKind.STARTER_UNTYPED) {
			cmd.addAll(List.of("--listener", "untyped"));
		}
		cmd.addAll(this.spec.extraArgs);
		return cmd;
	}

	void start() throws IOException, SQLException {
		this.monitor = this.server.connect();
		Path log = this.harness.logDir.resolve(this.spec.workload + "-" + this.kind.id
				+ (this.spec.variant.isEmpty() ? "" : "-" + this.spec.variant.replaceAll("[^A-Za-z0-9]+", "_")) + "-"
				+ this.spec.run + ".log");
		Files.writeString(log, String.join(" ", command()) + "\n", StandardCharsets.UTF_8);
		ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
		this.result.spawn = System.nanoTime();
		this.process = builder.start();
		this.pid = this.process.pid();
		Thread reader = new Thread(() -> readOutput(log), "bench-out-" + this.pid);
		reader.setDaemon(true);
		reader.start();
		this.sampler = new Thread(this::sample, "bench-sampler-" + this.pid);
		this.sampler.setDaemon(true);
		this.sampler.start();
	}

	private void readOutput(Path log) {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
						StandardOpenOption.APPEND))) {
			String line;
			while ((line = in.readLine()) != null) {
				out.println(line);
				if (line.startsWith("@bench ")) {
					String[] parts = line.split(" ");
					Map<String, String> values = new HashMap<>();
					for (int i = 2; i < parts.length; i++) {
						int eq = parts[i].indexOf('=');
						if (eq > 0) {
							values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
						}
					}
					switch (parts[1]) {
						case "started" -> this.result.main = Long.parseLong(values.get("main"));
						case "done", "failed" -> {
							synchronized (this.report) {
								this.report.putAll(values);
								this.report.put("event", parts[1]);
							}
							this.done.countDown();
						}
						default -> {
							synchronized (this.events) {
								this.events.put(parts[1], values);
								this.events.notifyAll();
							}
						}
					}
				}
			}
		}
		catch (IOException ex) {
			// process ended
		}
		this.done.countDown();
	}

	private void sample() {
		long nextSlotCheck = 0;
		while (this.sampling) {
			long now = System.nanoTime();
			sampleOnce(now);
			if (now >= nextSlotCheck) {
				if (this.spec.slot != null) {
					checkWalsender(now);
				}
				if (this.spec.trackBackends) {
					checkBackends();
					long[] cpu = ProcFs.machineCpu();
					if (cpu != null) {
						synchronized (this) {
							this.machine.add(new long[] { now, cpu[0], cpu[1], cpu[2] });
						}
					}
				}
				nextSlotCheck = now + ((this.activeAt == 0 && this.spec.slot != null) ? 10_000_000L : 100_000_000L);
			}
			LockSupport.parkNanos(SAMPLE_NANOS);
		}
	}

	private synchronized void sampleOnce(long now) {
		long cpu = ProcFs.cpuTicks(this.pid);
		if (cpu >= 0) {
			this.lastCpu = cpu;
			if (this.seriesLength + 2 > this.series.length) {
				this.series = java.util.Arrays.copyOf(this.series, this.series.length * 2);
			}
			this.series[this.seriesLength++] = now;
			this.series[this.seriesLength++] = cpu;
		}
		long rss = ProcFs.peakRssKb(this.pid);
		if (rss > 0) {
			this.lastRss = rss;
		}
		if (this.kind == ConsumerKind.RECVLOGICAL) {
			long written = ProcFs.bytesWritten(this.pid);
			if (written >= 0) {
				if (this.activeAt != 0 && this.lastWritten >= 0 && written > this.lastWritten) {
					if (this.result.first == 0) {
						this.result.first = now;
					}
					this.result.last = now;
				}
				if (this.activeAt != 0 || this.lastWritten < 0) {
					this.lastWritten = written;
				}
			}
		}
		for (Map.Entry<Long, long[]> e : this.backends.entrySet()) {
			long ticks = ProcFs.cpuTicks(e.getKey());
			if (ticks >= 0) {
				e.getValue()[0] = ticks;
				long read = ProcFs.bytesReadFromStorage(e.getKey());
				if (read >= 0) {
					e.getValue()[1] = read;
				}
			}
		}
		for (Map.Entry<String, Long> e : this.spec.trackPids.entrySet()) {
			long ticks = ProcFs.cpuTicks(e.getValue());
			if (ticks >= 0) {
				long[] s = this.tracked.computeIfAbsent(e.getKey(), (k) -> new long[2048]);
				int n = this.trackedLength.getOrDefault(e.getKey(), 0);
				if (n + 2 > s.length) {
					s = java.util.Arrays.copyOf(s, s.length * 2);
					this.tracked.put(e.getKey(), s);
				}
				s[n] = now;
				s[n + 1] = ticks;
				this.trackedLength.put(e.getKey(), n + 2);
			}
		}
		for (Map.Entry<Long, long[]> e : this.walsenders.entrySet()) {
			long ws = ProcFs.cpuTicks(e.getKey());
			if (ws >= 0) {
				e.getValue()[0] = ws;
				long wsRss = ProcFs.peakRssKb(e.getKey());
				if (wsRss > 0) {
					e.getValue()[1] = wsRss;
				}
			}
		}
	}

	private void checkBackends() {
		try (PreparedStatement st = this.monitor.prepareStatement("SELECT pid FROM pg_stat_activity WHERE "
				+ "backend_type = 'client backend' AND pid <> pg_backend_pid() AND coalesce(application_name, '') "
				+ "<> 'bench-harness'"); ResultSet rs = st.executeQuery()) {
			while (rs.next()) {
				long pid = rs.getLong(1);
				synchronized (this) {
					this.backends.computeIfAbsent(pid, (k) -> new long[] { 0, 0 });
				}
			}
		}
		catch (SQLException ex) {
			// try again
		}
	}

	/**
	 * Waits for a {@code @bench <name>} line of the consumer.
	 * @param name the event
	 * @param timeout how long
	 * @return its values, or {@code null} if it did not come (or the process ended)
	 */
	Map<String, String> awaitEvent(String name, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.events) {
			while (!this.events.containsKey(name)) {
				long left = deadline - System.nanoTime();
				if (left <= 0 || !this.process.isAlive()) {
					return this.events.get(name);
				}
				this.events.wait(Math.max(1, Math.min(left / 1_000_000L, 200)));
			}
			return this.events.get(name);
		}
	}

	private void checkWalsender(long now) {
		try (PreparedStatement st = this.monitor
			.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
			st.setString(1, this.spec.slot);
			try (ResultSet rs = st.executeQuery()) {
				if (rs.next()) {
					long ws = rs.getLong(1);
					synchronized (this) {
						if (!this.walsenders.containsKey(ws)) {
							this.walsenders.put(ws, new long[] { 0, 0 });
						}
						if (this.activeAt == 0) {
							this.activeAt = now;
							// bytes written before replication started are not rows
							long written = ProcFs.bytesWritten(this.pid);
							this.lastWritten = (written >= 0) ? written : this.lastWritten;
						}
					}
				}
			}
		}
		catch (SQLException ex) {
			// the server is busy or the monitor connection broke; try again
		}
	}

	boolean awaitActive(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.activeAt == 0 && System.nanoTime() < deadline && this.process.isAlive()) {
			LockSupport.parkNanos(5_000_000L);
		}
		return this.activeAt != 0;
	}

	void send(String line) throws IOException {
		OutputStream in = this.process.getOutputStream();
		in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	RunResult finish() throws Exception {
		long deadline = System.nanoTime() + this.spec.timeout.toNanos();
		if (this.kind == ConsumerKind.RECVLOGICAL) {
			boolean exited = this.process.waitFor(this.spec.timeout.toMillis(), TimeUnit.MILLISECONDS);
			this.result.exit = System.nanoTime();
			stopSampling();
			if (!exited) {
				this.process.destroyForcibly();
				this.result.error = "timed out";
			}
			else if (this.process.exitValue() != 0) {
				this.result.error = "exit code " + this.process.exitValue();
			}
			else {
				this.result.ok = true;
				this.result.rows = this.spec.expectedRows;
			}
		}
		else {
			boolean reported = this.done.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			Map<String, String> values;
			synchronized (this.report) {
				values = new HashMap<>(this.report);
			}
			if (reported && "done".equals(values.get("event"))) {
				// final figures while the consumer and its walsender are still alive
				synchronized (this) {
					sampleOnce(System.nanoTime());
				}
				if (this.kind.kafka()) {
					String threads = ProcFs.threadCpu(this.pid, 8);
					if (threads != null) {
						this.result.extra.put("thread_cpu", threads);
					}
				}
				stopSampling();
				this.result.ok = true;
				this.result.rows = Long.parseLong(values.get("rows"));
				this.result.first = Long.parseLong(values.get("first"));
				this.result.last = Long.parseLong(values.get("last"));
				values.forEach((k, v) -> {
					if (!List.of("rows", "first", "last", "start", "event").contains(k)) {
						this.result.extra.put(k, v);
					}
				});
				if (this.result.rows != this.spec.expectedRows) {
					this.result.ok = false;
					this.result.error = "expected " + this.spec.expectedRows + " rows, got " + this.result.rows;
				}
			}
			else {
				stopSampling();
				this.result.error = reported ? "failed: " + values.get("error")
						: "timed out after " + this.spec.timeout.toSeconds() + " s";
			}
			this.process.getOutputStream().close();
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			this.result.exit = System.nanoTime();
		}
		synchronized (this) {
			this.result.active = this.activeAt;
			this.result.cpuTicks = this.lastCpu;
			this.result.peakRssKb = this.lastRss;
			if (!this.walsenders.isEmpty()) {
				this.result.walsenderCpuTicks = this.walsenders.values().stream().mapToLong((v) -> v[0]).sum();
				this.result.walsenderPeakRssKb = this.walsenders.values().stream().mapToLong((v) -> v[1]).max().orElse(0);
			}
			if (this.kind == ConsumerKind.RECVLOGICAL) {
				this.result.bytesWritten = this.lastWritten;
			}
			if (this.result.first != 0 && this.result.last != 0) {
				this.result.streamCpuTicks = cpuAfter(this.result.last) - cpuBefore(this.result.first);
				for (Map.Entry<String, long[]> e : this.tracked.entrySet()) {
					int n = this.trackedLength.get(e.getKey());
					long ticks = ticksAt(e.getValue(), n, this.result.last, false)
							- ticksAt(e.getValue(), n, this.result.first, true);
					this.result.extra.put(e.getKey() + "_cpu_ticks", String.valueOf(ticks));
				}
			}
			if (this.spec.trackBackends) {
				this.result.backendCount = this.backends.size();
				this.result.backendCpuTicks = this.backends.values().stream().mapToLong((v) -> v[0]).sum();
				this.result.backendReadBytes = this.backends.values().stream().mapToLong((v) -> v[1]).sum();
				machineShare();
			}
		}
		if (this.spec.slot != null) {
			waitForSlotRelease();
			this.result.slotStats.putAll(this.server.queryRow(
					"SELECT spill_txns, spill_bytes, stream_txns, stream_bytes, total_txns, total_bytes "
							+ "FROM pg_stat_replication_slots WHERE slot_name = ?",
					this.spec.slot));
		}
		this.monitor.close();
		return this.result;
	}

	/** The machine's busy and iowait share of all cores between the first and last row. */
	private void machineShare() {
		long[] from = null;
		long[] to = null;
		for (long[] m : this.machine) {
			if (m[0] <= this.result.first || from == null) {
				from = m;
			}
			if (to == null && m[0] >= this.result.last) {
				to = m;
			}
		}
		if (to == null && !this.machine.isEmpty()) {
			to = this.machine.get(this.machine.size() - 1);
		}
		if (from != null && to != null && to[3] > from[3]) {
			this.result.machineBusy = (to[1] - from[1]) / (double) (to[3] - from[3]);
			this.result.machineIowait = (to[2] - from[2]) / (double) (to[3] - from[3]);
		}
	}

	/**
	 * @param series (time, ticks) pairs
	 * @param n used length
	 * @param time a time
	 * @param before the last sample at or before {@code time}, otherwise the first at or after it
	 * @return its ticks (the first or last sample if none)
	 */
	private static long ticksAt(long[] series, int n, long time, boolean before) {
		long ticks = (n > 0) ? series[1] : 0;
		for (int i = 0; i < n; i += 2) {
			if (before) {
				if (series[i] > time) {
					break;
				}
				ticks = series[i + 1];
			}
			else {
				ticks = series[i + 1];
				if (series[i] >= time) {
					break;
				}
			}
		}
		return ticks;
	}

	/** @return the CPU ticks of the last sample taken at or before {@code time} (0 before any) */
	private long cpuBefore(long time) {
		long cpu = 0;
		for (int i = 0; i < this.seriesLength; i += 2) {
			if (this.series[i] > time) {
				break;
			}
			cpu = this.series[i + 1];
		}
		return cpu;
	}

	/** @return the CPU ticks of the first sample taken at or after {@code time} (the last one if none) */
	private long cpuAfter(long time) {
		for (int i = 0; i < this.seriesLength; i += 2) {
			if (this.series[i] >= time) {
				return this.series[i + 1];
			}
		}
		return this.lastCpu;
	}

	private void stopSampling() throws InterruptedException {
		this.sampling = false;
		this.sampler.join();
	}

	private void waitForSlotRelease() throws SQLException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			String active = this.server.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = ?",
					this.spec.slot);
			if (!"true".equals(active)) {
				return;
			}
			LockSupport.parkNanos(10_000_000L);
		}
	}

	void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
		}
	}

}
