package io.github.pglogrepl.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TestcontainersSampleApplication}, as the README's command starts it, on a random port: the database
 * is the container, the page is served, and an order written through the API comes back through the
 * replication stream on the page's event stream. Skipped with the reason when Docker or the image is missing.
 */
@ExtendWith(TestcontainersSampleApplicationTest.DockerImageAvailable.class)
class TestcontainersSampleApplicationTest {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final HttpClient http = HttpClient.newHttpClient();

	/** Skips the test, with the reason, where the container cannot start. */
	static class DockerImageAvailable implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			String reason = ContainerConfiguration.unavailableReason();
			if (reason == null) {
				return ConditionEvaluationResult.enabled("Docker image " + ContainerConfiguration.IMAGE + " is available");
			}
			String message = "Testcontainers test " + context.getDisplayName() + " skipped: " + reason;
			LoggerFactory.getLogger(TestcontainersSampleApplicationTest.class).warn(message);
			return ConditionEvaluationResult.disabled(message);
		}

	}

	@Test
	void runsOnAContainerAndStreamsAnOrderWrittenThroughTheApi() throws Exception {
		SpringApplication.Running running = TestcontainersSampleApplication.start("--server.port=0",
				"--spring.main.banner-mode=off");
		try (ConfigurableApplicationContext context = running.getApplicationContext()) {
			// the database is the container, reached through its service connection
			PostgreSQLContainer postgres = context.getBean(PostgreSQLContainer.class);
			assertThat(postgres.isRunning()).isTrue();
			assertThat(context.getBean(JdbcConnectionDetails.class).getJdbcUrl()).isEqualTo(postgres.getJdbcUrl());
			assertThat(context.getEnvironment().getProperty("spring.datasource.url")).isNull();
			String base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");

			HttpResponse<String> page = get(base + "/");
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.body()).contains("/api/changes");

			// the page's event stream, then an order written through the API
			HttpResponse<Stream<String>> sse = this.http.send(HttpRequest.newBuilder(URI.create(base + "/api/changes")).build(),
					HttpResponse.BodyHandlers.ofLines());
			try (Stream<String> lines = sse.body()) {
				CompletableFuture<JsonNode> containerOrder = CompletableFuture.supplyAsync(() -> lines
					.filter((line) -> line.startsWith("data:") && line.contains("\"Container\""))
					.map((line) -> JSON.readTree(line.substring(5)))
					.filter((change) -> "insert".equals(change.path("op").asString()))
					.findFirst()
					.orElse(null));
				HttpResponse<String> written = this.http.send(
						HttpRequest.newBuilder(URI.create(base + "/api/orders?customer=Container"))
							.POST(HttpRequest.BodyPublishers.noBody())
							.build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(written.statusCode()).isEqualTo(200);
				long id = JSON.readTree(written.body()).get("id").asLong();
				JsonNode change = containerOrder.get(30, TimeUnit.SECONDS);
				assertThat(change).isNotNull();
				assertThat(change.get("id").asLong()).isEqualTo(id);
				assertThat(change.get("table").asString()).isEqualTo("public.orders");
				assertThat(change.get("lsn").asString()).contains("/");
			}

			// the stream is healthy and the generator (on under this main, as under the README command) writes
			JsonNode health = JSON.readTree(get(base + "/actuator/health").body());
			assertThat(health.at("/components/pglogrepl/details/status").asString()).isEqualTo("STREAMING");
			JsonNode generator = JSON.readTree(get(base + "/api/generator").body());
			assertThat(generator.get("running").asBoolean()).isTrue();
		}
	}

	private HttpResponse<String> get(String url) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
