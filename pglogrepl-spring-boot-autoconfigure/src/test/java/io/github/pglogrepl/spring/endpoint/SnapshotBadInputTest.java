package io.github.pglogrepl.spring.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad backfill requests over real HTTP against the real server: each answers 400 with what is wrong and how to
 * fix it, starts nothing, changes nothing in the database, and leaves the stream streaming (a change committed
 * meanwhile is delivered). A table that really has a hostile name, and is published, is read when named properly;
 * a condition that writes fails in the chunk's read-only transaction.
 */
@RealPostgres
class SnapshotBadInputTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final TestPostgres pg;

	SnapshotBadInputTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	/** The hostile table's name as the catalog has it. */
	private static final String HOSTILE = "we'ird; \"Tab\", x) --";

	/** The same, quoted as SQL writes it. */
	private static final String HOSTILE_SQL = "\"we'ird; \"\"Tab\"\", x) --\"";

	@Test
	void eachBadRequestIsAClearErrorAndChangesNothing() {
		String t = TestPostgres.uniqueName("snap_bad");
		String mixed = "Mixed_" + t;
		String unpublished = t + "_unpub";
		String victim = t + "_victim";
		String seq = t + "_seq";
		String writer = t + "_writer";
		this.pg.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text, n int)",
				"INSERT INTO " + t + " SELECT i, 'row ' || i, i FROM generate_series(1, 50) i",
				"CREATE TABLE " + HOSTILE_SQL + " (\"Id\" int PRIMARY KEY, \"odd col\" text)",
				"INSERT INTO " + HOSTILE_SQL + " SELECT i, 'h' || i FROM generate_series(1, 5) i",
				"CREATE TABLE \"" + mixed + "\" (id int PRIMARY KEY)", "INSERT INTO \"" + mixed + "\" VALUES (1), (2), (3)",
				"CREATE TABLE " + unpublished + " (id int PRIMARY KEY)", "CREATE TABLE " + victim + " (id int)",
				"INSERT INTO " + victim + " VALUES (1)", "CREATE SEQUENCE " + seq,
				"CREATE FUNCTION " + writer + "() RETURNS boolean LANGUAGE sql VOLATILE AS $$ INSERT INTO " + victim
						+ " VALUES (2) RETURNING true $$",
				"CREATE PUBLICATION " + t + " FOR TABLE " + t + ", " + HOSTILE_SQL + ", \"" + mixed + "\"");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(this.pg, slot, t);
		props.add("pglogrepl.slot.create=temporary");
		try (ConfigurableApplicationContext context = EndpointHttp.start(props, Config.class)) {
			EndpointHttp http = new EndpointHttp(context);
			Recorder recorder = context.getBean(Recorder.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			Consumer<EndpointHttp.Response> unaffected = (response) -> {
				assertThat(container.state().status()).as("stream after %s", response.text())
					.isEqualTo(StreamStatus.STREAMING);
				assertThat(http.get("/snapshots").body().get("snapshots")).as("nothing started by %s", response.text())
					.isEmpty();
			};

			// tables
			bad(http, unaffected, tables("no_such_table"), "No table 'no_such_table'", "quote mixed-case names");
			bad(http, unaffected, tables(unpublished), "Table public." + unpublished + " is not published by [" + t + "]");
			bad(http, unaffected, tables(mixed), "No table '" + mixed + "'", "quote mixed-case names: \"MyTable\"");
			bad(http, unaffected, tables("public." + t + "; DROP TABLE " + victim), "public." + t + "; DROP TABLE "
					+ victim + "'");
			bad(http, unaffected, tables(t + "' OR '1'='1"), t + "' OR '1'='1");
			bad(http, unaffected, tables(HOSTILE), "we'ird; \"Tab\"");
			bad(http, unaffected, tables("\"" + t + " \""), "No table '\"" + t + " \"'");
			bad(http, unaffected, tables(t + ", no_such_table"), "No table 'no_such_table'");
			this.pg.execute("INSERT INTO " + t + " VALUES (1000, 'during the bad requests', 0)");

			// conditions the server refuses
			bad(http, unaffected, condition(t, "id +"), "Invalid snapshot condition for table \"public\".\"" + t + "\"",
					"syntax error");
			bad(http, unaffected, condition(t, "1"), "Invalid snapshot condition for table \"public\".\"" + t + "\"",
					"must be type boolean");
			bad(http, unaffected, condition(t, "v"), "must be type boolean, not type text");
			bad(http, unaffected, condition(t, "no_such_column = 1"), "no_such_column", "does not exist");
			bad(http, unaffected, condition(t, "id = 1 UNION SELECT 1"), "syntax error");
			// conditions the checker refuses before the server sees them
			bad(http, unaffected, condition(t, "true); DROP TABLE " + victim + "; --"), "a ')' without its '('");
			bad(http, unaffected, condition(t, "1=1) OR (1=1"), "a ')' without its '('");
			bad(http, unaffected, condition(t, "(true); DROP TABLE " + victim + "; SELECT (1"), "a ';'");
			bad(http, unaffected, condition(t, "id = 1 -- ) OR true"), "a comment");
			bad(http, unaffected, condition(t, "id = 1 /* ) OR (true */"), "a comment");
			bad(http, unaffected, condition(t, "v = E'\\'') ; DROP TABLE " + victim + "; --"),
					"a backslash in a string literal");
			bad(http, unaffected, condition(t, "x$a$ = 1) ; DROP TABLE " + victim + "; select ($a$"),
					"a ')' without its '('");
			bad(http, unaffected, condition(t, "(x$a$ = 1) ; DROP TABLE " + victim + "; select ($a$)"), "a ';'");
			bad(http, unaffected, condition(t, "v = 'unterminated"), "an unterminated string literal");

			// one table named twice, a condition failing on one of two tables: nothing starts
			bad(http, unaffected, "{\"tables\": " + EndpointHttp.json(t + ", " + HOSTILE_SQL)
					+ ", \"condition\": \"id > 0\"}", "Invalid snapshot condition for table \"public\"." + HOSTILE_SQL,
					"\"id\" does not exist");

			// the change committed meanwhile was delivered; the database is as it was
			StreamTestSupport.await("the change committed during the bad requests", () -> recorder.of(InsertEvent.class)
				.stream()
				.anyMatch((e) -> Integer.valueOf(1000).equals(e.newRow().get("id"))), TIMEOUT);
			assertThat(this.pg.queryString("SELECT count(*) FROM " + victim)).isEqualTo("1");
			assertThat(this.pg.queryString("SELECT count(*) FROM " + t)).isEqualTo("51");
			assertThat(recorder.of(SnapshotEvent.class)).isEmpty();

			// the hostile table, named properly, is read; so is the mixed-case one, with a condition on a hostile column
			JsonNode hostile = completed(http, "{\"tables\": " + EndpointHttp.json(HOSTILE_SQL + ", \"" + mixed + "\"")
					+ "}");
			assertThat(hostile.get("rows").asLong()).isEqualTo(8);
			assertThat(hostile.at("/tables/0/table").asString()).isEqualTo("public." + HOSTILE);
			JsonNode column = completed(http, "{\"tables\": " + EndpointHttp.json("public." + HOSTILE_SQL)
					+ ", \"condition\": " + EndpointHttp.json("\"odd col\" IN ('h2', 'h4') AND \"Id\" > 0") + "}");
			assertThat(column.get("rows").asLong()).isEqualTo(2);
			assertThat(recorder.of(SnapshotEvent.class)).filteredOn((e) -> e.table().name().equals(HOSTILE))
				.hasSize(7);
			// a subquery reads: allowed
			JsonNode subquery = completed(http, "{\"tables\": \"" + t + "\", \"condition\": "
					+ EndpointHttp.json("id IN (SELECT n FROM " + t + " WHERE v LIKE 'row 1%')") + "}");
			assertThat(subquery.get("rows").asLong()).isEqualTo(11);

			// a condition that writes passes the server's parse but fails in the chunk's read-only transaction
			JsonNode nextval = finished(http, condition(t, "nextval('" + seq + "') > 0"));
			assertThat(nextval.get("status").asString()).isEqualTo("failed");
			assertThat(nextval.at("/tables/0/reason").asString()).contains("cannot execute nextval() in a read-only transaction");
			assertThat(this.pg.queryString("SELECT is_called FROM " + seq)).isEqualTo("f");
			JsonNode writes = finished(http, condition(t, writer + "()"));
			assertThat(writes.get("status").asString()).isEqualTo("failed");
			assertThat(writes.at("/tables/0/reason").asString()).contains("cannot execute INSERT in a read-only transaction");
			assertThat(this.pg.queryString("SELECT count(*) FROM " + victim)).isEqualTo("1");
			assertThat(recorder.of(SnapshotEvent.class)).hasSize(7 + 3 + 11);

			// the stream goes on
			this.pg.execute("INSERT INTO " + t + " VALUES (1001, 'after', 0)");
			StreamTestSupport.await("a change after the failed backfills", () -> recorder.of(InsertEvent.class)
				.stream()
				.anyMatch((e) -> Integer.valueOf(1001).equals(e.newRow().get("id"))), TIMEOUT);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
	}

	private static String tables(String tables) {
		return "{\"tables\": " + EndpointHttp.json(tables) + "}";
	}

	private static String condition(String table, String condition) {
		return "{\"tables\": " + EndpointHttp.json(table) + ", \"condition\": " + EndpointHttp.json(condition) + "}";
	}

	private static void bad(EndpointHttp http, Consumer<EndpointHttp.Response> unaffected, String body,
			String... expected) {
		EndpointHttp.Response response = http.post("/snapshots", body);
		assertThat(response.status()).as("%s -> %s", body, response.text()).isEqualTo(400);
		assertThat(response.error()).as(body).isNotNull();
		for (String part : expected) {
			assertThat(response.error()).as(body).contains(part);
		}
		unaffected.accept(response);
	}

	private static JsonNode finished(EndpointHttp http, String body) {
		EndpointHttp.Response started = http.post("/snapshots", body);
		assertThat(started.status()).as("%s -> %s", body, started.text()).isEqualTo(200);
		String id = started.body().get("id").asString();
		StreamTestSupport.await("snapshot " + id + " to finish",
				() -> !"running".equals(http.get("/snapshots/" + id).body().get("status").asString()), TIMEOUT);
		return http.get("/snapshots/" + id).body();
	}

	private static JsonNode completed(EndpointHttp http, String body) {
		JsonNode finished = finished(http, body);
		assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("completed");
		return finished;
	}

}
