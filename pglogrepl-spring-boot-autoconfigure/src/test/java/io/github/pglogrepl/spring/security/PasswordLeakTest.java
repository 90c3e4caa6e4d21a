package io.github.pglogrepl.spring.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplConnectionDetails;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplProperties;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpointAutoConfiguration;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.health.PgLogReplHealthAutoConfiguration;
import io.github.pglogrepl.spring.health.PgLogReplHealthIndicator;
import io.github.pglogrepl.spring.metrics.PgLogReplMetricsAutoConfiguration;
import io.github.pglogrepl.spring.security.SecurityTestSupport.LogCapture;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static io.github.pglogrepl.spring.security.SecurityTestSupport.text;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.urlWithoutUser;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.user;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.withParam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The connection password, given as {@code pglogrepl.password}, {@code spring.datasource.password} or as a
 * {@code password=} parameter of the JDBC URL, never shows: not in any log event (every level, pgjdbc's
 * java.util.logging included), console output, failure analysis, exception message or cause chain of a failed
 * startup, actuator endpoint report, health details, meters, nor in the {@code toString()} of the
 * configuration and state objects. The embedded server trusts every local connection, so any password works
 * (the tests check that the secrets really are in use).
 */
@RealPostgres
@ExtendWith(OutputCaptureExtension.class)
class PasswordLeakTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/** Unique per run, so that no other text can contain them by chance. */
	private static final String SECRET = "pw" + UUID.randomUUID().toString().replace("-", "");

	private static final String URL_SECRET = "urlpw" + UUID.randomUUID().toString().replace("-", "");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class,
				PgLogReplHealthAutoConfiguration.class, PgLogReplEndpointAutoConfiguration.class,
				PgLogReplMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	private static void assertNoSecret(String where, String text) {
		assertThat(text).as(where).doesNotContain(SECRET).doesNotContain(URL_SECRET);
	}

	// ------------------------------------------------------------------ a running stream

	/**
	 * A stream that starts, delivers a change, loses its connection (walsender terminated) and reconnects:
	 * every place that describes it is searched for both secrets.
	 * @param viaDataSource whether the connection comes from spring.datasource.* (otherwise pglogrepl.*)
	 */
	@ParameterizedTest(name = "via spring.datasource: {0}")
	@ValueSource(booleans = { false, true })
	void runningStreamNeverShowsThePassword(boolean viaDataSource, TestPostgres pg, CapturedOutput output) {
		String[] tableAndPublication = StreamTestSupport.tableWithPublication(pg, "id int primary key, note text");
		String slot = TestPostgres.uniqueName("leak");
		String secretUrl = withParam(urlWithoutUser(pg), "password=" + URL_SECRET);
		List<String> props = new ArrayList<>(List.of("pglogrepl.slot.name=" + slot,
				"pglogrepl.slot.drop-on-shutdown=true", "pglogrepl.publication.names=" + tableAndPublication[1],
				"pglogrepl.reconnect.initial-interval=100ms", "management.endpoints.web.exposure.include=pglogrepl"));
		if (viaDataSource) {
			props.addAll(List.of("spring.datasource.url=" + secretUrl, "spring.datasource.username=" + user(pg),
					"spring.datasource.password=" + SECRET));
		}
		else {
			props.addAll(List.of("spring.datasource.url=" + urlWithoutUser(pg), "pglogrepl.url=" + secretUrl,
					"pglogrepl.username=" + user(pg), "pglogrepl.password=" + SECRET));
		}
		List<String> shown = new ArrayList<>();
		LogCapture logs = new LogCapture();
		try (logs) {
			runStream(props, pg, slot, tableAndPublication[0], shown);
		}
		finally {
			pg.queryString("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
					+ slot + "'");
		}
		for (String text : shown) {
			assertNoSecret("shown by the application", text);
		}
		String logged = logs.text();
		// the capture works: the reconnect was logged (with the server's reason) ...
		assertThat(logged).contains("Replication stream of slot '" + slot + "' failed");
		assertThat(logs.size()).isGreaterThan(10);
		// ... and nothing logged or printed contains a secret
		assertNoSecret("log events", logged);
		assertNoSecret("console output", output.getAll());
	}

	private void runStream(List<String> props, TestPostgres pg, String slot, String table, List<String> shown) {
		{
			this.runner.withBean(StreamTestSupport.Recorder.class)
				.withPropertyValues(props.toArray(String[]::new))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
					StreamContainerProperties settings = container.getContainerProperties();
					// both secrets are really in use (a password URL parameter wins over the property in pgjdbc)
					assertThat(context.getBean(PgLogReplConnectionDetails.class).getPassword()).isEqualTo(SECRET);
					assertThat(settings.getJdbcUrl() + settings.getConnectionProperties()).contains(URL_SECRET);
					await("streaming", () -> container.state().status() == StreamStatus.STREAMING);
					pg.execute("INSERT INTO " + table + " VALUES (1, 'one')");
					StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
					await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty());
					PgLogReplHealthIndicator health = context.getBean(PgLogReplHealthIndicator.class);
					PgLogReplEndpoint endpoint = context.getBean(PgLogReplEndpoint.class);
					shown.add(endpoint.report().toString());
					shown.add(health.health(true).toString());
					// lose the connection: the failure is logged and kept as lastError, then the stream reconnects
					pg.queryString("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
							+ slot + "'");
					long deadline = System.nanoTime() + TIMEOUT.toNanos();
					while (container.state().reconnects() == 0 && System.nanoTime() < deadline) {
						shown.add(container.state().toString());
						shown.add(health.health(true).toString());
						SecurityTestSupport.sleep(10);
					}
					assertThat(container.state().reconnects()).as("reconnects").isPositive();
					await("streaming again", () -> container.state().status() == StreamStatus.STREAMING);
					shown.add(container.state().toString());
					shown.add(health.health(true).toString());
					shown.add(endpoint.report().toString());
					shown.add(context.getBean(PgLogReplProperties.class).toString());
					shown.add(context.getBean(PgLogReplConnectionDetails.class).toString());
					shown.add(settings.toString());
					shown.add(recorder.events.toString());
					context.getBean(MeterRegistry.class).getMeters().forEach((meter) -> shown.add(meter.getId().toString()));
					assertThat(String.join("\n", shown)).contains(slot);
				});
		}
	}

	// ------------------------------------------------------------------ failed startups

	static Stream<Arguments> failingConnections() {
		return Stream.of(
				Arguments.of("connection refused", "jdbc:postgresql://127.0.0.1:1/db?password=" + URL_SECRET, null),
				Arguments.of("connection refused, password not the last parameter",
						"jdbc:postgresql://localhost:1/db?user=x&password=" + URL_SECRET + "&connectTimeout=2", null),
				Arguments.of("unparsable URL (port)", "jdbc:postgresql://127.0.0.1:port/db?password=" + URL_SECRET,
						null),
				Arguments.of("unparsable URL (host list)",
						"jdbc:postgresql://127.0.0.1:1,:x/db?ssl=false&password=" + URL_SECRET, null),
				Arguments.of("not a PostgreSQL URL", "jdbc:mysql://127.0.0.1:1/db?password=" + URL_SECRET, null),
				Arguments.of("database does not exist", "{server}/no_such_database_x?password=" + URL_SECRET, null),
				Arguments.of("role does not exist", "{server}?password=" + URL_SECRET, "no_such_role_x"));
	}

	/**
	 * A startup that fails on the connection: the failure analysis printed by Spring Boot, the exception chain,
	 * the log and the console never show either secret.
	 * @param name the case
	 * @param url the URL (with a password parameter)
	 * @param username the user, or null for the test server's
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("failingConnections")
	void failedStartupNeverShowsThePassword(String name, String url, String username, TestPostgres pg,
			CapturedOutput output) {
		String server = urlWithoutUser(pg);
		int q = server.indexOf('?');
		String resolved = url.replace("{server}?", withParam(server, ""))
			.replace("{server}/", ((q < 0) ? server : server.substring(0, q)).replaceAll("/[^/]*$", "/"));
		String slot = TestPostgres.uniqueName("leak");
		java.util.Set<String> slotsBefore = SecurityTestSupport.slots(pg);
		Throwable failure;
		String logged;
		try (LogCapture logs = new LogCapture()) {
			failure = catchThrowable(() -> new SpringApplicationBuilder(StreamTestSupport.TestApp.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "spring.datasource.url=" + server,
						"pglogrepl.url=" + resolved, "pglogrepl.username=" + ((username != null) ? username : user(pg)),
						"pglogrepl.password=" + SECRET, "pglogrepl.slot.name=" + slot, "pglogrepl.publication.names=p",
						"logging.level.root=DEBUG", "logging.level.io.github.pglogrepl=TRACE",
						"logging.level.org.postgresql=TRACE")
				.run()
				.close());
			logged = logs.text();
		}
		assertThat(failure).as("startup with %s", name).isNotNull();
		ReplicationSetupException setup = SecurityTestSupport.setupException(failure);
		assertThat(setup).as("ReplicationSetupException in %s", failure).isNotNull();
		FailureAnalysis analysis = analyze(failure);
		assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start");
		assertNoSecret("failure analysis", text(analysis));
		assertNoSecret("exception chain", text(failure));
		// Spring Boot printed the analysis (so the console was captured) without a secret
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START");
		assertNoSecret("console output", output.getAll());
		assertNoSecret("log events", logged);
		assertThat(SecurityTestSupport.added(slotsBefore, SecurityTestSupport.slots(pg))).isEmpty();
	}

	private static FailureAnalysis analyze(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
			}));
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		throw new AssertionError("No failure analysis for " + failure);
	}

	// ------------------------------------------------------------------ masking

	/**
	 * Every way of writing a password parameter in a pgjdbc URL is masked; other parameters stay readable.
	 * @param query the query part of the URL, with {@code S} for the secret
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "?password=S", "?user=u&password=S", "?password=S&ssl=false", "?a=1&password=S&password=S",
			"?password=S%26S", "?sslpassword=S", "?user=u&sslpassword=S&sslmode=disable" })
	void urlPasswordParametersAreMasked(String query) {
		String url = "jdbc:postgresql://localhost:5432/db" + query.replace("S", URL_SECRET);
		String masked = io.github.pglogrepl.spring.stream.JdbcUrls.maskPassword(url);
		assertNoSecret("maskPassword(" + query + ")", masked);
		assertThat(masked).startsWith("jdbc:postgresql://localhost:5432/db?").contains("******");
		PgLogReplProperties properties = new PgLogReplProperties();
		properties.setUrl(url);
		properties.setPassword(SECRET);
		assertNoSecret("PgLogReplProperties.toString()", properties.toString());
	}

	@Test
	void maskingKeepsTheRestOfTheUrl() {
		assertThat(io.github.pglogrepl.spring.stream.JdbcUrls.maskPassword("jdbc:postgresql://h:1/db?user=u&password=p&ssl=true"))
			.isEqualTo("jdbc:postgresql://h:1/db?user=u&password=******&ssl=true");
		assertThat(io.github.pglogrepl.spring.stream.JdbcUrls.maskPassword("jdbc:postgresql://h:1/db?user=password")).isEqualTo(
				"jdbc:postgresql://h:1/db?user=password");
		assertThat(io.github.pglogrepl.spring.stream.JdbcUrls.maskPassword(null)).isNull();
	}

	private static void await(String what, java.util.function.BooleanSupplier condition) {
		StreamTestSupport.await(what, condition, TIMEOUT);
	}

}
