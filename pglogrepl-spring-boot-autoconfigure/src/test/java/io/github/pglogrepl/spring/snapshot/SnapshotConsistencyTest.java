package io.github.pglogrepl.spring.snapshot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot guarantee, checked: four tables (a bigint key, a composite key, a uuid key, a partitioned table
 * published through its root) under a concurrent writer doing inserts, updates, key updates, deletes and a
 * truncate during the whole initial snapshot; after catch-up, the tables built from the delivered events equal
 * the source, row by row.
 */
@RealPostgres
@Tag("all-versions")
class SnapshotConsistencyTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	private final TestPostgres pg;

	SnapshotConsistencyTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Test
	void theTablesBuiltFromTheEventsEqualTheSourceUnderConcurrentWrites() throws Exception {
		String p = TestPostgres.uniqueName("snap");
		String simple = p + "_simple";
		String composite = p + "_comp";
		String uuid = p + "_uuid";
		String parted = p + "_part";
		String sentinel = p + "_sentinel";
		int rows = 20_000;
		this.pg.execute("CREATE TABLE " + simple + " (id bigint PRIMARY KEY, v text, n int)",
				"CREATE TABLE " + composite + " (a int, b text, v int, PRIMARY KEY (a, b))",
				"CREATE TABLE " + uuid + " (id uuid PRIMARY KEY, v text)",
				"CREATE TABLE " + parted + " (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
				"CREATE TABLE " + parted + "_r0 PARTITION OF " + parted + " FOR VALUES IN ('r0')",
				"CREATE TABLE " + parted + "_r1 PARTITION OF " + parted + " FOR VALUES IN ('r1')",
				"CREATE TABLE " + parted + "_r2 PARTITION OF " + parted + " FOR VALUES IN ('r2')",
				"CREATE TABLE " + sentinel + " (id int PRIMARY KEY)",
				"INSERT INTO " + simple + " SELECT i, 'v' || i, i FROM generate_series(1, " + rows + ") i",
				"INSERT INTO " + composite + " SELECT i, 'k' || (i % 7), i FROM generate_series(1, " + rows / 2 + ") i",
				"INSERT INTO " + uuid + " SELECT md5(i::text)::uuid, 'v' || i FROM generate_series(1, " + rows / 2 + ") i",
				"INSERT INTO " + parted + " SELECT i, 'r' || (i % 3), i FROM generate_series(1, " + rows / 2 + ") i",
				"CREATE PUBLICATION " + p + " FOR TABLE " + simple + ", " + composite + ", " + uuid + ", " + parted + ", "
						+ sentinel + " WITH (publish_via_partition_root = true)");
		Map<String, List<String>> keys = new LinkedHashMap<>();
		keys.put("public." + simple, List.of("id"));
		keys.put("public." + composite, List.of("a", "b"));
		keys.put("public." + uuid, List.of("id"));
		keys.put("public." + parted, List.of("id", "region"));
		TableMirror mirror = new TableMirror(keys);
		SentinelListener sentinels = new SentinelListener();
		List<String> props = StreamTestSupport.properties(this.pg, p, p);
		props.add("pglogrepl.snapshot.mode=initial");
		props.add("pglogrepl.snapshot.chunk-size=400");
		props.add("pglogrepl.snapshot.threads=2");
		props.add("pglogrepl.snapshot.progress-table=" + p + "_progress");
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicReference<Throwable> writerError = new AtomicReference<>();
		AtomicLong writes = new AtomicLong();
		Thread writer = new Thread(() -> write(simple, composite, uuid, parted, rows, writing, writes, writerError));
		Config.mirror = mirror;
		Config.sentinels = sentinels;
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			writer.start();
			Snapshots snapshots = context.getBean(Snapshots.class);
			StreamTestSupport.await("the initial snapshot to complete", () -> snapshots.get("initial")
				.map((s) -> s.status() == SnapshotStatus.COMPLETED)
				.orElse(false), TIMEOUT);
			writing.set(false);
			writer.join(10_000);
			assertThat(writerError.get()).isNull();
			this.pg.execute("INSERT INTO " + sentinel + " VALUES (1)");
			StreamTestSupport.await("the stream to catch up", () -> sentinels.seen.get() > 0, TIMEOUT);
			SnapshotProgress progress = snapshots.get("initial").orElseThrow();
			System.out.println("Snapshot consistency: " + writes.get() + " concurrent writes, "
					+ mirror.snapshotRows.get() + " snapshot rows, " + mirror.changes.get() + " changes; " + progress);
			assertThat(progress.tables()).hasSize(5).allMatch((t) -> t.status() == SnapshotStatus.COMPLETED);
			assertThat(writes.get()).as("writes during the snapshot").isGreaterThan(100);
			assertThat(mirror.snapshotRows.get()).isGreaterThan(rows);
			Properties text = new Properties();
			text.putAll(this.pg.properties());
			text.setProperty("binaryTransfer", "false");
			try (Connection c = DriverManager.getConnection(this.pg.jdbcUrl(), text)) {
				for (String table : keys.keySet()) {
					List<String> differences = TableMirror.differences(mirror.source(c, table), mirror.rows(table));
					assertThat(differences).as("differences in " + table).isEmpty();
				}
			}
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			assertThat(container.snapshotRows()).as("pglogrepl.snapshot.rows").isEqualTo(mirror.snapshotRows.get());
			assertThat(container.snapshotChunks()).as("pglogrepl.snapshot.chunks")
				.isEqualTo(progress.tables().stream().mapToLong(SnapshotProgress.TableProgress::chunks).sum());
			assertThat(container.snapshotTablesRemaining()).isZero();
		}
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class Config {

		static TableMirror mirror;

		static SentinelListener sentinels;

		@org.springframework.context.annotation.Bean
		TableMirror tableMirror() {
			return mirror;
		}

		@org.springframework.context.annotation.Bean
		SentinelListener sentinelListener() {
			return sentinels;
		}

	}

	/** Sees the sentinel row. */
	public static class SentinelListener {

		final AtomicLong seen = new AtomicLong();

		@org.springframework.context.event.EventListener
		public void on(InsertEvent<?> event) {
			if (event.table().name().endsWith("_sentinel")) {
				this.seen.incrementAndGet();
			}
		}

	}

	private void write(String simple, String composite, String uuid, String parted, int rows, AtomicBoolean writing,
			AtomicLong writes, AtomicReference<Throwable> error) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int next = rows * 10;
		boolean truncated = false;
		try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
			while (writing.get()) {
				int k = 1 + random.nextInt(rows);
				int op = random.nextInt(100);
				int n = ++next;
				List<String> sql = new ArrayList<>();
				switch (random.nextInt(4)) {
					case 0 -> {
						if (op < 25) {
							sql.add("INSERT INTO " + simple + " VALUES (" + n + ", 'new', " + n + ")");
						}
						else if (op < 55) {
							sql.add("UPDATE " + simple + " SET v = 'u' || v, n = n + 1 WHERE id = " + k);
						}
						else if (op < 75) {
							sql.add("UPDATE " + simple + " SET id = " + n + " WHERE id = " + k);
						}
						else if (op < 99 || truncated) {
							sql.add("DELETE FROM " + simple + " WHERE id = " + k);
						}
						else if (writes.get() > 200) {
							truncated = true;
							sql.add("TRUNCATE " + simple);
							sql.add("INSERT INTO " + simple + " SELECT i, 'again', i FROM generate_series(1, 2000) i");
						}
					}
					case 1 -> {
						if (op < 25) {
							sql.add("INSERT INTO " + composite + " VALUES (" + n + ", 'k" + (n % 7) + "', " + n + ")");
						}
						else if (op < 55) {
							sql.add("UPDATE " + composite + " SET v = v + 1 WHERE a = " + k);
						}
						else if (op < 75) {
							sql.add("UPDATE " + composite + " SET a = " + n + ", b = 'z' || b WHERE a = " + k);
						}
						else {
							sql.add("DELETE FROM " + composite + " WHERE a = " + k);
						}
					}
					case 2 -> {
						if (op < 25) {
							sql.add("INSERT INTO " + uuid + " VALUES (md5('" + n + "')::uuid, 'new')");
						}
						else if (op < 55) {
							sql.add("UPDATE " + uuid + " SET v = 'u' || v WHERE id = md5('" + k + "')::uuid");
						}
						else if (op < 75) {
							sql.add("UPDATE " + uuid + " SET id = md5('" + n + "')::uuid WHERE id = md5('" + k + "')::uuid");
						}
						else {
							sql.add("DELETE FROM " + uuid + " WHERE id = md5('" + k + "')::uuid");
						}
					}
					default -> {
						if (op < 25) {
							sql.add("INSERT INTO " + parted + " VALUES (" + n + ", 'r" + (n % 3) + "', " + n + ")");
						}
						else if (op < 55) {
							sql.add("UPDATE " + parted + " SET v = v + 1 WHERE id = " + k);
						}
						else if (op < 75) {
							// moves the row to another partition
							sql.add("UPDATE " + parted + " SET id = " + n + ", region = 'r" + (n % 3) + "' WHERE id = " + k);
						}
						else {
							sql.add("DELETE FROM " + parted + " WHERE id = " + k);
						}
					}
				}
				for (String s : sql) {
					st.execute(s);
				}
				writes.incrementAndGet();
			}
		}
		catch (SQLException | RuntimeException ex) {
			error.set(ex);
		}
	}

}
