package io.github.pglogrepl.spring.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the connection comes from (a service connection's {@link JdbcConnectionDetails}), and a slot that
 * the server invalidated.
 */
@RealPostgres
class ConnectionSourcesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class));

	@Test
	void serviceConnectionDetailsAreUsedWithoutAnyConnectionProperty(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		// what Testcontainers' @ServiceConnection or Docker Compose registers: a JdbcConnectionDetails bean
		JdbcConnectionDetails serviceConnection = new JdbcConnectionDetails() {
			@Override
			public String getJdbcUrl() {
				return pg.jdbcUrl();
			}

			@Override
			public String getUsername() {
				return pg.user();
			}

			@Override
			public String getPassword() {
				return pg.password();
			}
		};
		this.runner.withBean(JdbcConnectionDetails.class, () -> serviceConnection)
			.withPropertyValues("pglogrepl.slot.name=" + TestPostgres.uniqueName("slot"), "pglogrepl.slot.create=temporary",
					"pglogrepl.publication.names=" + tp[1])
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				assertThat(container.getContainerProperties().getJdbcUrl()).isEqualTo(pg.jdbcUrl());
				StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
						Duration.ofSeconds(20));
			});
	}

	@Test
	void invalidatedSlotFailsStartupWithTheFix() throws Exception {
		try (EmbeddedPostgres server = EmbeddedPostgres.builder()
			.setServerConfig("wal_level", "logical")
			.setServerConfig("max_slot_wal_keep_size", "1MB")
			.start()) {
			String url = server.getJdbcUrl("postgres", "postgres");
			try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement st = c.createStatement()) {
				st.execute("CREATE TABLE t (id int, pad text)");
				st.execute("CREATE PUBLICATION p FOR TABLE t");
				st.execute("SELECT pg_create_logical_replication_slot('lost_slot', 'pgoutput')");
				// write and switch past several segments, then checkpoint: the slot loses its WAL
				for (int i = 0; i < 4; i++) {
					st.execute("INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series(1, 2000) g");
					st.execute("SELECT pg_switch_wal()");
				}
				st.execute("CHECKPOINT");
				st.execute("CHECKPOINT");
				try (var rs = st.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lost_slot'")) {
					rs.next();
					assertThat(rs.getString(1)).isEqualTo("lost");
				}
			}
			this.runner.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.username=postgres",
					"pglogrepl.slot.name=lost_slot", "pglogrepl.publication.names=p")
				.run((context) -> {
					assertThat(context).hasFailed();
					FailureAnalysis analysis = new ReplicationSetupFailureAnalyzer().analyze(context.getStartupFailure());
					assertThat(analysis).isNotNull();
					assertThat(analysis.getDescription()).contains("lost_slot").contains("invalidated").contains("wal_status = lost");
					assertThat(analysis.getAction()).contains("pg_drop_replication_slot('lost_slot')");
				});
		}
	}

}
