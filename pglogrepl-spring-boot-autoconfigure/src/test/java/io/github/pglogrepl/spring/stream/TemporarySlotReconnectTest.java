package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code pglogrepl.slot.create=temporary} the slot lives and dies with its connection. After the
 * connection is lost, the stream must create a new temporary slot on the new connection and stream again,
 * instead of asking forever for the vanished one ("replication slot ... does not exist").
 */
@RealPostgres
class TemporarySlotReconnectTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Test
	void temporarySlotIsCreatedAgainAfterTheConnectionIsLost(TestPostgres pg) {
		String[] tableAndPublication = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("tmpre");
		List<String> props = StreamTestSupport.properties(pg, slot, tableAndPublication[1]);
		props.add("pglogrepl.slot.create=temporary");
		props.add("pglogrepl.reconnect.initial-interval=100ms");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class))
			.withBean(StreamTestSupport.Recorder.class)
			.withPropertyValues(props.toArray(String[]::new))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
				StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
				pg.execute("INSERT INTO " + tableAndPublication[0] + " VALUES (1)");
				StreamTestSupport.await("the first insert", () -> recorder.of(InsertEvent.class).size() == 1, TIMEOUT);
				String firstPid = pg.queryString(
						"SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
				assertThat(firstPid).isNotNull();
				pg.queryString("SELECT pg_terminate_backend(" + firstPid + ")");
				StreamTestSupport.await("a reconnect", () -> container.state().reconnects() > 0, TIMEOUT);
				StreamTestSupport.await("streaming on a new temporary slot",
						() -> container.state().status() == StreamStatus.STREAMING
								&& pg.queryString("SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '"
										+ slot + "' AND temporary AND active_pid <> " + firstPid) != null,
						TIMEOUT);
				pg.execute("INSERT INTO " + tableAndPublication[0] + " VALUES (2)");
				StreamTestSupport.await("the insert made after the reconnect",
						() -> recorder.of(InsertEvent.class).stream()
							.anyMatch((event) -> Integer.valueOf(2).equals(event.newRow().get("id"))),
						TIMEOUT);
				assertThat(container.state().lastError()).isNull();
			});
	}

}
