package io.github.pglogrepl.connection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.pglogrepl.Lsn;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code TIMELINE_HISTORY} needs a server that has switched timelines. This test makes one: it starts an
 * embedded server, stops it, and restarts it in archive recovery ({@code recovery.signal}), which ends by
 * promoting to timeline 2 and writing {@code 00000002.history}. Runs on the embedded binaries only (not
 * against {@code PGLOGREPL_TEST_CONN_STRING}).
 */
class TimelineHistoryTest {

	@Test
	void timelineHistoryOfAPromotedServer(@TempDir Path dataDir) throws Exception {
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setDataDirectory(dataDir)
			.setCleanDataDirectory(false)
			.setServerConfig("wal_level", "logical")
			.setServerConfig("restore_command", "false");
		try (EmbeddedPostgres first = builder.start()) {
			assertThat(first.getPort()).isPositive();
		}
		Files.createFile(dataDir.resolve("recovery.signal"));
		try (EmbeddedPostgres promoted = builder.start()) {
			// hot standby accepts connections while still in recovery, on timeline 1: wait for the promotion
			awaitEndOfRecovery(promoted);
			Properties props = new Properties();
			props.setProperty("user", "postgres");
			String url = promoted.getJdbcUrl("postgres", "postgres");
			Lsn switchPoint;
			int timeline;
			try (ReplicationConnection conn = ReplicationConnection.open(url, props)) {
				timeline = conn.identifySystem().timeline();
				assertThat(timeline).isEqualTo(2);
				TimelineHistory history = conn.timelineHistory(2);
				assertThat(history.fileName()).isEqualTo("00000002.history");
				List<TimelineHistory.Entry> entries = history.entries();
				assertThat(entries).hasSize(1);
				assertThat(entries.get(0).timeline()).isEqualTo(1);
				assertThat(entries.get(0).reason()).isNotBlank();
				switchPoint = entries.get(0).switchPoint();
				assertThat(switchPoint.isValid()).isTrue();
				assertThat(conn.identifySystem().xlogPos()).isGreaterThanOrEqualTo(switchPoint);
			}
			// the file on disk is what the server sent
			assertThat(Files.readString(dataDir.resolve("pg_wal/00000002.history"))).contains(switchPoint.toString());
		}
	}

	private static void awaitEndOfRecovery(EmbeddedPostgres server) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
		try (java.sql.Connection c = server.getPostgresDatabase().getConnection();
				java.sql.Statement st = c.createStatement()) {
			while (true) {
				try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
					rs.next();
					if (!rs.getBoolean(1)) {
						return;
					}
				}
				assertThat(System.nanoTime()).as("end of recovery within 30 s").isLessThan(deadline);
				Thread.sleep(20);
			}
		}
	}

	@Test
	void historyFileParsing() {
		TimelineHistory history = new TimelineHistory("00000003.history",
				"1\t0/3000158\tno recovery target specified\n\n# comment\n2\t0/5000000\tat restore point \"x\"\n"
					.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		assertThat(history.entries()).containsExactly(
				new TimelineHistory.Entry(1, Lsn.parse("0/3000158"), "no recovery target specified"),
				new TimelineHistory.Entry(2, Lsn.parse("0/5000000"), "at restore point \"x\""));
		assertThat(new TimelineHistory("x", "garbage\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
			.satisfies((h) -> org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(h::entries));
	}

}
