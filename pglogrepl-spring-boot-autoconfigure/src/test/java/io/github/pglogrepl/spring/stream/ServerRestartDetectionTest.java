package io.github.pglogrepl.spring.stream;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server restart ({@code pg_ctl restart -m fast}) is noticed when the socket says so, within about a second,
 * with the default {@code status-interval} (10 s): the closed connection is not left to the next scheduled status
 * update. Runs on a server of its own (it is restarted) — on PostgreSQL 18 and, in the {@code all-versions} pass,
 * 14.
 */
@Tag("all-versions")
class ServerRestartDetectionTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static RestartablePostgres pg;

	@BeforeAll
	static void startServer() throws Exception {
		pg = new RestartablePostgres(Files.createTempDirectory("pglogrepl-restart").resolve("pgdata"),
				RestartablePostgres.logicalConfig());
	}

	@AfterAll
	static void stopServer() {
		if (pg != null) {
			pg.close();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	@Test
	void aRestartedServerIsNoticedWithinASecondWithDefaultSettings() {
		pg.execute("CREATE TABLE restarted (id int PRIMARY KEY)", "CREATE PUBLICATION restarted_pub FOR TABLE restarted");
		// the default settings of the quick start: status-interval 10s, receive-timeout 30s, reconnect from 1s
		List<String> props = List.of("spring.datasource.url=" + pg.jdbcUrl(), "pglogrepl.slot.name=restarted_slot",
				"pglogrepl.publication.names=restarted_pub", "spring.main.banner-mode=off");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Recorder recorder = context.getBean(Recorder.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO restarted VALUES (1)");
			StreamTestSupport.await("first row", () -> recorder.of(InsertEvent.class).size() == 1, TIMEOUT);
			// idle for a moment, as a running application mostly is
			StreamTestSupport.sleep(1500);

			pg.stopFast();
			long stopped = System.nanoTime();
			StreamTestSupport.await("the closed connection noticed",
					() -> container.state().status() != StreamStatus.STREAMING, Duration.ofSeconds(30));
			Duration detection = Duration.ofNanos(System.nanoTime() - stopped);
			pg.start();
			long restarted = System.nanoTime();
			pg.execute("INSERT INTO restarted VALUES (2)");
			StreamTestSupport.await("row inserted after the restart",
					() -> recorder.of(InsertEvent.class).size() >= 2, TIMEOUT);
			Duration arrival = Duration.ofNanos(System.nanoTime() - restarted);
			System.out.println("Server restart (PostgreSQL " + pg.queryString("SHOW server_version") + "): noticed " + detection.toMillis() + " ms after the server stopped; "
					+ "a row inserted right after the start arrived " + arrival.toMillis() + " ms after it");
			assertThat(detection).as("time to notice the closed connection").isLessThan(Duration.ofSeconds(2));
			assertThat(arrival).as("time for a row after the restart").isLessThan(Duration.ofSeconds(5));
			assertThat(container.state().reconnects()).isGreaterThanOrEqualTo(1);
		}
	}


}
