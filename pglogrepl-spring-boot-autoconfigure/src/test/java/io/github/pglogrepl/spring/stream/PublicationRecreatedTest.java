package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A publication dropped and created again under a running stream. PostgreSQL 14–17 cannot decode the changes
 * made in between (the publication did not exist at their WAL position) and fail every attempt at the same
 * place: the stream must say so (BLOCKED, health DOWN with the ways out, one ERROR), retry slowly rather than in a
 * tight loop, and stream on once an operator advances the slot. PostgreSQL 18 skips the missing publication
 * and streams on; the changes made while it was missing are not delivered. Runs on 18 and, in the
 * {@code all-versions} pass, 14.
 */
@Tag("all-versions")
@RealPostgres
@ExtendWith(OutputCaptureExtension.class)
class PublicationRecreatedTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	static class Ids {

		final List<Integer> ids = new CopyOnWriteArrayList<>();

		@EventListener
		void on(InsertEvent<ChangeRow> event) {
			this.ids.add((Integer) event.newRow().get("id"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Ids ids() {
			return new Ids();
		}

	}

	private static Health health(ConfigurableApplicationContext context) {
		return context.getBean("pglogreplHealthIndicator", HealthIndicator.class).health(true);
	}

	@Test
	void aRecreatedPublicationIsReportedAndRetriedSlowlyUntilAnOperatorActs(TestPostgres pg, CapturedOutput output) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		// the default reconnect backoff: 1 s, doubling, at most 10 s
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.removeIf((p) -> p.startsWith("pglogrepl.reconnect."));
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			Ids ids = context.getBean(Ids.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("first row", () -> ids.ids.contains(1), TIMEOUT);

			pg.execute("DROP PUBLICATION " + tp[1], "INSERT INTO " + tp[0] + " VALUES (2)",
					"CREATE PUBLICATION " + tp[1] + " FOR TABLE " + tp[0], "INSERT INTO " + tp[0] + " VALUES (3)");

			if (pg.majorVersion() >= 18) {
				// the server skips the missing publication: row 2 is not published, row 3 is
				StreamTestSupport.await("row after the re-creation", () -> ids.ids.contains(3), TIMEOUT);
				assertThat(ids.ids).containsExactly(1, 3);
				StreamTestSupport.await("UP", () -> health(context).getStatus().equals(Status.UP), TIMEOUT);
				return;
			}

			StreamTestSupport.await("blocked", () -> "BLOCKED".equals(health(context).getDetails().get("status")),
					TIMEOUT);
			Health down = health(context);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(String.valueOf(down.getDetails().get("reason"))).contains("cannot be streamed past")
				.contains("publication '" + tp[1] + "'")
				.contains("pg_replication_slot_advance('" + slot + "'")
				.contains("re-read the published tables");
			// no tight loop: with the backoff growing from 1 s, at most 5 attempts in 12 s (a loop makes 10 or more)
			long before = container.state().reconnects();
			StreamTestSupport.sleep(12_000);
			long attempts = container.state().reconnects() - before;
			System.out.println("PostgreSQL " + pg.majorVersion() + ": " + attempts
					+ " attempts in 12 s while blocked by a re-created publication");
			assertThat(attempts).isLessThanOrEqualTo(5);
			assertThat(container.state().status().name()).isEqualTo("BLOCKED");
			// one ERROR with the ways out, not one per attempt
			assertThat(output.getAll().split("cannot be streamed past", -1).length - 1).as("ERROR lines").isOne();
			assertThat(ids.ids).containsExactly(1);

			// the operator skips the undecodable changes (the slot is free between the slow attempts)
			StreamTestSupport.await("slot advanced", () -> {
				try {
					pg.execute("SELECT pg_replication_slot_advance('" + slot + "', pg_current_wal_lsn())");
					return true;
				}
				catch (IllegalStateException ex) {
					return false; // active at this moment
				}
			}, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (4)");
			StreamTestSupport.await("streaming on after the operator acted", () -> ids.ids.contains(4), TIMEOUT);
			assertThat(ids.ids).containsExactly(1, 4);
			assertThat(output.getAll()).contains("is no longer blocked");
			StreamTestSupport.await("UP", () -> health(context).getStatus().equals(Status.UP), TIMEOUT);
		}
	}


}
