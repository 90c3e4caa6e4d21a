package io.github.pglogrepl.quickstart;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.event.InsertEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's quick start, exactly: its {@code application.yml} is read from the README (so the two cannot drift)
 * and run — with only the database connection pointed at an embedded server — in a web application with the
 * dependencies the quick start lists; an order arrives as {@code InsertEvent<Order>}, and the lag, the health
 * details and the endpoint answer over HTTP.
 */
class QuickStartTest {

	/** The quick start's record. */
	public record Order(long id, String customerName, BigDecimal amount, Instant createdAt) {
	}

	/** The quick start's listener. */
	static class OrderListener {

		final List<Order> orders = new CopyOnWriteArrayList<>();

		@EventListener
		void created(InsertEvent<Order> event) {
			this.orders.add(event.newValue());
		}

	}

	/** An application with nothing but the quick start's listener. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class QuickStartApplication {

		@Bean
		OrderListener orderListener() {
			return new OrderListener();
		}

	}

	static String quickStartYaml() throws Exception {
		String readme = Files.readString(Path.of("..", "README.md"));
		int section = readme.indexOf("## Spring Boot quick start");
		assertThat(section).as("quick start section in README.md").isPositive();
		Matcher yaml = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
		assertThat(yaml.find(section)).as("a yaml block in the quick start").isTrue();
		return yaml.group(1);
	}

	@Test
	void theQuickStartAsWrittenStreamsAndShowsTheLagOverHttp() throws Exception {
		String yaml = quickStartYaml();
		assertThat(yaml).contains("pglogrepl:", "management:", "show-details: always");
		Path config = Files.createTempFile("quick-start", ".yml");
		Files.writeString(config, yaml);
		try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start()) {
			String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/shop";
			try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
					Statement st = c.createStatement()) {
				st.execute("CREATE DATABASE shop");
			}
			try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement st = c.createStatement()) {
				st.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer_name text, amount numeric(10,2), "
						+ "created_at timestamptz DEFAULT now())");
			}
			// the quick start's application.yml only; the connection (command line, which wins) to the embedded server
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(QuickStartApplication.class)
				.run("--spring.config.location=file:" + config, "--spring.datasource.url=" + url,
						"--spring.datasource.username=postgres", "--spring.datasource.password=", "--server.port=0",
						"--spring.main.banner-mode=off")) {
				int port = ((WebServerApplicationContext) context).getWebServer().getPort();
				try (Connection c = DriverManager.getConnection(url, "postgres", null);
						Statement st = c.createStatement()) {
					st.execute("INSERT INTO orders (customer_name, amount) VALUES ('Ada', 12.50)");
				}
				OrderListener listener = context.getBean(OrderListener.class);
				long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
				while (listener.orders.isEmpty() && System.nanoTime() < deadline) {
					Thread.sleep(50);
				}
				assertThat(listener.orders).hasSize(1);
				assertThat(listener.orders.get(0).customerName()).isEqualTo("Ada");
				assertThat(listener.orders.get(0).amount()).isEqualByComparingTo("12.50");

				String lag = get(port, "/actuator/metrics/pglogrepl.lag");
				assertThat(lag).contains("\"name\":\"pglogrepl.lag\"").contains("\"baseUnit\":\"bytes\"")
					.containsPattern("\"statistic\":\"VALUE\",\"value\":[0-9.E]+");
				String health = get(port, "/actuator/health");
				assertThat(health).contains("\"pglogrepl\":{").contains("\"status\":\"STREAMING\"")
					.contains("\"slot\":\"shop_cdc\"");
				assertThat(get(port, "/actuator/pglogrepl")).contains("\"shop_cdc\"").contains("public.orders");
			}
			finally {
				try (Connection c = DriverManager.getConnection(url, "postgres", null);
						Statement st = c.createStatement()) {
					st.execute("SELECT pg_drop_replication_slot('shop_cdc')");
				}
			}
		}
		finally {
			Files.deleteIfExists(config);
		}
	}

	private static String get(int port, String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

}
