package io.github.pglogrepl.spring.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.SnapshotTableCancelledEvent;
import io.github.pglogrepl.spring.event.SnapshotTableCompletedEvent;
import io.github.pglogrepl.spring.event.SnapshotTableStartedEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot operations of {@code /actuator/pglogrepl} over real HTTP against the real server: a backfill
 * started by POST (the JSON body mapped onto the operation's optional parameters), followed by GET until it
 * completes, listed, and a long one cancelled by DELETE; the rows arrive as {@link SnapshotEvent}s.
 */
@RealPostgres
class SnapshotEndpointTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final TestPostgres pg;

	SnapshotEndpointTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		/** Milliseconds each snapshot row takes in the listener: keeps a backfill running long enough to cancel. */
		static volatile long rowDelayMillis;

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		SlowSnapshotListener slowSnapshotListener() {
			return new SlowSnapshotListener();
		}

	}

	static class SlowSnapshotListener {

		@EventListener
		void on(SnapshotEvent<?> event) {
			long delay = Config.rowDelayMillis;
			if (delay > 0) {
				StreamTestSupport.sleep(delay);
			}
		}

	}

	private List<String> properties(String table) {
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(this.pg, slot, table);
		props.add("pglogrepl.slot.create=temporary");
		props.add("pglogrepl.snapshot.chunk-size=100");
		return props;
	}

	private String table(int rows) {
		String t = TestPostgres.uniqueName("snap_http");
		this.pg.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
				"INSERT INTO " + t + " SELECT i, 'row ' || i FROM generate_series(1, " + rows + ") i", "ANALYZE " + t,
				"CREATE PUBLICATION " + t + " FOR TABLE " + t);
		return t;
	}

	@Test
	void backfillStartedByPostIsFollowedByGetUntilCompletedAndListed() {
		String t = table(1000);
		Config.rowDelayMillis = 0;
		try (ConfigurableApplicationContext context = EndpointHttp.start(properties(t), Config.class)) {
			EndpointHttp http = new EndpointHttp(context);
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);

			// tables and condition from the JSON body, stream left out
			EndpointHttp.Response started = http.post("/snapshots",
					"{\"tables\": \"" + t + "\", \"condition\": \"id <= 600 AND v <> 'x'\"}");
			assertThat(started.status()).as(started.text()).isEqualTo(200);
			String id = started.body().get("id").asString();
			assertThat(id).startsWith("backfill-");
			assertThat(started.body().get("stream").asString()).isEqualTo("default");
			assertThat(started.body().get("condition").asString()).isEqualTo("id <= 600 AND v <> 'x'");
			assertThat(started.body().at("/tables/0/table").asString()).isEqualTo("public." + t);

			// followed by GET until completed: rows never go back
			List<Long> seen = new ArrayList<>();
			StreamTestSupport.await("the backfill to complete", () -> {
				EndpointHttp.Response progress = http.get("/snapshots/" + id);
				assertThat(progress.status()).isEqualTo(200);
				seen.add(progress.body().get("rows").asLong());
				return "completed".equals(progress.body().get("status").asString());
			}, TIMEOUT);
			assertThat(seen).isSorted();
			JsonNode done = http.get("/snapshots/" + id).body();
			assertThat(done.get("rows").asLong()).isEqualTo(600);
			assertThat(done.get("tablesRemaining").asLong()).isZero();
			JsonNode table = done.at("/tables/0");
			assertThat(table.get("rowsEstimate").asLong()).as(table.toString()).isEqualTo(1000);
			assertThat(table.get("status").asString()).isEqualTo("completed");
			assertThat(table.get("rows").asLong()).isEqualTo(600);
			assertThat(table.get("chunks").asLong()).isPositive();
			assertThat(table.get("percent").asInt()).isEqualTo(100);
			assertThat(table.get("startedAt").isNull()).isFalse();
			assertThat(table.get("finishedAt").isNull()).isFalse();
			assertThat(table.get("eta").isNull()).as("no ETA once completed").isTrue();

			// the rows arrived as SnapshotEvents, between a started and a completed event, and not as inserts
			StreamTestSupport.await("the completed event",
					() -> !recorder.of(SnapshotTableCompletedEvent.class).isEmpty(), TIMEOUT);
			Set<Integer> ids = new TreeSet<>();
			for (SnapshotEvent<?> event : recorder.of(SnapshotEvent.class)) {
				assertThat(event.snapshotId()).isEqualTo(id);
				assertThat(event.table().toString()).isEqualTo("public." + t);
				ids.add((Integer) event.newRow().get("id"));
			}
			assertThat(ids).hasSize(600).first().isEqualTo(1);
			assertThat(ids).last().isEqualTo(600);
			assertThat(recorder.of(SnapshotEvent.class)).hasSize(600);
			assertThat(recorder.of(InsertEvent.class)).isEmpty();
			assertThat(recorder.of(SnapshotTableStartedEvent.class)).singleElement()
				.satisfies((e) -> assertThat(e.snapshotId()).isEqualTo(id));
			SnapshotTableCompletedEvent completed = recorder.of(SnapshotTableCompletedEvent.class).get(0);
			assertThat(completed.rows()).isEqualTo(600);
			assertThat(recorder.events.indexOf(recorder.of(SnapshotTableStartedEvent.class).get(0)))
				.isLessThan(recorder.events.indexOf(recorder.of(SnapshotEvent.class).get(0)));
			assertThat(recorder.events.indexOf(completed))
				.isGreaterThan(recorder.events.indexOf(recorder.of(SnapshotEvent.class).get(599)));

			// listed; the report shows running snapshots only
			EndpointHttp.Response list = http.get("/snapshots");
			assertThat(list.status()).isEqualTo(200);
			assertThat(list.body().get("snapshots")).hasSize(1);
			assertThat(list.body().at("/snapshots/0/id").asString()).isEqualTo(id);
			assertThat(http.get("").body().at("/streams/default/snapshots")).isEmpty();
			assertThat(http.get("/snapshots/backfill-none").status()).isEqualTo(404);
			assertThat(http.get("/other").status()).isEqualTo(404);
			assertThat(http.delete("/snapshots/backfill-none").status()).isEqualTo(404);

			// an empty body: every published table, every row; the stream named explicitly
			EndpointHttp.Response all = http.post("/snapshots", "{\"stream\": \"default\"}");
			assertThat(all.status()).as(all.text()).isEqualTo(200);
			assertThat(all.body().has("condition")).isFalse();
			assertThat(all.body().at("/tables/0/table").asString()).isEqualTo("public." + t);
			String allId = all.body().get("id").asString();
			StreamTestSupport.await("the second backfill to complete",
					() -> "completed".equals(http.get("/snapshots/" + allId).body().get("status").asString()), TIMEOUT);
			assertThat(http.get("/snapshots/" + allId).body().get("rows").asLong()).isEqualTo(1000);
			assertThat(http.get("/snapshots").body().get("snapshots")).hasSize(2);
			assertThat(http.get("/snapshots").body().at("/snapshots/0/id").asString()).as("newest first")
				.isEqualTo(allId);

			// a table named twice is read once
			EndpointHttp.Response twice = http.post("/snapshots",
					"{\"tables\": \"" + t + ", public." + t.toUpperCase() + "\", \"condition\": \"id <= 10\"}");
			assertThat(twice.status()).as(twice.text()).isEqualTo(200);
			assertThat(twice.body().get("tables")).hasSize(1);
			String twiceId = twice.body().get("id").asString();
			StreamTestSupport.await("the third backfill to complete",
					() -> "completed".equals(http.get("/snapshots/" + twiceId).body().get("status").asString()), TIMEOUT);
			assertThat(http.get("/snapshots/" + twiceId).body().get("rows").asLong()).isEqualTo(10);

			// Spring Boot's actuator reads the body as a map of strings: a JSON array never reaches the operation
			EndpointHttp.Response array = http.post("/snapshots", "{\"tables\": [\"" + t + "\"]}");
			assertThat(array.status()).isEqualTo(400);
			assertThat(http.get("/snapshots").body().get("snapshots")).hasSize(3);
			EndpointHttp.Response blank = http.post("/snapshots", "{\"tables\": \" , \"}");
			assertThat(blank.status()).isEqualTo(400);
			assertThat(blank.error()).contains("No table in \"tables\"").contains("leave \"tables\" out");

			// a stream that does not exist
			EndpointHttp.Response noStream = http.post("/snapshots",
					"{\"tables\": \"" + t + "\", \"stream\": \"nope\"}");
			assertThat(noStream.status()).isEqualTo(400);
			assertThat(noStream.error()).contains("No stream 'nope'").contains("default");
		}
	}

	@Test
	void aLongBackfillIsCancelledByDeleteAndASecondOneOfTheSameTableIsRefusedMeanwhile() {
		String t = table(3000);
		Config.rowDelayMillis = 3;
		try (ConfigurableApplicationContext context = EndpointHttp.start(properties(t), Config.class)) {
			EndpointHttp http = new EndpointHttp(context);
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			EndpointHttp.Response started = http.post("/snapshots", "{\"tables\": \"public." + t + "\"}");
			assertThat(started.status()).as(started.text()).isEqualTo(200);
			String id = started.body().get("id").asString();
			StreamTestSupport.await("the first rows", () -> http.get("/snapshots/" + id).body().get("rows").asLong() >= 100,
					TIMEOUT);
			JsonNode running = http.get("/snapshots/" + id).body();
			assertThat(running.get("status").asString()).isEqualTo("running");
			assertThat(running.at("/tables/0/percent").asInt()).as(running.toString()).isBetween(1, 99);
			assertThat(running.at("/tables/0/eta").asString()).startsWith("PT");
			assertThat(http.get("").body().at("/streams/default/snapshots/0/id").asString())
				.as("the report shows the running snapshot").isEqualTo(id);

			// the same table again, by another spelling, while it runs
			EndpointHttp.Response second = http.post("/snapshots", "{\"tables\": \"" + t.toUpperCase() + "\"}");
			assertThat(second.status()).isEqualTo(400);
			assertThat(second.error()).contains("already being read by snapshot " + id).contains("cancel it");
			assertThat(http.get("/snapshots").body().get("snapshots")).as("nothing started").hasSize(1);

			EndpointHttp.Response cancelled = http.delete("/snapshots/" + id);
			assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
			assertThat(cancelled.body().get("id").asString()).isEqualTo(id);
			StreamTestSupport.await("the cancelled event", () -> !recorder.of(SnapshotTableCancelledEvent.class).isEmpty(),
					TIMEOUT);
			SnapshotTableCancelledEvent event = recorder.of(SnapshotTableCancelledEvent.class).get(0);
			assertThat(event.snapshotId()).isEqualTo(id);
			assertThat(event.table().toString()).isEqualTo("public." + t);
			assertThat(event.rows()).isBetween(100L, 2999L);
			StreamTestSupport.await("the cancelled status",
					() -> "cancelled".equals(http.get("/snapshots/" + id).body().get("status").asString()), TIMEOUT);
			JsonNode after = http.get("/snapshots/" + id).body();
			assertThat(after.at("/tables/0/status").asString()).isEqualTo("cancelled");
			long delivered = after.get("rows").asLong();
			assertThat(delivered).isLessThan(3000);
			// no row follows the cancellation
			StreamTestSupport.sleep(500);
			assertThat(recorder.of(SnapshotEvent.class)).hasSize((int) delivered);
			assertThat(event.rows()).isEqualTo(delivered);
			assertThat(recorder.of(SnapshotTableCompletedEvent.class)).isEmpty();

			// once cancelled, the table can be read again
			Config.rowDelayMillis = 0;
			EndpointHttp.Response again = http.post("/snapshots", "{\"tables\": \"" + t + "\"}");
			assertThat(again.status()).as(again.text()).isEqualTo(200);
			String againId = again.body().get("id").asString();
			StreamTestSupport.await("the new backfill to complete",
					() -> "completed".equals(http.get("/snapshots/" + againId).body().get("status").asString()), TIMEOUT);
			assertThat(http.get("/snapshots/" + againId).body().get("rows").asLong()).isEqualTo(3000);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			Config.rowDelayMillis = 0;
		}
	}

}
