package io.github.pglogrepl.sample;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import io.github.pglogrepl.spring.event.InsertEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample on a random port against an embedded PostgreSQL: generated orders arrive as events, on the SSE
 * stream, and in the lag metric and health.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "sample.generator.enabled=true", "sample.generator.rate=20" })
@Import({ EmbeddedPostgresConfiguration.class, SampleApplicationTest.Recording.class })
class SampleApplicationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	@LocalServerPort
	int port;

	@Autowired
	Recording recording;

	@Autowired
	LoadGenerator generator;

	@Autowired
	JdbcTemplate jdbc;

	private final HttpClient http = HttpClient.newHttpClient();

	/** Records the ids of inserted orders as delivered to listeners. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Recording {

		final Set<Long> inserted = ConcurrentHashMap.newKeySet();

		@Bean
		Object insertRecorder() {
			return new Object() {
				@EventListener
				void on(InsertEvent<Order> event) {
					Recording.this.inserted.add(event.newValue().id());
				}
			};
		}

	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	@Test
	void generatedOrdersArriveAsEventsAndOnTheChangeStream() throws Exception {
		// the server-sent event stream the page listens to
		HttpResponse<java.io.InputStream> sse = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/changes")).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(sse.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
		List<JsonNode> changes = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
			String event = null;
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (changes.size() < 10 && System.nanoTime() < deadline) {
				String line = reader.readLine();
				if (line == null) {
					break;
				}
				if (line.startsWith("event:")) {
					event = line.substring(6).trim();
				}
				else if (line.startsWith("data:") && "change".equals(event)) {
					changes.add(JSON.readTree(line.substring(5)));
				}
			}
		}
		assertThat(changes).hasSizeGreaterThanOrEqualTo(10);
		assertThat(changes).anySatisfy((c) -> {
			assertThat(c.get("op").asString()).isEqualTo("insert");
			assertThat(c.get("table").asString()).isEqualTo("public.orders");
			assertThat(c.get("id").asLong()).isPositive();
			assertThat(c.get("amount").decimalValue()).isPositive();
			assertThat(c.get("lsn").asString()).contains("/");
		});

		// metrics and health while the generator runs
		JsonNode lag = get("/actuator/metrics/pglogrepl.lag");
		assertThat(lag.get("baseUnit").asString()).isEqualTo("bytes");
		double lagBytes = lag.get("measurements").get(0).get("value").asDouble();
		assertThat(lagBytes).isGreaterThanOrEqualTo(0).isLessThan(64 * 1024 * 1024);
		JsonNode lagTime = get("/actuator/metrics/pglogrepl.lag.time");
		assertThat(lagTime.get("measurements").get(0).get("value").asDouble()).isBetween(0.0, 30.0);
		JsonNode health = get("/actuator/health");
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/pglogrepl/status").asString()).isEqualTo("UP");
		assertThat(health.at("/components/pglogrepl/details/status").asString()).isEqualTo("STREAMING");
		JsonNode transactions = get("/actuator/metrics/pglogrepl.transactions");
		assertThat(transactions.get("measurements").get(0).get("value").asDouble()).isPositive();
		JsonNode endpoint = get("/actuator/pglogrepl");
		assertThat(endpoint.at("/streams/default/stream/slot").asString()).isEqualTo("sample_orders");
		assertThat(endpoint.at("/streams/default/slot/plugin").asString()).isEqualTo("pgoutput");

		// every generated order arrives as an InsertEvent<Order>
		this.generator.stop();
		Long max = this.jdbc.queryForObject("SELECT last_value FROM orders_id_seq", Long.class);
		assertThat(max).isGreaterThanOrEqualTo(10);
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (this.recording.inserted.size() < max && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		for (long id = 1; id <= max; id++) {
			assertThat(this.recording.inserted).as("order %d delivered", id).contains(id);
		}
		JsonNode stats = get("/api/stats");
		assertThat(stats.get("rawMessages").asLong()).as("raw XLogData listener")
			.isGreaterThanOrEqualTo(stats.get("changes").asLong());
	}

}
