package io.github.pglogrepl.spring.snapshot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one case the watermark window alone gets wrong, made deterministic: a transaction whose commit record is
 * streamed before a chunk's low watermark but which is still invisible to the chunk's read (its commit waits for
 * a synchronous standby that does not exist). The chunk must not be delivered with the row's older state; it is
 * read again once the transaction is visible.
 */
@RealPostgres
@Tag("all-versions")
class SnapshotInvisibleTransactionTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final TestPostgres pg;

	SnapshotInvisibleTransactionTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		static TableMirror mirror;

		@Bean
		TableMirror tableMirror() {
			return mirror;
		}

	}

	@Test
	void aChunkIsReadAgainWhileATransactionStreamedBeforeItIsStillInvisible() throws Exception {
		String t = TestPostgres.uniqueName("snap_invisible");
		this.pg.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
				"INSERT INTO " + t + " SELECT i, 'orig' FROM generate_series(1, 100) i",
				"CREATE PUBLICATION " + t + " FOR TABLE " + t);
		String table = "public." + t;
		TableMirror mirror = new TableMirror(Map.of(table, List.of("id")));
		Config.mirror = mirror;
		List<String> props = StreamTestSupport.properties(this.pg, t, t);
		props.add("pglogrepl.snapshot.progress-store=memory");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Snapshots snapshots = context.getBean(Snapshots.class);
			// the application's connections commit locally; the stuck transaction waits for a standby
			this.pg.execute("ALTER ROLE CURRENT_USER SET synchronous_commit = local",
					"ALTER SYSTEM SET synchronous_standby_names = 'pglogrepl_nobody'", "SELECT pg_reload_conf()");
			AtomicReference<Integer> pid = new AtomicReference<>();
			Thread stuck = new Thread(() -> {
				try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
					st.execute("SET synchronous_commit = on");
					try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
						rs.next();
						pid.set(rs.getInt(1));
					}
					st.execute("UPDATE " + t + " SET v = 'committed while invisible' WHERE id = 5");
				}
				catch (Exception ex) {
					// cancelled wait: the commit is durable anyway
				}
			});
			try {
				stuck.start();
				StreamTestSupport.await("the update to be streamed",
						() -> "committed while invisible".equals(mirrorValue(mirror, table)), TIMEOUT);
				assertThat(this.pg.queryString("SELECT v FROM " + t + " WHERE id = 5"))
					.as("the streamed update is not visible yet").isEqualTo("orig");
				SnapshotProgress started = snapshots.start(SnapshotRequest.of(t));
				StreamTestSupport.await("the chunk to be read again", () -> snapshots.get(started.id())
					.map((p) -> p.tables().get(0).chunksReadAgain() >= 2)
					.orElse(false), TIMEOUT);
				assertThat(snapshots.get(started.id()).orElseThrow().status()).isEqualTo(SnapshotStatus.RUNNING);
				this.pg.execute("SELECT pg_cancel_backend(" + pid.get() + ")");
				StreamTestSupport.await("the backfill to complete", () -> snapshots.get(started.id())
					.map((p) -> p.status() == SnapshotStatus.COMPLETED)
					.orElse(false), TIMEOUT);
				System.out.println("Invisible transaction: " + snapshots.get(started.id()).orElseThrow());
			}
			finally {
				this.pg.execute("ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()",
						"ALTER ROLE CURRENT_USER RESET synchronous_commit");
				stuck.join(10_000);
			}
			Properties text = new Properties();
			text.putAll(this.pg.properties());
			text.setProperty("binaryTransfer", "false");
			try (Connection c = DriverManager.getConnection(this.pg.jdbcUrl(), text)) {
				assertThat(TableMirror.differences(mirror.source(c, table), mirror.rows(table))).isEmpty();
			}
			assertThat(mirror.snapshotRows.get()).isEqualTo(100);
		}
	}

	private static String mirrorValue(TableMirror mirror, String table) {
		Map<String, String> row = mirror.rows(table).get("5\u0001");
		return (row != null) ? row.get("v") : null;
	}

}
