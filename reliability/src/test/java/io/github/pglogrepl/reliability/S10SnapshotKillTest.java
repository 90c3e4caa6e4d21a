package io.github.pglogrepl.reliability;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pglogrepl.reliability.app.MirrorApplier;
import io.github.pglogrepl.reliability.support.AppProcess;
import io.github.pglogrepl.reliability.support.AppProperties;
import io.github.pglogrepl.reliability.support.Outcome;
import io.github.pglogrepl.reliability.support.Report;
import io.github.pglogrepl.reliability.support.Soak;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 10: the initial snapshot ({@code pglogrepl.snapshot.mode=initial}) of four tables — a bigint key, a
 * composite key, a uuid key, a partitioned table published through its root — under a writer doing inserts,
 * updates, key updates and deletes the whole time, with the application (its own JVM) killed with SIGKILL at random
 * points of the snapshot and started again, over and over. The application applies every event to a copy of the
 * tables in another database before its listener returns ({@link MirrorApplier}). The snapshot must resume where it
 * stopped (the progress table only grows, and the snapshot rows applied exceed the rows the progress table counts
 * by the chunks in flight at the kills, not by whole tables), then complete; after the stream caught up, the copy
 * must equal the source row by row: nothing missing, nothing stale, nothing extra.
 */

@RealPostgres
class S10SnapshotKillTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	private static final int CHUNK_SIZE = 300;

	private static final int THREADS = 4;

	@Test
	@Timeout(value = 30, unit = TimeUnit.MINUTES)
	void snapshotKilledAtRandomPointsResumesAndTheCopyEqualsTheSource(TestPostgres pg) throws Exception {
		int kills = Soak.pick(10, 30);
		// sized so that a quiet machine does not finish the snapshot before the kills are done
		int rows = Integer.getInteger("reliability.s10.rows", Soak.pick(24_000, 60_000));
		long seed = Long.getLong("reliability.seed", System.nanoTime());
		Random random = new Random(seed);
		Path dir = Soak.workDir("s10-snapshot-kill-pg" + pg.majorVersion());
		String p = TestPostgres.uniqueName("snapkill");
		String simple = p + "_simple";
		String composite = p + "_comp";
		String uuid = p + "_uuid";
		String parted = p + "_part";
		String sentinel = p + "_sentinel";
		String slot = p + "_slot";
		String progressTable = p + "_progress";
		String mirrorDb = p + "_mirror";
		pg.execute("CREATE TABLE " + simple + " (id bigint PRIMARY KEY, v text, n int)",
				"CREATE TABLE " + composite + " (a int, b text, v int, PRIMARY KEY (a, b))",
				"CREATE TABLE " + uuid + " (id uuid PRIMARY KEY, v text)",
				"CREATE TABLE " + parted + " (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
				"CREATE TABLE " + parted + "_r0 PARTITION OF " + parted + " FOR VALUES IN ('r0')",
				"CREATE TABLE " + parted + "_r1 PARTITION OF " + parted + " FOR VALUES IN ('r1')",
				"CREATE TABLE " + parted + "_r2 PARTITION OF " + parted + " FOR VALUES IN ('r2')",
				"CREATE TABLE " + sentinel + " (id bigint PRIMARY KEY)",
				"INSERT INTO " + simple + " SELECT i, 'v' || i, i FROM generate_series(1, " + rows + ") i",
				"INSERT INTO " + composite + " SELECT i, 'k' || (i % 7), i FROM generate_series(1, " + rows / 2 + ") i",
				"INSERT INTO " + uuid + " SELECT md5(i::text)::uuid, 'v' || i FROM generate_series(1, " + rows / 2 + ") i",
				"INSERT INTO " + parted + " SELECT i, 'r' || (i % 3), i FROM generate_series(1, " + rows / 2 + ") i",
				"CREATE PUBLICATION " + p + " FOR TABLE " + simple + ", " + composite + ", " + uuid + ", " + parted + ", "
						+ sentinel + " WITH (publish_via_partition_root = true)",
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
				"CREATE DATABASE " + mirrorDb);
		int initialRows = rows + 3 * (rows / 2);
		Map<String, List<String>> keys = new LinkedHashMap<>();
		keys.put("public." + simple, List.of("id"));
		keys.put("public." + composite, List.of("a", "b"));
		keys.put("public." + uuid, List.of("id"));
		keys.put("public." + parted, List.of("id", "region"));
		String mirrorUrl = pg.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + mirrorDb);
		Mirror mirror = new Mirror(mirrorUrl, pg.properties(), progressTable, pg);
		List<String> props = AppProperties.of(pg.jdbcUrl(), pg.user(), slot, p, sentinel);
		props.add("pglogrepl.snapshot.mode=initial");
		props.add("pglogrepl.snapshot.chunk-size=" + CHUNK_SIZE);
		props.add("pglogrepl.snapshot.threads=" + THREADS);
		props.add("pglogrepl.snapshot.progress-table=" + progressTable);
		props.add("reliability.app.mirror-url=" + mirrorUrl);
		MixedWriter writer = new MixedWriter(pg, simple, composite, uuid, parted, rows);
		List<Long> recoveries = new ArrayList<>();
		List<long[]> progressAtKills = new ArrayList<>();
		int startupKills = 0;
		int grew = 0;
		long chunksReadAgainInRuns = 0;
		long started = System.currentTimeMillis();
		AppProcess app = null;
		try {
			writer.start();
			long faultAt = -1;
			long lastFirstRow = 6000;
			long[] previous = { 0, 0 };
			for (int i = 0; i < kills; i++) {
				app = AppProcess.start("app-" + i, dir, props);
				long instanceStart = System.currentTimeMillis();
				long applied = mirror.snapshotRowsApplied();
				long firstRow = -1;
				int delay;
				if (i % 4 == 3) {
					// a random point that may fall in the JVM's start, the progress table's load, the resume or the
					// first chunks: up to the last instance's time to its first snapshot row + 1 s, and at most 1 s
					// after this instance's first snapshot row (so that no instance reads much of the snapshot)
					delay = random.nextInt((int) Math.max(3000, lastFirstRow + 1000));
					long deadline = instanceStart + delay;
					long firstSeen = -1;
					while (System.currentTimeMillis() < deadline
							&& (firstSeen < 0 || System.currentTimeMillis() - firstSeen < 1000)) {
						Soak.sleep(20);
						if (firstSeen < 0 && mirror.snapshotRowsApplied() > applied) {
							firstSeen = System.currentTimeMillis();
						}
					}
					delay = (int) (System.currentTimeMillis() - instanceStart);
					if (mirror.snapshotRowsApplied() == applied) {
						startupKills++;
					}
				}
				else {
					AppProcess current = app;
					Soak.await("instance " + i + " to apply snapshot rows", TIMEOUT,
							() -> mirror.snapshotRowsApplied() > applied || !current.isAlive() || mirror.snapshotComplete());
					assertThat(app.isAlive()).as("application %d alive; log:%n%s", i, app.logTail()).isTrue();
					firstRow = System.currentTimeMillis() - instanceStart;
					lastFirstRow = firstRow;
					if (faultAt >= 0) {
						recoveries.add(System.currentTimeMillis() - faultAt);
					}
					delay = random.nextInt(1000);
					Soak.sleep(delay);
				}
				assertThat(mirror.snapshotComplete()).as("snapshot complete before kill %d (make the tables bigger "
						+ "if the snapshot completes before the kills are done)", i + 1).isFalse();
				chunksReadAgainInRuns += Long.parseLong(app.status().getOrDefault("snapshotChunksReadAgain", "0"));
				app.kill();
				faultAt = System.currentTimeMillis();
				long[] after = mirror.progress();
				progressAtKills.add(after);
				assertThat(after[0]).as("rows delivered in the progress table never go back (kill %d)", i + 1)
					.isGreaterThanOrEqualTo(previous[0]);
				assertThat(after[1]).as("chunks in the progress table never go back (kill %d)", i + 1)
					.isGreaterThanOrEqualTo(previous[1]);
				if (after[1] > previous[1]) {
					grew++;
				}
				previous = after;
				long copied = mirror.snapshotRowsApplied();
				System.out.println("S10: kill " + (i + 1) + ": " + ((firstRow >= 0) ? "first snapshot row " + firstRow
						+ " ms after the start, killed " + delay + " ms after it" : "killed " + delay
								+ " ms after the start") + "; this instance applied " + (copied - applied)
						+ " snapshot rows; progress table " + after[0] + " rows, " + after[1] + " chunks; copy "
						+ copied + " snapshot rows");
			}
			// the last instance completes the snapshot and runs on
			app = AppProcess.start("app-final", dir, props);
			AppProcess last = app;
			Soak.await("the snapshot to complete", TIMEOUT,
					() -> mirror.snapshotComplete() || !last.isAlive());
			assertThat(app.isAlive()).as("final application alive; log:%n%s", app.logTail()).isTrue();
			long snapshotDone = System.currentTimeMillis();
			Soak.sleep(1000);
			writer.stop();
			assertThat(writer.error.get()).as("writer error").isNull();
			pg.execute("INSERT INTO " + sentinel + " VALUES (1)");
			Soak.await("the stream to catch up (the sentinel row in the copy)", TIMEOUT,
					() -> mirror.count("public." + sentinel) > 0 || !last.isAlive());
			chunksReadAgainInRuns += Long.parseLong(app.status().getOrDefault("snapshotChunksReadAgain", "0"));
			// compare
			long sourceRows = 0;
			long matching = 0;
			List<String> missing = new ArrayList<>();
			List<String> stale = new ArrayList<>();
			List<String> extra = new ArrayList<>();
			for (Map.Entry<String, List<String>> table : keys.entrySet()) {
				Map<String, String> source = source(pg, table.getKey(), table.getValue());
				Map<String, String> copy = mirror.rows(table.getKey());
				sourceRows += source.size();
				for (Map.Entry<String, String> row : source.entrySet()) {
					String got = copy.get(row.getKey());
					if (got == null) {
						missing.add(table.getKey() + " " + row.getKey() + ": " + row.getValue());
					}
					else if (!got.equals(row.getValue())) {
						stale.add(table.getKey() + " " + row.getKey() + ": source " + row.getValue() + ", copy " + got);
					}
					else {
						matching++;
					}
				}
				for (Map.Entry<String, String> row : copy.entrySet()) {
					if (!source.containsKey(row.getKey())) {
						extra.add(table.getKey() + " " + row.getKey() + ": " + row.getValue());
					}
				}
			}
			long[] progress = mirror.progress();
			long[] applied = mirror.snapshotApplied();
			long rowsReadAgain = applied[0] - progress[0];
			long chunksReadAgainAfterKills = applied[1] - progress[1];
			long maxRecovery = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
			int resumedLogs = countResumes(dir);
			String notes = String.format(java.util.Locale.ROOT,
					"%d+%d+%d+%d rows (bigint, composite, uuid, partitioned root), chunk-size %d, %d threads; "
							+ "%d of the kills hit before the instance applied a snapshot row; snapshot complete "
							+ "%.1f s after the first start; progress table at the end: %d rows in %d chunks, grew "
							+ "across %d of %d kills; copy got %d snapshot rows in %d chunks: %d rows (%d chunks) "
							+ "read again after kills ('Duplicates'), %d chunks read again within runs; stale %d, "
							+ "extra %d; writer %d statements (%s); recovery = kill to the next JVM's first "
							+ "snapshot row applied; seed %d",
					rows, rows / 2, rows / 2, rows / 2, CHUNK_SIZE, THREADS, startupKills,
					(snapshotDone - started) / 1000.0, progress[0], progress[1], grew, kills, applied[0], applied[1],
					rowsReadAgain, chunksReadAgainAfterKills, chunksReadAgainInRuns, stale.size(), extra.size(),
					writer.statements.get(), writer.summary(), seed);
			Report.add(new Report.Entry("10", "Initial snapshot under a writer (inserts, updates, key updates, "
					+ "deletes), application SIGKILL at random points of the snapshot + restart (own JVM); copy "
					+ "built by a listener in another database compared row by row", kills,
					new Outcome(sourceRows, matching, missing.size() + stale.size(), rowsReadAgain, List.of()),
					Duration.ofMillis(maxRecovery), notes));
			System.out.println("S10: " + notes);
			assertThat(missing).as("rows missing in the copy; last log:%n%s", app.logTail()).isEmpty();
			assertThat(stale).as("stale rows in the copy").isEmpty();
			assertThat(extra).as("rows in the copy that are not in the source").isEmpty();
			assertThat(progressAtKills).hasSize(kills);
			assertThat(grew).as("kills after which the progress table had grown").isGreaterThanOrEqualTo(kills / 2);
			assertThat(resumedLogs).as("instances that resumed the snapshot where it stopped").isGreaterThanOrEqualTo(
					kills / 2);
			assertThat(progress[0]).as("snapshot rows counted").isGreaterThanOrEqualTo(initialRows / 2);
			// resumed, not started over: the rows applied twice are those of the chunks in flight at the kills
			// (at most one delivered but not yet recorded and one being delivered, per table being read)
			// (a table's thread records chunk N's progress with chunk N+1's low watermark, after chunk N was
			// delivered: at most one chunk per table being read is delivered again after a kill)
			long readAgainBound = (long) kills * Math.min(THREADS, keys.size()) * CHUNK_SIZE;
			assertThat(rowsReadAgain).as("snapshot rows applied again").isBetween(0L, readAgainBound);
			assertThat(applied[0]).as("snapshot rows applied in all, far below kills x table size")
				.isLessThan(initialRows + readAgainBound + writer.inserted());
			assertThat(writer.statements.get()).isGreaterThan(100);
		}
		finally {
			writer.stop();
			if (app != null) {
				app.stop();
			}
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

	/**
	 * A kill while the initial snapshot records its tables in the progress table (a trigger holds the second
	 * table's first entry, the application is killed, the held statement is ended): the next start must still read
	 * every table.
	 */
	@Tag("all-versions")
	@Test
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void killedWhileTheInitialSnapshotRecordsItsTablesReadsEveryTable(TestPostgres pg) throws Exception {
		Path dir = Soak.workDir("s10b-snapshot-kill-registration-pg" + pg.majorVersion());
		String p = TestPostgres.uniqueName("snapreg");
		String first = p + "_a";
		String second = p + "_b";
		String slot = p + "_slot";
		String progressTable = p + "_progress";
		String mirrorDb = p + "_mirror";
		pg.execute("CREATE TABLE " + first + " (id bigint PRIMARY KEY, v text)",
				"CREATE TABLE " + second + " (id bigint PRIMARY KEY, v text)",
				"INSERT INTO " + first + " SELECT i, 'a' || i FROM generate_series(1, 1000) i",
				"INSERT INTO " + second + " SELECT i, 'b' || i FROM generate_series(1, 1000) i",
				"CREATE PUBLICATION " + p + " FOR TABLE " + first + ", " + second,
				"SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
				"CREATE DATABASE " + mirrorDb,
				// the progress table as the starter creates it, with a trigger that holds the insert of a snapshot's
				// second table until the statement is ended
				"CREATE TABLE " + progressTable + " (slot_name text NOT NULL, snapshot_id text NOT NULL, table_name "
						+ "text NOT NULL, status text NOT NULL, condition text, cursor text[], rows_delivered bigint NOT "
						+ "NULL DEFAULT 0, chunks bigint NOT NULL DEFAULT 0, rows_estimate bigint NOT NULL DEFAULT -1, "
						+ "started_at timestamptz, finished_at timestamptz, reason text, created_at timestamptz NOT NULL "
						+ "DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (slot_name, "
						+ "snapshot_id, table_name))",
				"CREATE FUNCTION " + p + "_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 "
						+ "FROM " + progressTable + " WHERE slot_name = NEW.slot_name AND snapshot_id = NEW.snapshot_id "
						+ "AND table_name <> NEW.table_name) THEN PERFORM pg_sleep(120); END IF; RETURN NEW; END $$",
				"CREATE TRIGGER hold BEFORE INSERT ON " + progressTable + " FOR EACH ROW EXECUTE FUNCTION " + p
						+ "_hold()");
		String mirrorUrl = pg.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + mirrorDb);
		Mirror mirror = new Mirror(mirrorUrl, pg.properties(), progressTable, pg);
		List<String> props = AppProperties.of(pg.jdbcUrl(), pg.user(), slot, p, first);
		props.add("pglogrepl.snapshot.mode=initial");
		props.add("pglogrepl.snapshot.chunk-size=" + CHUNK_SIZE);
		props.add("pglogrepl.snapshot.progress-table=" + progressTable);
		props.add("reliability.app.mirror-url=" + mirrorUrl);
		AppProcess app = AppProcess.start("app-0", dir, props);
		try {
			AppProcess current = app;
			Soak.await("the second table's entry held by the trigger", Duration.ofSeconds(60),
					() -> count(pg, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%INSERT INTO %"
							+ progressTable + "%' AND wait_event = 'PgSleep'") > 0 || !current.isAlive());
			app.kill();
			// the statement the killed JVM left running ends as a kill would have ended it
			pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%INSERT INTO %"
					+ progressTable + "%' AND wait_event = 'PgSleep'", "DROP TRIGGER hold ON " + progressTable);
			long recorded = count(pg, "SELECT count(*) FROM " + progressTable);
			app = AppProcess.start("app-1", dir, props);
			AppProcess last = app;
			Soak.await("the snapshot to finish the tables it knows", TIMEOUT,
					() -> (mirror.progress()[3] > 0 && mirror.progress()[2] == 0) || !last.isAlive());
			// the last chunk's rows are delivered after the table is recorded as finished: a moment for them
			long deadline = System.currentTimeMillis() + 10_000;
			while (System.currentTimeMillis() < deadline
					&& mirror.count("public." + first) + mirror.count("public." + second) < 2000) {
				Soak.sleep(100);
			}
			long[] progress = mirror.progress();
			long copiedFirst = mirror.count("public." + first);
			long copiedSecond = mirror.count("public." + second);
			String notes = "kill while the initial snapshot records its tables (" + recorded
					+ " of 2 recorded before the kill); after the restart: progress table " + progress[3]
					+ " table(s), copy " + copiedFirst + " + " + copiedSecond + " of 1000 + 1000 rows";
			System.out.println("S10b: " + notes);
			Report.add(new Report.Entry("10b", "Application SIGKILL while the initial snapshot records its tables "
					+ "in the progress table (held by a trigger) + restart", 1,
					new Outcome(2000, copiedFirst + copiedSecond, 2000 - copiedFirst - copiedSecond, 0, List.of()),
					null, notes));
			assertThat(copiedFirst + copiedSecond).as("rows of both tables in the copy; progress table had %d of 2 "
					+ "tables when killed; log:%n%s", recorded, app.logTail()).isEqualTo(2000);
		}
		finally {
			app.stop();
			Sql.dropSlotQuietly(pg::connect, slot);
		}
	}

	private static long count(TestPostgres pg, String sql) {
		try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Instances whose log says the snapshot resumed. */
	private static int countResumes(Path dir) throws java.io.IOException {
		int count = 0;
		try (var files = java.nio.file.Files.list(dir)) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".log")).toList()) {
				if (java.nio.file.Files.readString(file).contains("resumes where it stopped")) {
					count++;
				}
			}
		}
		return count;
	}

	/** The source table's rows as text, by key, encoded as the copy encodes them. */
	private static Map<String, String> source(TestPostgres pg, String table, List<String> key) throws SQLException {
		Properties text = new Properties();
		text.putAll(pg.properties());
		text.setProperty("binaryTransfer", "false");
		Map<String, String> rows = new TreeMap<>();
		try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), text); Statement st = c.createStatement();
				ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
			int columns = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				Map<String, String> values = new TreeMap<>();
				List<String> keyValues = new ArrayList<>();
				for (int i = 1; i <= columns; i++) {
					String column = rs.getMetaData().getColumnName(i);
					values.put(column, rs.getString(i));
					if (key.contains(column)) {
						keyValues.add(rs.getString(i));
					}
				}
				rows.put(MirrorApplier.encode(keyValues), MirrorApplier.value(values));
			}
		}
		return rows;
	}

	/** Reads the copy (mirror database) and the snapshot progress table. */
	private static final class Mirror {

		private final String url;

		private final Properties properties;

		private final String progressTable;

		private final TestPostgres pg;

		Mirror(String url, Properties properties, String progressTable, TestPostgres pg) throws SQLException {
			this.url = url;
			this.properties = properties;
			this.progressTable = progressTable;
			this.pg = pg;
			try (Connection c = connect(); Statement st = c.createStatement()) {
				MirrorApplier.createTables(st);
			}
		}

		private Connection connect() throws SQLException {
			return DriverManager.getConnection(this.url, this.properties);
		}

		long snapshotRowsApplied() {
			return snapshotApplied()[0];
		}

		/** @return snapshot rows applied, chunks (positions) they came in */
		long[] snapshotApplied() {
			try (Connection c = connect(); Statement st = c.createStatement();
					ResultSet rs = st.executeQuery("SELECT coalesce(sum(rows), 0), count(*) FROM mirror_chunk")) {
				rs.next();
				return new long[] { rs.getLong(1), rs.getLong(2) };
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

		long count(String table) {
			try (Connection c = connect();
					var ps = c.prepareStatement("SELECT count(*) FROM mirror_row WHERE table_name = ?")) {
				ps.setString(1, table);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					return rs.getLong(1);
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

		Map<String, String> rows(String table) throws SQLException {
			Map<String, String> rows = new TreeMap<>();
			try (Connection c = connect();
					var ps = c.prepareStatement("SELECT row_key, row_value FROM mirror_row WHERE table_name = ?")) {
				ps.setString(1, table);
				try (ResultSet rs = ps.executeQuery()) {
					while (rs.next()) {
						rows.put(rs.getString(1), rs.getString(2));
					}
				}
			}
			return rows;
		}

		/** @return whether every table of the initial snapshot (the four and the sentinel) finished */
		boolean snapshotComplete() {
			long[] progress = progress();
			return progress[3] >= 5 && progress[2] == 0;
		}

		/**
		 * @return the initial snapshot's rows delivered, chunks, tables not finished, tables (zeros before the
		 * table exists)
		 */
		long[] progress() {
			try (Connection c = this.pg.connect(); Statement st = c.createStatement();
					ResultSet rs = st.executeQuery("SELECT coalesce(sum(rows_delivered), 0), coalesce(sum(chunks), 0), "
							+ "count(*) FILTER (WHERE status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')), count(*) "
							+ "FROM " + this.progressTable + " WHERE snapshot_id = 'initial'")) {
				rs.next();
				return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4) };
			}
			catch (SQLException ex) {
				if ("42P01".equals(ex.getSQLState())) {
					return new long[] { 0, 0, -1, 0 };
				}
				throw new IllegalStateException(ex);
			}
		}

	}

	/**
	 * Inserts, updates, key updates and deletes on the four tables, one autocommitted statement at a time, about
	 * 300 a second.
	 */
	private static final class MixedWriter {

		private final TestPostgres pg;

		private final String simple;

		private final String composite;

		private final String uuid;

		private final String parted;

		private final int rows;

		final AtomicLong statements = new AtomicLong();

		private final AtomicLong inserts = new AtomicLong();

		private final AtomicLong updates = new AtomicLong();

		private final AtomicLong keyUpdates = new AtomicLong();

		private final AtomicLong deletes = new AtomicLong();

		final AtomicReference<Throwable> error = new AtomicReference<>();

		private volatile boolean running;

		private Thread thread;

		MixedWriter(TestPostgres pg, String simple, String composite, String uuid, String parted, int rows) {
			this.pg = pg;
			this.simple = simple;
			this.composite = composite;
			this.uuid = uuid;
			this.parted = parted;
			this.rows = rows;
		}

		void start() {
			this.running = true;
			this.thread = new Thread(this::run, "reliability-mixed-writer");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		void stop() {
			this.running = false;
			if (this.thread != null) {
				try {
					this.thread.join(30_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		long inserted() {
			return this.inserts.get() + this.keyUpdates.get();
		}

		String summary() {
			return this.inserts.get() + " inserts, " + this.updates.get() + " updates, " + this.keyUpdates.get()
					+ " key updates, " + this.deletes.get() + " deletes";
		}

		private void run() {
			Random random = new Random();
			int next = this.rows * 10;
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				while (this.running) {
					int k = 1 + random.nextInt(this.rows);
					int op = random.nextInt(100);
					int n = ++next;
					AtomicLong kind = (op < 25) ? this.inserts : (op < 55) ? this.updates : (op < 75) ? this.keyUpdates
							: this.deletes;
					String sql = switch (random.nextInt(4)) {
						case 0 -> (op < 25) ? "INSERT INTO " + this.simple + " VALUES (" + n + ", 'new', " + n + ")"
								: (op < 55) ? "UPDATE " + this.simple + " SET v = 'u' || v, n = n + 1 WHERE id = " + k
								: (op < 75) ? "UPDATE " + this.simple + " SET id = " + n + " WHERE id = " + k
								: "DELETE FROM " + this.simple + " WHERE id = " + k;
						case 1 -> (op < 25)
								? "INSERT INTO " + this.composite + " VALUES (" + n + ", 'k" + (n % 7) + "', " + n + ")"
								: (op < 55) ? "UPDATE " + this.composite + " SET v = v + 1 WHERE a = " + k
								: (op < 75) ? "UPDATE " + this.composite + " SET a = " + n + ", b = 'z' || b WHERE a = " + k
								: "DELETE FROM " + this.composite + " WHERE a = " + k;
						case 2 -> (op < 25) ? "INSERT INTO " + this.uuid + " VALUES (md5('" + n + "')::uuid, 'new')"
								: (op < 55) ? "UPDATE " + this.uuid + " SET v = 'u' || v WHERE id = md5('" + k + "')::uuid"
								: (op < 75) ? "UPDATE " + this.uuid + " SET id = md5('" + n + "')::uuid WHERE id = md5('"
										+ k + "')::uuid"
								: "DELETE FROM " + this.uuid + " WHERE id = md5('" + k + "')::uuid";
						// a key update moves the row to another partition
						default -> (op < 25)
								? "INSERT INTO " + this.parted + " VALUES (" + n + ", 'r" + (n % 3) + "', " + n + ")"
								: (op < 55) ? "UPDATE " + this.parted + " SET v = v + 1 WHERE id = " + k
								: (op < 75) ? "UPDATE " + this.parted + " SET id = " + n + ", region = 'r" + (n % 3)
										+ "' WHERE id = " + k
								: "DELETE FROM " + this.parted + " WHERE id = " + k;
					};
					st.execute(sql);
					kind.incrementAndGet();
					this.statements.incrementAndGet();
					Soak.sleep(3);
				}
			}
			catch (SQLException | RuntimeException ex) {
				this.error.set(ex);
			}
		}

	}

}
