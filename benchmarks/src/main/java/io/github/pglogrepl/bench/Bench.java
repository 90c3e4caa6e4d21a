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
		return insertSelect("bench", from, to);
	}

	static String insertSelect(String table, long from, long to) {
		return "INSERT INTO " + table + " (id, name, qty, price, created_at) SELECT g, 'customer-' || md5(g::text), "
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

	/** S2: (nanoTime, retained WAL from restart_lsn, from confirmed_flush_lsn, current LSN as bytes) every second */
	final List<long[]> walSamples = new ArrayList<>();

	long backfillStart;

	long backfillEnd;

	LoadGenerator.Result backfillLoad;

	String backfillLoadAverage;

	/** the Kafka broker of K1/K2 (its settings are reported) */
	KafkaBrokerProcess broker;

	/** K2: the load of each consumer's run, by consumer id */
	final Map<String, LoadGenerator.Result> kafkaLoads = new LinkedHashMap<>();

	final Map<String, String> kafkaLoadAverages = new LinkedHashMap<>();

	/** rows in table snap (-1: not created) */
	private long snapRows = -1;

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
			if (this.options.enabled("s1")) {
				snapshotThroughput();
			}
			if (this.options.enabled("s2")) {
				backfillUnderLoad();
			}
			if (this.options.enabled("k1") || this.options.enabled("k2")) {
				kafka();
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

	/** Creates table {@code snap} with {@code rows} rows (and publication {@code snap_pub}), vacuumed and analyzed. */
	private void snapTable(long rows) throws Exception {
		if (this.snapRows == rows) {
			return;
		}
		this.server.execute("DROP PUBLICATION IF EXISTS snap_pub", "DROP PUBLICATION IF EXISTS s2_pub",
				"DROP TABLE IF EXISTS snap", TABLE_DDL.replace("bench", "snap"),
				"CREATE PUBLICATION snap_pub FOR TABLE snap");
		log("S1/S2: generating table snap with " + fmt(rows) + " rows");
		long g0 = System.nanoTime();
		this.server.execute(insertSelect("snap", 1, rows));
		double generation = (System.nanoTime() - g0) / 1e9;
		long v0 = System.nanoTime();
		// hint bits and visibility map set, statistics for the planner: no reader pays for the first scan
		this.server.execute("VACUUM (ANALYZE) snap", "CHECKPOINT");
		double vacuum = (System.nanoTime() - v0) / 1e9;
		String size = this.server.queryString("SELECT (pg_relation_size('snap') / 1000000)::text || ' MB heap, ' || "
				+ "(pg_indexes_size('snap') / 1000000)::text || ' MB primary key index'");
		this.snapRows = rows;
		this.workloadInfo.put("S1/S2 table", String.format(Locale.ROOT, "`snap`: the benchmark table's columns, %s rows "
				+ "(%s), generated in %.1f s, then `VACUUM (ANALYZE)` (%.1f s) and a checkpoint", fmt(rows), size,
				generation, vacuum));
	}

	private ConsumerProcess.Spec snapshotSpec(String workload, String variant, int run, String slot,
			String publication, long rows) {
		ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
		spec.workload = workload;
		spec.run = run;
		spec.variant = variant;
		spec.slot = slot;
		spec.publication = publication;
		spec.expectedRows = rows;
		spec.trackBackends = true;
		spec.timeout = Duration.ofMinutes(40);
		spec.jvmFlags.addAll(this.options.jvmFlags);
		return spec;
	}

	/** Runs one snapshot reader to its end; its slot (if any) is created before and dropped after. */
	private RunResult measure(ConsumerKind kind, ConsumerProcess.Spec spec, boolean report) throws Exception {
		if (spec.slot != null) {
			this.server.createSlot(spec.slot);
		}
		Path jfr = null;
		if (this.options.jfr && kind == ConsumerKind.STARTER_SNAPSHOT && report && spec.run == 1) {
			jfr = this.harness.logDir.resolve(spec.workload + "-" + kind.id + "-"
					+ spec.variant.replaceAll("[^A-Za-z0-9]+", "_") + ".jfr");
			spec.jvmFlags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings="
					+ JfrHotSpots.settings(this.harness.logDir));
		}
		String load = ProcFs.loadAverage();
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
			if (spec.slot != null) {
				this.server.dropSlot(spec.slot);
			}
		}
		r.extra.put("load_before", load);
		log(String.format(Locale.ROOT,
				"  %s %-16s %s: %s rows, first->last %.2f s (%s rows/s), client CPU %.2f s (first->last %.2f s), "
						+ "RSS %.0f MB, server backends (%d) CPU %.2f s, read from storage %.0f MB, walsender CPU %.2f s, "
						+ "machine busy %.0f%%, iowait %.0f%%, load before %s%s",
				spec.workload, kind.id, spec.variant, fmt(r.rows), r.firstToLast(), fmt(r.rowsPerSecond()),
				r.cpuSeconds(), r.streamCpuSeconds(), r.peakRssMb(), r.backendCount, r.backendCpuSeconds(),
				r.backendReadBytes / 1e6, r.walsenderCpuSeconds(), 100 * r.machineBusy, 100 * r.machineIowait, load,
				r.ok ? "" : "  FAILED: " + r.error));
		if (report) {
			this.results.add(r);
		}
		if (jfr != null && Files.exists(jfr)) {
			JfrHotSpots.summarise(jfr, System.out, 25);
		}
		return r;
	}

	/**
	 * S1: one table read by raw COPY (unordered and in key order: the floors), by the starter's {@code initial}
	 * snapshot (1 thread and N threads, in -Xmx128m) and by Debezium's {@code snapshot.mode=initial}.
	 */
	private void snapshotThroughput() throws Exception {
		long n = this.options.s1Rows;
		snapTable(n);
		log("S1: snapshot of one table of " + fmt(n) + " rows");
		// warm-up: the table into the page cache (not reported)
		ConsumerProcess.Spec warm = snapshotSpec("S1", "warm-up", 0, null, null, n);
		warm.extraArgs.addAll(List.of("--table", "snap"));
		measure(ConsumerKind.COPY, warm, false);
		// rounds of raw COPY, COPY in key order and the starter (one thread), one after the other: on a shared
		// machine the load moves between runs, so each ratio is taken within a round and the median reported
		for (int round = 1; round <= this.options.s1Runs; round++) {
			ConsumerProcess.Spec copy = snapshotSpec("S1", "SELECT * FROM snap", round, null, null, n);
			copy.extraArgs.addAll(List.of("--table", "snap"));
			measure(ConsumerKind.COPY, copy, true);
			ConsumerProcess.Spec ordered = snapshotSpec("S1", "SELECT * FROM snap ORDER BY id", round, null, null, n);
			ordered.extraArgs.addAll(List.of("--table", "snap", "--order", "id"));
			measure(ConsumerKind.COPY, ordered, true);
			if (this.options.enabled("starter")) {
				int[] threadCounts = (this.options.s1Threads > 1 && round == 1)
						? new int[] { 1, this.options.s1Threads } : new int[] { 1 };
				for (int threads : threadCounts) {
					ConsumerProcess.Spec spec = snapshotSpec("S1",
							threads + ((threads == 1) ? " thread" : " threads") + ", 1 table, -Xmx128m", round,
							// a slot of its own per run: the progress table remembers an initial snapshot per slot
							"s1_starter_" + threads + "_" + round, "snap_pub", n);
					spec.extraArgs.addAll(List.of("--threads", String.valueOf(threads), "--tables", "1",
							"--progress-store", this.options.s1ProgressStore));
					if (this.options.s1ChunkSize > 0) {
						spec.extraArgs.addAll(List.of("--chunk-size", String.valueOf(this.options.s1ChunkSize)));
					}
					spec.jvmFlags.addAll(0, List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"));
					measure(ConsumerKind.STARTER_SNAPSHOT, spec, true);
				}
			}
		}
		if (this.options.enabled("debezium")) {
			// Debezium reads the whole table but is measured over its first rows only: at its rate 10 million rows
			// would take most of an hour
			long dn = Math.min(n, this.options.s1DebeziumRows);
			ConsumerProcess.Spec spec = snapshotSpec("S1", "snapshot.mode=initial"
					+ ((dn < n) ? ", measured over its first " + fmt(dn) + " rows" : ""), 1, "s1_debezium", "snap_pub", dn);
			spec.extraArgs.addAll(List.of("--snapshot-mode", "initial", "--table", "public.snap"));
			measure(ConsumerKind.DEBEZIUM, spec, true);
		}
		int split = this.options.s1Split;
		if (split > 1 && this.options.enabled("starter")) {
			long per = n / split;
			List<String> tables = new ArrayList<>();
			log("S1: generating " + split + " tables of " + fmt(per) + " rows for the split variant");
			long g0 = System.nanoTime();
			for (int i = 1; i <= split; i++) {
				String schema = "s1split_" + i;
				this.server.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
						TABLE_DDL.replace("bench", schema + ".snap"),
						insertSelect(schema + ".snap", (i - 1) * per + 1, i * per),
						"VACUUM (ANALYZE) " + schema + ".snap");
				tables.add(schema + ".snap");
			}
			this.server.execute("CHECKPOINT", "DROP PUBLICATION IF EXISTS s1split_pub",
					"CREATE PUBLICATION s1split_pub FOR TABLE " + String.join(", ", tables));
			this.workloadInfo.put("S1 split", String.format(Locale.ROOT, "%d tables `s1split_<n>.snap` of %s rows each "
					+ "(generated in %.1f s), read by the starter with %d threads", split, fmt(per),
					(System.nanoTime() - g0) / 1e9, split));
			for (String schema : tables) {
				// into the page cache, as the one table was
				ConsumerProcess.Spec w = snapshotSpec("S1", "warm-up", 0, null, null, per);
				w.extraArgs.addAll(List.of("--table", schema));
				measure(ConsumerKind.COPY, w, false);
			}
			ConsumerProcess.Spec spec = snapshotSpec("S1", split + " threads, " + split + " tables × " + fmt(per)
					+ " rows, -Xmx128m", 1, "s1_starter_split", "s1split_pub", per * split);
			spec.extraArgs.addAll(List.of("--threads", String.valueOf(split), "--tables", String.valueOf(split),
					"--progress-store", this.options.s1ProgressStore));
			spec.jvmFlags.addAll(0, List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"));
			measure(ConsumerKind.STARTER_SNAPSHOT, spec, true);
			for (String schema : tables) {
				this.server.execute("DROP SCHEMA " + schema.substring(0, schema.indexOf('.')) + " CASCADE");
			}
			this.server.execute("DROP PUBLICATION IF EXISTS s1split_pub");
		}
	}

	/**
	 * S2: the starter streams tables {@code bench} and {@code snap}; while a writer commits single-row
	 * transactions into {@code bench} at a steady rate, a backfill of {@code snap} runs (started through the
	 * Snapshots bean). Commit-to-listener latency of the live rows during the backfill, and the slot's retained WAL
	 * sampled every second.
	 */
	private void backfillUnderLoad() throws Exception {
		long n = this.options.s2Rows;
		snapTable(n);
		this.server.execute("DROP PUBLICATION IF EXISTS s2_pub", "CREATE PUBLICATION s2_pub FOR TABLE bench, snap");
		String slot = "s2_starter";
		this.server.createSlot(slot);
		ConsumerProcess.Spec spec = snapshotSpec("S2", "backfill of " + fmt(n) + " rows under " + this.options.s2Rate
				+ " txn/s", 1, slot, "s2_pub", Long.MAX_VALUE);
		spec.mode = "backfill";
		spec.jvmFlags.add("-Xlog:gc:file=" + this.harness.logDir.resolve("S2-starter-gc.log"));
		ConsumerProcess p = new ConsumerProcess(this.server, this.harness, ConsumerKind.STARTER_SNAPSHOT, spec);
		log(String.format(Locale.ROOT, "S2: backfill of snap (%s rows) while %d single-row transactions/s are "
				+ "committed into bench, starter streaming both", fmt(n), this.options.s2Rate));
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
		Thread load = null;
		Thread sampler = null;
		LoadGenerator.Result[] loadResult = new LoadGenerator.Result[1];
		Exception[] loadFailure = new Exception[1];
		try {
			p.start();
			if (!p.awaitActive(Duration.ofSeconds(120))) {
				throw new IllegalStateException("starter did not start streaming");
			}
			Thread.sleep(1000);
			int warmup = 3;
			load = new Thread(() -> {
				try {
					loadResult[0] = new LoadGenerator(this.server, this.options.l1Threads).run(70_000_001L,
							this.options.s2Rate, warmup, 3600, stop::get);
				}
				catch (Exception ex) {
					loadFailure[0] = ex;
				}
			}, "bench-s2-load");
			load.start();
			sampler = new Thread(() -> sampleRetainedWal(slot, sampling), "bench-s2-wal");
			sampler.start();
			Thread.sleep(warmup * 1000L + 500);
			String lsnStart = this.server.currentLsn();
			p.send("backfill snap");
			Map<String, String> started = p.awaitEvent("backfill-started", Duration.ofSeconds(60));
			if (started == null) {
				throw new IllegalStateException("backfill did not start");
			}
			this.backfillStart = Long.parseLong(started.get("at"));
			Map<String, String> completed = p.awaitEvent("snapshot-completed", Duration.ofMinutes(40));
			if (completed == null) {
				throw new IllegalStateException("backfill did not complete");
			}
			this.backfillEnd = Long.parseLong(completed.get("at"));
			stop.set(true);
			load.join();
			this.backfillLoadAverage = ProcFs.loadAverage();
			sampling.set(false);
			sampler.join();
			if (loadFailure[0] != null) {
				throw loadFailure[0];
			}
			LoadGenerator.Result result = loadResult[0];
			this.backfillLoad = result;
			String lsnEnd = this.server.currentLsn();
			String walBytes = this.server.queryString("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint::text",
					lsnEnd, lsnStart);
			spec.expectedRows = result.rows();
			p.send("expect " + result.rows() + " " + started.get("micros"));
			RunResult r = p.finish();
			r.extra.put("achieved_rate", String.format(Locale.ROOT, "%.0f", result.achievedRate()));
			r.extra.put("wal_written_bytes", walBytes);
			this.results.add(r);
			log(String.format(Locale.ROOT, "  S2 backfill %s rows in %.1f s; live rows achieved %.0f txn/s; latency "
					+ "p50 %s us, p99 %s us, max %s us; retained WAL max %s bytes (restart_lsn), %s (confirmed_flush); "
					+ "WAL written %s bytes%s", r.extra.get("snap_rows"),
					(this.backfillEnd - this.backfillStart) / 1e9, result.achievedRate(), r.extra.get("lat_p50_us"),
					r.extra.get("lat_p99_us"), r.extra.get("lat_max_us"), fmt(maxRetained(1)), fmt(maxRetained(2)),
					walBytes, r.ok ? "" : "  FAILED: " + r.error));
		}
		catch (Exception ex) {
			p.kill();
			throw ex;
		}
		finally {
			stop.set(true);
			sampling.set(false);
			if (load != null) {
				load.join();
			}
			if (sampler != null) {
				sampler.join();
			}
			this.server.dropSlot(slot);
		}
	}

	private void sampleRetainedWal(String slot, java.util.concurrent.atomic.AtomicBoolean sampling) {
		try (java.sql.Connection c = this.server.connect();
				java.sql.PreparedStatement st = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), "
						+ "restart_lsn)::bigint, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, "
						+ "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint FROM pg_replication_slots "
						+ "WHERE slot_name = ?")) {
			st.setString(1, slot);
			while (sampling.get()) {
				long now = System.nanoTime();
				try (java.sql.ResultSet rs = st.executeQuery()) {
					if (rs.next()) {
						synchronized (this.walSamples) {
							this.walSamples.add(new long[] { now, rs.getLong(1), rs.getLong(2), rs.getLong(3) });
						}
					}
				}
				long wait = 1_000_000_000L - (System.nanoTime() - now);
				if (wait > 0) {
					java.util.concurrent.locks.LockSupport.parkNanos(wait);
				}
			}
		}
		catch (java.sql.SQLException ex) {
			log("S2: retained WAL sampling failed: " + ex.getMessage());
		}
	}

	/** @param column 1: from restart_lsn, 2: from confirmed_flush_lsn; the largest sample during the backfill */
	long maxRetained(int column) {
		long max = -1;
		synchronized (this.walSamples) {
			for (long[] s : this.walSamples) {
				if (s[0] >= this.backfillStart && (this.backfillEnd == 0 || s[0] <= this.backfillEnd)) {
					max = Math.max(max, s[column]);
				}
			}
		}
		return max;
	}

	/** The Kafka workloads: one broker for all of them, then K1 and K2. */
	private void kafka() throws Exception {
		List<ConsumerKind> kinds = new ArrayList<>();
		for (ConsumerKind kind : List.of(ConsumerKind.STARTER_KAFKA, ConsumerKind.DEBEZIUM_KAFKA)) {
			if (this.options.enabled(kind.id)) {
				kinds.add(kind);
			}
		}
		if (kinds.isEmpty()) {
			return;
		}
		log("K: starting the Kafka broker (its own JVM)");
		try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(this.harness, this.options.brokerJvmFlags,
				this.options.brokerProps)) {
			this.broker = kafka;
			log(String.format(Locale.ROOT, "K: broker at %s (pid %d) started in %.1f s; %s", kafka.bootstrap, kafka.pid,
					kafka.startSeconds, kafka.config));
			long warm = Math.max(200_000, Math.min(this.options.k1Rows, 2_000_000));
			log(String.format(Locale.ROOT, "K: broker warmed up with %s records in %.1f s (a producer in its JVM, not measured)",
					fmt(warm), kafka.warmup(warm)));
			if (this.options.enabled("k1")) {
				kafkaThroughput(kafka, kinds);
			}
			if (this.options.enabled("k2")) {
				for (ConsumerKind kind : kinds) {
					kafkaLatency(kafka, kind);
				}
			}
		}
	}

	private ConsumerProcess.Spec kafkaSpec(KafkaBrokerProcess kafka, String workload, int run, String slot, long rows) {
		ConsumerProcess.Spec spec = new ConsumerProcess.Spec();
		spec.workload = workload;
		spec.run = run;
		spec.slot = slot;
		spec.publication = PUBLICATION;
		spec.expectedRows = rows;
		spec.proto = "1";
		spec.trackBackends = true;
		spec.trackPids.put("broker", kafka.pid);
		spec.extraArgs.addAll(List.of("--bootstrap", kafka.bootstrap, "--topic-prefix", slot, "--producer",
				this.options.kafkaProducer));
		spec.jvmFlags.addAll(this.options.jvmFlags);
		return spec;
	}

	/**
	 * K1: rows committed in large transactions, drained from the slot to broker-acknowledged records by the
	 * starter's relay and by Debezium + KafkaProducer, one slot per consumer and run (created before the workload)
	 * and a fresh topic per run.
	 */
	private void kafkaThroughput(KafkaBrokerProcess kafka, List<ConsumerKind> kinds) throws Exception {
		long n = this.options.k1Rows;
		long perTxn = Math.min(n, this.options.k1TxnRows);
		for (int run = 1; run <= this.options.kRuns; run++) {
			for (ConsumerKind kind : kinds) {
				this.server.createSlot(slotName("K1", kind, run));
			}
		}
		String warmupSlot = "k1_warmup";
		this.server.createSlot(warmupSlot);
		String startLsn = this.server.currentLsn();
		String description = "Kafka throughput: " + fmt(n) + " rows in transactions of " + fmt(perTxn) + " rows";
		log("K1: " + description);
		long g0 = System.nanoTime();
		long first = 300_000_001L;
		for (long from = first; from < first + n; from += perTxn) {
			this.server.execute(insertSelect(from, Math.min(first + n - 1, from + perTxn - 1)));
		}
		double generation = (System.nanoTime() - g0) / 1e9;
		String endLsn = this.server.currentLsn();
		this.server.execute("CHECKPOINT");
		String walBytes = this.server.queryString("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint::text",
				endLsn, startLsn);
		this.workloadInfo.put("K1", String.format(Locale.ROOT, "%s; generated in %.1f s; %s MB of WAL; load average "
				+ "before draining %s", description, generation, fmt(Long.parseLong(walBytes) / 1_000_000),
				ProcFs.loadAverage()));
		warmup("K1", warmupSlot, n, endLsn, "1");
		for (int run = 1; run <= this.options.kRuns; run++) {
			List<ConsumerKind> order = new ArrayList<>(kinds);
			java.util.Collections.rotate(order, -(run - 1));
			for (ConsumerKind kind : order) {
				String slot = slotName("K1", kind, run);
				String topic = slot + ".public.bench";
				kafka.createTopic(topic, this.options.kPartitions, "");
				ConsumerProcess.Spec spec = kafkaSpec(kafka, "K1", run, slot, n);
				spec.endLsn = endLsn;
				Path jfr = null;
				if (this.options.jfr && run == 1) {
					jfr = this.harness.logDir.resolve("K1-" + kind.id + ".jfr");
					spec.jvmFlags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings="
							+ JfrHotSpots.settings(this.harness.logDir));
				}
				String load = ProcFs.loadAverage();
				RunResult r = drain(kind, spec);
				r.extra.put("load_before", load);
				onBroker(kafka, r, topic, n);
				this.results.add(r);
				log(String.format(Locale.ROOT, "  K1 %s run %d: broker CPU %.2f s first->last, client %.0f %%, "
						+ "walsender %.0f %% (of catch-up), broker %.0f %% of a core, machine busy %.0f %%; on the broker: %s",
						kind.id, run, kafkaBrokerCpu(r), 100 * share(r.streamCpuSeconds(), r.firstToLast()),
						100 * share(r.walsenderCpuSeconds(), r.catchUp()), 100 * share(kafkaBrokerCpu(r), r.firstToLast()),
						100 * r.machineBusy, r.extra.get("broker_records")));
				log("    client CPU by thread: " + r.extra.get("thread_cpu"));
				if (jfr != null && Files.exists(jfr)) {
					JfrHotSpots.summarise(jfr, System.out, 25);
				}
			}
		}
	}

	private static void onBroker(KafkaBrokerProcess kafka, RunResult r, String topic, long expected) throws Exception {
		long[] count = kafka.count(topic);
		long onBroker = count[0];
		r.extra.put("broker_records", String.valueOf(onBroker));
		r.extra.put("broker_bytes", String.valueOf(count[1]));
		if (r.ok && onBroker < expected) {
			r.ok = false;
			r.error = "the broker has " + onBroker + " records of " + expected;
		}
	}

	static double share(double cpuSeconds, double seconds) {
		return (seconds > 0) ? cpuSeconds / seconds : Double.NaN;
	}

	/** @return the broker's CPU seconds between the run's first send and last acknowledgement */
	static double kafkaBrokerCpu(RunResult r) {
		String ticks = r.extra.get("broker_cpu_ticks");
		return (ticks != null) ? Long.parseLong(ticks) / (double) ProcFs.CLOCK_TICKS : Double.NaN;
	}

	/**
	 * K2: single-row transactions at a steady rate while one consumer relays them live; commit-to-broker-ack
	 * latency of every record.
	 */
	private void kafkaLatency(KafkaBrokerProcess kafka, ConsumerKind kind) throws Exception {
		String slot = slotName("K2", kind, 1);
		this.server.createSlot(slot);
		String topic = slot + ".public.bench";
		kafka.createTopic(topic, this.options.kPartitions, "");
		ConsumerProcess.Spec spec = kafkaSpec(kafka, "K2", 1, slot, Long.MAX_VALUE);
		spec.mode = "latency";
		spec.jvmFlags.add("-Xlog:gc:file=" + this.harness.logDir.resolve("K2-" + kind.id + "-gc.log"));
		Path jfr = null;
		if (this.options.jfr) {
			jfr = this.harness.logDir.resolve("K2-" + kind.id + ".jfr");
			spec.jvmFlags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings="
					+ JfrHotSpots.settings(this.harness.logDir));
		}
		ConsumerProcess p = new ConsumerProcess(this.server, this.harness, kind, spec);
		log(String.format(Locale.ROOT, "K2: %d single-row transactions/s for %d s (after %d s warm-up), %s relaying "
				+ "live to the broker", this.options.k2Rate, this.options.k2Seconds, this.options.k2Warmup, kind.id));
		try {
			p.start();
			if (!p.awaitActive(Duration.ofSeconds(120))) {
				throw new IllegalStateException(kind.id + " did not start streaming");
			}
			// Debezium starts streaming a moment after it takes the slot
			Thread.sleep(2000);
			long firstId = 400_000_001L + 10_000_000L * kind.ordinal();
			LoadGenerator.Result load = new LoadGenerator(this.server, this.options.l1Threads).run(firstId,
					this.options.k2Rate, this.options.k2Warmup, this.options.k2Seconds);
			this.kafkaLoads.put(kind.id, load);
			this.kafkaLoadAverages.put(kind.id, ProcFs.loadAverage());
			spec.expectedRows = load.rows();
			p.send("expect " + load.rows() + " " + load.measureFromMicros());
			RunResult r = p.finish();
			r.extra.put("achieved_rate", String.format(Locale.ROOT, "%.0f", load.achievedRate()));
			onBroker(kafka, r, topic, load.rows());
			this.results.add(r);
			log(String.format(Locale.ROOT, "  K2 %s achieved %.0f txn/s; commit-to-broker-ack p50 %s us, p99 %s us, "
					+ "max %s us, over 20 ms: %s in %s bursts (%s); client CPU %.2f s, broker CPU %.2f s, walsender CPU "
					+ "%.2f s%s", kind.id, load.achievedRate(), r.extra.get("lat_p50_us"), r.extra.get("lat_p99_us"),
					r.extra.get("lat_max_us"), r.extra.get("lat_over_20ms"), r.extra.get("lat_bursts"),
					r.extra.get("lat_stalls"), r.streamCpuSeconds(), kafkaBrokerCpu(r), r.walsenderCpuSeconds(),
					r.ok ? "" : "  FAILED: " + r.error));
			log("    client CPU by thread: " + r.extra.get("thread_cpu"));
			if (jfr != null && Files.exists(jfr)) {
				JfrHotSpots.summarise(jfr, System.out, 25);
			}
		}
		catch (Exception ex) {
			p.kill();
			throw ex;
		}
		finally {
			this.server.dropSlot(slot);
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

		long s1Rows = 10_000_000;

		int s1Threads = 2;

		int s1Split;

		long s1DebeziumRows = 2_000_000;

		int s1Runs = 2;

		/** pglogrepl.snapshot.chunk-size of the starter in S1 (0: its default) */
		int s1ChunkSize;

		String s1ProgressStore = "table";

		long s2Rows = -1;

		int s2Rate = 1000;

		long k1Rows = 1_000_000;

		long k1TxnRows = 100_000;

		int kRuns = 2;

		int kPartitions = 1;

		/** producer settings of both Kafka consumers (besides acks=all and idempotence, which both enforce) */
		String kafkaProducer = "linger.ms=5,batch.size=16384,compression.type=none,"
				+ "max.in.flight.requests.per.connection=5,buffer.memory=33554432";

		int k2Rate = 2000;

		int k2Seconds = 30;

		int k2Warmup = 5;

		List<String> brokerProps = new ArrayList<>();

		List<String> brokerJvmFlags = new ArrayList<>();

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
					case "--s1-rows" -> o.s1Rows = Long.parseLong(args[++i]);
					case "--s1-threads" -> o.s1Threads = Integer.parseInt(args[++i]);
					case "--s1-runs" -> o.s1Runs = Integer.parseInt(args[++i]);
					case "--s1-chunk-size" -> o.s1ChunkSize = Integer.parseInt(args[++i]);
					case "--s1-split" -> o.s1Split = Integer.parseInt(args[++i]);
					case "--s1-debezium-rows" -> o.s1DebeziumRows = Long.parseLong(args[++i]);
					case "--s1-progress-store" -> o.s1ProgressStore = args[++i];
					case "--s2-rows" -> o.s2Rows = Long.parseLong(args[++i]);
					case "--s2-rate" -> o.s2Rate = Integer.parseInt(args[++i]);
					case "--skip" -> o.skip.addAll(Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(",")));
					case "--with" -> o.with.addAll(Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(",")));
					case "--k1-rows" -> o.k1Rows = Long.parseLong(args[++i]);
					case "--k1-txn-rows" -> o.k1TxnRows = Long.parseLong(args[++i]);
					case "--k-runs" -> o.kRuns = Integer.parseInt(args[++i]);
					case "--k-partitions" -> o.kPartitions = Integer.parseInt(args[++i]);
					case "--k-producer" -> o.kafkaProducer = args[++i];
					case "--k-producer-add" -> o.kafkaProducer = o.kafkaProducer + "," + args[++i];
					case "--k2-rate" -> o.k2Rate = Integer.parseInt(args[++i]);
					case "--k2-seconds" -> o.k2Seconds = Integer.parseInt(args[++i]);
					case "--k2-warmup" -> o.k2Warmup = Integer.parseInt(args[++i]);
					case "--broker-prop" -> o.brokerProps.add(args[++i]);
					case "--broker-jvm-flag" -> o.brokerJvmFlags.add(args[++i]);
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
						o.s1Rows = 500_000;
						o.s1Runs = 1;
						o.s1DebeziumRows = 100_000;
						o.k1Rows = 100_000;
						o.k1TxnRows = 10_000;
						o.kRuns = 1;
						o.k2Seconds = 5;
						o.k2Warmup = 2;
					}
					default -> throw new IllegalArgumentException("unknown option " + a
							+ "; options: --runs N --w1-rows N --w2-txns N --w3-rows N --w4-rows N --w4-consumers starter,core "
							+ "--l1-rate N --l1-seconds N --l1-warmup N --s1-rows N --s1-runs N --s1-threads N --s1-chunk-size N --s1-split N --s1-debezium-rows N "
							+ "--s1-progress-store table|memory --s2-rows N --s2-rate N "
							+ "--k1-rows N --k1-txn-rows N --k-runs N --k-partitions N --k-producer k=v,... --k-producer-add k=v,... "
							+ "--k2-rate N --k2-seconds N --k2-warmup N --broker-prop k=v --broker-jvm-flag FLAG "
							+ "--skip w1,w2,w3,l1,w4,s1,s2,k1,k2,pg_recvlogical,pgjdbc,core,starter,debezium,starter-kafka,debezium-kafka "
							+ "--with starter-untyped --jfr --out FILE --recvlogical PATH --jvm-flag FLAG --quick");
				}
			}
			if (o.s2Rows < 0) {
				o.s2Rows = o.s1Rows;
			}
			if (o.recvlogical == null) {
				o.recvlogical = findRecvlogical();
			}
			return o;
		}

		String describe() {
			return String.format(Locale.ROOT,
					"runs=%d, W1=%d rows, W2=%d txns, W3=%d rows, W4=%d rows (%s), L1=%d txn/s for %d s after %d s warm-up, "
							+ "S1=%d rows (%d rounds, starter threads 1 and %d, split %s, progress store %s, chunk size %s, Debezium measured over %d rows), S2=%d rows under %d txn/s, "
							+ "K1=%d rows in transactions of %d (%d runs), K2=%d txn/s for %d s after %d s warm-up, "
							+ "topic partitions %d, producer settings %s, "
							+ "skipped=%s, extra consumers=%s, extra JVM flags=%s%s",
					this.runs, this.w1Rows, this.w2Txns, this.w3Rows, this.w4Rows,
					this.w4Consumers.stream().map((k) -> k.id).toList(), this.l1Rate, this.l1Seconds, this.l1Warmup,
					this.s1Rows, this.s1Runs, this.s1Threads, (this.s1Split > 1) ? this.s1Split + " tables" : "off",
					this.s1ProgressStore, (this.s1ChunkSize > 0) ? String.valueOf(this.s1ChunkSize) : "default",
					Math.min(this.s1Rows, this.s1DebeziumRows), this.s2Rows, this.s2Rate, this.k1Rows, this.k1TxnRows,
					this.kRuns, this.k2Rate, this.k2Seconds, this.k2Warmup, this.kPartitions, this.kafkaProducer,
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
				if (kind.streams() && enabled(kind.id) && (kind.byDefault() || this.with.contains(kind.id))
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
