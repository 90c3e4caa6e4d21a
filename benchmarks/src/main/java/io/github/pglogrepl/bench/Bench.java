package io.github.pglogrepl.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark: one embedded PostgreSQL server, one table, and for each workload a logical slot per consumer
 * and run, all created before the workload and drained after it (catch-up), one consumer process at a time.
 * Writes the results table to the console and to {@code benchmarks/results/latest.md}.
 *
 * <pre>
 * benchmarks/run.sh [--runs 3] [--w4-rows 10000000] [--skip w4,debezium] [--quick] [--jfr]
 * </pre>
 */
public final class Bench {

	static final String TABLE_DDL = "CREATE TABLE bench (id bigint PRIMARY KEY, name text, qty int, "
			+ "price numeric(10,2), created_at timestamptz)";

	static final String PUBLICATION = "bench_pub";

	/** Row values of the generated rows: ~40-character text, int, numeric(10,2), timestamptz. */
	static String insertSelect(long from, long to) {
		return "INSERT INTO bench (id, name, qty, price, created_at) SELECT g, 'customer-' || md5(g::text), "
				+ "(g % 1000)::int, ((g % 100000) / 100.0)::numeric(10,2), "
				+ "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(" + from + ", "
				+ to + ") g";
	}

	final Options options;

	final Harness harness;

	final List<RunResult> results = new ArrayList<>();

	final Map<String, String> notes = new LinkedHashMap<>();

	final Map<String, String> workloadInfo = new LinkedHashMap<>();

	LoadGenerator.Result latencyLoad;

	String latencyLoadAverage;

	Server server;

	private Bench(Options options, Harness harness) {
		this.options = options;
		this.harness = harness;
	}

	public static void main(String[] args) throws Exception {
		Options options = Options.parse(args);
		Harness harness = new Harness(options.recvlogical);
		Bench bench = new Bench(options, harness);
		int code = bench.run();
		System.exit(code);
	}

	int run() throws Exception {
		long t0 = System.nanoTime();
		Instant startedAt = Instant.now();
		String loadStart = ProcFs.loadAverage();
		log("load average at start: " + loadStart);
		log("starting embedded PostgreSQL");
		try (Server pg = Server.startEmbedded()) {
			this.server = pg;
			pg.execute(TABLE_DDL, "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE bench");
			Metadata metadata = Metadata.collect(pg, this.harness, this.options);
			log(metadata.oneLine());
			List<ConsumerKind> kinds = this.options.consumers();
			if (this.options.enabled("w1")) {
				long n = this.options.w1Rows;
				throughput("W1", "bulk: one transaction inserting " + fmt(n) + " rows", n, kinds,
						insertSelect(1, n));
			}
			if (this.options.enabled("w2")) {
				long n = this.options.w2Txns;
				long from = 20_000_001L;
				throughput("W2", "OLTP: " + fmt(n) + " transactions of one INSERT each", n, kinds,
						"DO $$ BEGIN FOR i IN " + from + ".." + (from + n - 1) + " LOOP "
								+ "INSERT INTO bench (id, name, qty, price, created_at) VALUES (i, 'customer-' || md5(i::text), "
								+ "(i % 1000)::int, ((i % 100000) / 100.0)::numeric(10,2), now()); COMMIT; END LOOP; END $$");
			}
			if (this.options.enabled("w3")) {
				long n = this.options.w3Rows;
				if (!this.options.enabled("w1") || this.options.w1Rows < n) {
					pg.execute(insertSelect(30_000_001L, 30_000_000L + n));
				}
				String where = (this.options.enabled("w1") && this.options.w1Rows >= n) ? "id <= " + n
						: "id > 30000000 AND id <= " + (30_000_000L + n);
				throughput("W3", "update: one transaction updating " + fmt(n) + " rows", n, kinds,
						"UPDATE bench SET qty = qty + 1, price = price + 0.01 WHERE " + where);
			}
			if (this.options.enabled("l1")) {
				latency();
			}
			if (this.options.enabled("w4")) {
				huge();
			}
			this.server = null;
		}
		String loadEnd = ProcFs.loadAverage();
		double minutes = (System.nanoTime() - t0) / 60e9;
		log(String.format(Locale.ROOT, "done in %.1f min; load average at end: %s", minutes, loadEnd));
		Report report = new Report(this, Metadata.last, startedAt, loadStart, loadEnd, minutes);
		String markdown = report.markdown();
		System.out.println();
		System.out.println(markdown);
		Path out = this.options.out(this.harness);
		Files.createDirectories(out.getParent());
		Files.writeString(out, markdown, StandardCharsets.UTF_8);
		log("results written to " + out);
		return this.results.stream().allMatch((r) -> r.ok) ? 0 : 1;
	}

	private void throughput(String workload, String description, long rows, List<ConsumerKind> kinds, String sql)
			throws Exception {
		List<String[]> slots = new ArrayList<>();
		for (int run = 1; run <= this.options.runs; run++) {
			for (ConsumerKind kind : kinds) {
				String slot = slotName(workload, kind, run);
				this.server.createSlot(slot);
				slots.add(new String[] { slot, kind.id, String.valueOf(run) });
			}
		}
		String warmupSlot = (workload + "_warmup").toLowerCase(Locale.ROOT);
		this.server.createSlot(warmupSlot);
		String startLsn = this.server.currentLsn();
		log(workload + ": " + description + " (" + (slots.size() + 1) + " slots created before it)");
		long g0 = System.nanoTime();
		this.server.execute(sql);
		double generation = (System.nanoTime() - g0) / 1e9;
		String endLsn = this.server.currentLsn();
		this.server.execute("CHECKPOINT");
		String walBytes = this.server.queryString("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint::text",
				endLsn, startLsn);
		this.workloadInfo.put(workload, String.format(Locale.ROOT, "%s; generated in %.1f s; %s MB of WAL; load average "
				+ "before draining %s", description, generation, fmt(Long.parseLong(walBytes) / 1_000_000),
				ProcFs.loadAverage()));
		log(String.format(Locale.ROOT, "%s generated in %.1f s, WAL %s..%s; draining", workload, generation, startLsn,
				endLsn));
		warmup(workload, warmupSlot, rows, endLsn, "1");
		for (int run = 1; run <= this.options.runs; run++) {
			// rotate the order each run so no consumer is always first or last
			List<ConsumerKind> order = new ArrayList<>(kinds);
			java.util.Collections.rotate(order, -(run - 1));
			for (ConsumerKind kind : order) {
				ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
				spec.workload = workload;
				spec.run = run;
				spec.slot = slotName(workload, kind, run);
				spec.publication = PUBLICATION;
				spec.expectedRows = rows;
				spec.endLsn = endLsn;
				spec.proto = "1";
				spec.jvmFlags.addAll(this.options.jvmFlags);
				Path jfr = null;
				if (this.options.jfr && (kind == ConsumerKind.STARTER || kind == ConsumerKind.STARTER_UNTYPED)
						&& run == 1) {
					jfr = this.harness.logDir.resolve(workload + "-" + kind.id + ".jfr");
					spec.jvmFlags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings="
							+ JfrHotSpots.settings(this.harness.logDir));
				}
				RunResult r = drain(kind, spec);
				this.results.add(r);
				if (jfr != null && Files.exists(jfr)) {
					JfrHotSpots.summarise(jfr, System.out, 25);
				}
			}
		}
	}

	/**
	 * Drains one extra slot before the measured runs, so that the first measured consumer does not pay for what
	 * only the first decoding of new WAL costs the server (WAL and catalog pages not yet cached, hint bits).
	 */
	private void warmup(String workload, String slot, long rows, String endLsn, String proto) throws Exception {
		ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
		spec.workload = workload;
		spec.run = 0;
		spec.variant = "warm-up";
		spec.slot = slot;
		spec.publication = PUBLICATION;
		spec.expectedRows = rows;
		spec.endLsn = endLsn;
		spec.proto = proto;
		ConsumerKind kind = (this.harness.recvlogical != null) ? ConsumerKind.RECVLOGICAL : ConsumerKind.PGJDBC;
		RunResult r = drain(kind, spec);
		if (!r.ok) {
			throw new IllegalStateException("warm-up drain failed: " + r.error);
		}
	}

	private RunResult drain(ConsumerKind kind, ConsumerProcess.Spec spec) throws Exception {
		ConsumerProcess p = new ConsumerProcess(this.server, this.harness, kind, spec);
		RunResult r;
		try {
			p.start();
			r = p.finish();
		}
		catch (Exception ex) {
			p.kill();
			throw ex;
		}
		finally {
			this.server.dropSlot(spec.slot);
		}
		log(String.format(Locale.ROOT,
				"  %s run %d %-10s %s: %s rows, first->last %.2f s (%s rows/s), catch-up %.2f s, CPU %.2f s "
						+ "(first->last %.2f s), RSS %.0f MB, walsender CPU %.2f s%s",
				spec.workload, spec.run, kind.id, spec.variant, fmt(r.rows), r.firstToLast(), fmt(r.rowsPerSecond()),
				r.catchUp(), r.cpuSeconds(), r.streamCpuSeconds(), r.peakRssMb(), r.walsenderCpuSeconds(),
				r.ok ? "" : "  FAILED: " + r.error));
		return r;
	}

	private void latency() throws Exception {
		String slot = "l1_starter";
		this.server.createSlot(slot);
		ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
		spec.workload = "L1";
		spec.run = 1;
		spec.slot = slot;
		spec.publication = PUBLICATION;
		spec.expectedRows = Long.MAX_VALUE;
		spec.mode = "latency";
		spec.proto = "1";
		spec.jvmFlags.addAll(this.options.jvmFlags);
		// GC pauses to tell a latency spike caused by the consumer's GC from one caused by CPU contention
		spec.jvmFlags.add("-Xlog:gc:file=" + this.harness.logDir.resolve("L1-starter-gc.log"));
		ConsumerProcess p = new ConsumerProcess(this.server, this.harness, ConsumerKind.STARTER, spec);
		log(String.format(Locale.ROOT, "L1: steady load %d single-row transactions/s for %d s (after %d s warm-up), "
				+ "starter consuming live", this.options.l1Rate, this.options.l1Seconds, this.options.l1Warmup));
		try {
			p.start();
			if (!p.awaitActive(Duration.ofSeconds(120))) {
				throw new IllegalStateException("starter did not start streaming");
			}
			Thread.sleep(1000);
			LoadGenerator.Result load = new LoadGenerator(this.server, this.options.l1Threads).run(50_000_001L,
					this.options.l1Rate, this.options.l1Warmup, this.options.l1Seconds);
			this.latencyLoad = load;
			this.latencyLoadAverage = ProcFs.loadAverage();
			spec.expectedRows = load.rows();
			p.send("expect " + load.rows() + " " + load.measureFromMicros());
			RunResult r = p.finish();
			r.extra.put("achieved_rate", String.format(Locale.ROOT, "%.0f", load.achievedRate()));
			this.results.add(r);
			log(String.format(Locale.ROOT, "  L1 achieved %.0f txn/s; latency p50 %s us, p99 %s us, max %s us, "
					+ "rows over 20 ms: %s in %s bursts (%s); lag max %s bytes%s", load.achievedRate(),
					r.extra.get("lat_p50_us"), r.extra.get("lat_p99_us"), r.extra.get("lat_max_us"),
					r.extra.get("lat_over_20ms"), r.extra.get("lat_bursts"), r.extra.get("lat_stalls"), r.extra.get("lag_bytes_max"), r.ok ? "" : "  FAILED: " + r.error));
		}
		catch (Exception ex) {
			p.kill();
			throw ex;
		}
		finally {
			this.server.dropSlot(slot);
		}
	}

	private void huge() throws Exception {
		long n = this.options.w4Rows;
		String[][] variants = { { "off", "4" }, { "on", "4" } };
		List<String> slots = new ArrayList<>();
		for (ConsumerKind kind : this.options.w4Consumers) {
			for (String[] v : variants) {
				String slot = slotName("w4", kind, 1) + "_streaming_" + v[0];
				this.server.createSlot(slot);
				slots.add(slot);
			}
		}
		String startLsn = this.server.currentLsn();
		String description = "huge: one transaction inserting " + fmt(n) + " rows, consumers in -Xmx128m";
		log("W4: " + description);
		long g0 = System.nanoTime();
		this.server.execute(insertSelect(100_000_001L, 100_000_000L + n));
		double generation = (System.nanoTime() - g0) / 1e9;
		String endLsn = this.server.currentLsn();
		this.server.execute("CHECKPOINT");
		String walBytes = this.server.queryString("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint::text",
				endLsn, startLsn);
		this.workloadInfo.put("W4", String.format(Locale.ROOT, "%s; generated in %.1f s; %s MB of WAL; load average "
				+ "before draining %s", description, generation, fmt(Long.parseLong(walBytes) / 1_000_000),
				ProcFs.loadAverage()));
		log(String.format(Locale.ROOT, "W4 generated in %.1f s; draining", generation));
		for (ConsumerKind kind : this.options.w4Consumers) {
			for (String[] v : variants) {
				ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
				spec.workload = "W4";
				spec.run = 1;
				spec.variant = "streaming " + v[0];
				spec.slot = slotName("w4", kind, 1) + "_streaming_" + v[0];
				spec.publication = PUBLICATION;
				spec.expectedRows = n;
				spec.endLsn = endLsn;
				spec.proto = v[1];
				spec.streaming = v[0];
				spec.jvmFlags.addAll(List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"));
				spec.jvmFlags.addAll(this.options.jvmFlags);
				this.results.add(drain(kind, spec));
			}
		}
	}

	static String slotName(String workload, ConsumerKind kind, int run) {
		return (workload + "_" + kind.id + "_" + run).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
	}

	static void log(String message) {
		System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
		System.out.flush();
	}

	static String fmt(double value) {
		if (Double.isNaN(value)) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	/** Command-line options. */
	static final class Options {

		int runs = 3;

		long w1Rows = 1_000_000;

		long w2Txns = 100_000;

		long w3Rows = 200_000;

		long w4Rows = 10_000_000;

		int l1Rate = 2000;

		int l1Seconds = 30;

		int l1Warmup = 5;

		int l1Threads = 2;

		boolean jfr;

		String out;

		String recvlogical;

		List<String> skip = new ArrayList<>();

		List<String> with = new ArrayList<>();

		List<String> jvmFlags = new ArrayList<>();

		List<ConsumerKind> w4Consumers = new ArrayList<>(List.of(ConsumerKind.STARTER));

		static Options parse(String[] args) {
			Options o = new Options();
			for (int i = 0; i < args.length; i++) {
				String a = args[i];
				switch (a) {
					case "--runs" -> o.runs = Integer.parseInt(args[++i]);
					case "--w1-rows" -> o.w1Rows = Long.parseLong(args[++i]);
					case "--w2-txns" -> o.w2Txns = Long.parseLong(args[++i]);
					case "--w3-rows" -> o.w3Rows = Long.parseLong(args[++i]);
					case "--w4-rows" -> o.w4Rows = Long.parseLong(args[++i]);
					case "--w4-consumers" -> o.w4Consumers = Arrays.stream(args[++i].split(","))
						.map(ConsumerKind::byId)
						.toList();
					case "--l1-rate" -> o.l1Rate = Integer.parseInt(args[++i]);
					case "--l1-seconds" -> o.l1Seconds = Integer.parseInt(args[++i]);
					case "--l1-warmup" -> o.l1Warmup = Integer.parseInt(args[++i]);
					case "--skip" -> o.skip.addAll(Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(",")));
					case "--with" -> o.with.addAll(Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(",")));
					case "--jfr" -> o.jfr = true;
					case "--out" -> o.out = args[++i];
					case "--recvlogical" -> o.recvlogical = args[++i];
					case "--jvm-flag" -> o.jvmFlags.add(args[++i]);
					case "--quick" -> {
						o.runs = 1;
						o.w1Rows = 100_000;
						o.w2Txns = 10_000;
						o.w3Rows = 20_000;
						o.w4Rows = 500_000;
						o.l1Seconds = 5;
						o.l1Warmup = 2;
					}
					default -> throw new IllegalArgumentException("unknown option " + a
							+ "; options: --runs N --w1-rows N --w2-txns N --w3-rows N --w4-rows N --w4-consumers starter,core "
							+ "--l1-rate N --l1-seconds N --l1-warmup N --skip w1,w2,w3,l1,w4,pg_recvlogical,pgjdbc,core,starter,debezium "
							+ "--with starter-untyped --jfr --out FILE --recvlogical PATH --jvm-flag FLAG --quick");
				}
			}
			if (o.recvlogical == null) {
				o.recvlogical = findRecvlogical();
			}
			return o;
		}

		String describe() {
			return String.format(Locale.ROOT,
					"runs=%d, W1=%d rows, W2=%d txns, W3=%d rows, W4=%d rows (%s), L1=%d txn/s for %d s after %d s warm-up, "
							+ "skipped=%s, extra consumers=%s, extra JVM flags=%s%s",
					this.runs, this.w1Rows, this.w2Txns, this.w3Rows, this.w4Rows,
					this.w4Consumers.stream().map((k) -> k.id).toList(), this.l1Rate, this.l1Seconds, this.l1Warmup,
					this.skip.isEmpty() ? "none" : this.skip, this.with.isEmpty() ? "none" : this.with,
					this.jvmFlags.isEmpty() ? "none" : this.jvmFlags,
					this.jfr ? ", JFR on the starter's first run" : "");
		}

		boolean enabled(String id) {
			return !this.skip.contains(id);
		}

		List<ConsumerKind> consumers() {
			List<ConsumerKind> kinds = new ArrayList<>();
			for (ConsumerKind kind : ConsumerKind.values()) {
				if (enabled(kind.id) && (kind.byDefault() || this.with.contains(kind.id))
						&& (kind != ConsumerKind.RECVLOGICAL || this.recvlogical != null)) {
					kinds.add(kind);
				}
			}
			return kinds;
		}

		Path out(Harness harness) {
			return (this.out != null) ? Path.of(this.out) : harness.moduleDir.resolve("results").resolve("latest.md");
		}

		private static String findRecvlogical() {
			List<Path> candidates = new ArrayList<>();
			try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
				dirs.sorted(java.util.Comparator.reverseOrder()).forEach((d) -> candidates.add(d.resolve("bin/pg_recvlogical")));
			}
			catch (java.io.IOException ex) {
				// not installed there
			}
			for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
				candidates.add(Path.of(dir, "pg_recvlogical"));
			}
			for (Path p : candidates) {
				if (Files.isExecutable(p)) {
					return p.toString();
				}
			}
			log("pg_recvlogical not found (Debian: apt-get install postgresql-client); running without the reference");
			return null;
		}

	}

}
