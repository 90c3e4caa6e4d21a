package io.github.pglogrepl.spring.autoconfigure;

import java.io.IOException;
import java.net.URL;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every server-side problem found at startup fails the application with a {@link FailureAnalysis} that names
 * the property or server setting (description) and says how to fix it (action); and Spring Boot uses
 * {@link ReplicationSetupFailureAnalyzer} to print it.
 */
@RealPostgres
@ExtendWith(OutputCaptureExtension.class)
class ReplicationSetupFailureTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class));

	private static String[] properties(TestPostgres pg, String slot, String publication, String... more) {
		List<String> props = new ArrayList<>();
		props.add("spring.datasource.url=" + PgLogReplAutoConfigurationTests.urlWithoutUser(pg));
		props.add("spring.datasource.username=" + ((pg.user() != null) ? pg.user() : "postgres"));
		if (pg.password() != null) {
			props.add("spring.datasource.password=" + pg.password());
		}
		props.add("pglogrepl.slot.name=" + slot);
		props.add("pglogrepl.publication.names=" + publication);
		props.addAll(List.of(more));
		return props.toArray(String[]::new);
	}

	private static String existingPublication(TestPostgres pg) {
		return StreamTestSupport.tableWithPublication(pg, "id int primary key")[1];
	}

	/** Runs a context that must fail at startup and returns the analysis of its failure. */
	private FailureAnalysis failure(String... properties) {
		FailureAnalysis[] result = new FailureAnalysis[1];
		org.springframework.core.env.StandardEnvironment environment = new org.springframework.core.env.StandardEnvironment();
		org.springframework.boot.test.util.TestPropertyValues.of(properties).applyTo(environment);
		this.runner.withPropertyValues(properties).run((context) -> result[0] = analyze(context, environment));
		return result[0];
	}

	private static FailureAnalysis analyze(AssertableApplicationContext context) {
		return analyze(context, null);
	}

	private static FailureAnalysis analyze(AssertableApplicationContext context,
			org.springframework.core.env.Environment environment) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		ReplicationSetupException cause = null;
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof ReplicationSetupException ex) {
				cause = ex;
				break;
			}
		}
		assertThat(cause).as("ReplicationSetupException in the causes of %s", failure).isNotNull();
		FailureAnalysis analysis = new ReplicationSetupFailureAnalyzer(environment).analyze(failure);
		assertThat(analysis).isNotNull();
		assertThat(analysis.getCause()).isSameAs(cause);
		assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start: ");
		assertThat(analysis.getAction()).isNotBlank();
		return analysis;
	}

	private static boolean slotExists(TestPostgres pg, String slot) {
		return pg.queryString("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'") != null;
	}

	private static void dropSlotIfExists(TestPostgres pg, String slot) {
		pg.queryString("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
				+ slot + "'");
	}

	@Test
	void missingPublication(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("fail");
		String publication = TestPostgres.uniqueName("nopub");
		FailureAnalysis analysis = failure(properties(pg, slot, publication));
		assertThat(analysis.getDescription()).contains("'" + publication + "'")
			.contains("pglogrepl.publication.names")
			.contains("does not exist");
		assertThat(analysis.getAction()).contains("CREATE PUBLICATION \"" + publication + "\" FOR TABLE")
			.contains("pglogrepl.publication.create=if-missing")
			.contains("pglogrepl.publication.tables");
		// nothing was set up
		assertThat(slotExists(pg, slot)).isFalse();
	}

	@Test
	void userWithoutReplicationPrivilege(TestPostgres pg) {
		String role = TestPostgres.uniqueName("norepl");
		String slot = TestPostgres.uniqueName("fail");
		pg.execute("CREATE ROLE " + role + " LOGIN");
		try {
			FailureAnalysis analysis = failure(properties(pg, slot, existingPublication(pg),
					"pglogrepl.url=" + PgLogReplAutoConfigurationTests.urlWithoutUser(pg), "pglogrepl.username=" + role));
			assertThat(analysis.getDescription()).contains("'" + role + "'").contains("REPLICATION privilege");
			assertThat(analysis.getAction()).contains("ALTER ROLE \"" + role + "\" REPLICATION")
				.contains("pglogrepl.username");
			assertThat(slotExists(pg, slot)).isFalse();
		}
		finally {
			pg.execute("DROP ROLE " + role);
		}
	}

	@Test
	void unreachableServer(TestPostgres pg) {
		String url = "jdbc:postgresql://127.0.0.1:1/x";
		FailureAnalysis analysis = failure(
				properties(pg, TestPostgres.uniqueName("fail"), "any_pub", "pglogrepl.url=" + url));
		// the description names the URL (value of pglogrepl.url), the action the properties to check
		assertThat(analysis.getDescription()).contains("Cannot connect to PostgreSQL at " + url);
		assertThat(analysis.getAction()).contains("pglogrepl.url").contains("spring.datasource.url");
		assertThat(analysis.getCause()).hasCauseInstanceOf(SQLException.class);
	}

	@Test
	@org.junit.jupiter.api.Timeout(60) // without a login timeout the connection attempt would wait forever
	void serverThatNeverAnswersTheLoginFailsAfterTheReceiveTimeout(TestPostgres pg) throws Exception {
		// accepts TCP connections and never says a word (a hung server or a stalled network path)
		try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
			java.util.List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						accepted.add(silent.accept());
					}
				}
				catch (java.io.IOException ex) {
					// closed
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/x";
			long started = System.nanoTime();
			FailureAnalysis analysis = failure(properties(pg, TestPostgres.uniqueName("fail"), "any_pub",
					"pglogrepl.url=" + url, "pglogrepl.receive-timeout=2s"));
			java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);
			assertThat(accepted).isNotEmpty();
			assertThat(analysis.getDescription()).contains("Cannot connect to PostgreSQL at " + url);
			assertThat(took).isLessThan(java.time.Duration.ofSeconds(20));
			for (java.net.Socket socket : accepted) {
				socket.close();
			}
		}
	}

	@Test
	void existingSlotWithAnotherOutputPlugin(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("fail");
		pg.queryString("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
		try {
			FailureAnalysis analysis = failure(properties(pg, slot, existingPublication(pg)));
			assertThat(analysis.getDescription()).contains("'" + slot + "'")
				.contains("pglogrepl.slot.name")
				.contains("'test_decoding'")
				.contains("not pgoutput");
			assertThat(analysis.getAction()).contains("pglogrepl.slot.name")
				.contains("pg_drop_replication_slot('" + slot + "')");
			// the slot was left alone
			assertThat(pg.queryString("SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("test_decoding");
		}
		finally {
			dropSlotIfExists(pg, slot);
		}
	}

	@Test
	void existingPhysicalSlot(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("fail");
		pg.queryString("SELECT pg_create_physical_replication_slot('" + slot + "')");
		try {
			FailureAnalysis analysis = failure(properties(pg, slot, existingPublication(pg)));
			assertThat(analysis.getDescription()).contains("'" + slot + "'")
				.contains("pglogrepl.slot.name")
				.contains("physical slot");
			assertThat(analysis.getAction()).contains("pglogrepl.slot.name");
		}
		finally {
			dropSlotIfExists(pg, slot);
		}
	}

	@Test
	void slotCreateNeverWithMissingSlot(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("fail");
		FailureAnalysis analysis = failure(
				properties(pg, slot, existingPublication(pg), "pglogrepl.slot.create=never"));
		assertThat(analysis.getDescription()).contains("'" + slot + "'")
			.contains("pglogrepl.slot.name")
			.contains("does not exist");
		assertThat(analysis.getAction()).contains("pg_create_logical_replication_slot('" + slot + "', 'pgoutput')")
			.contains("pglogrepl.slot.create=if-missing");
		assertThat(slotExists(pg, slot)).isFalse();
	}

	@Test
	void protoVersionTooHigh(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("fail");
		try {
			FailureAnalysis analysis = failure(
					properties(pg, slot, existingPublication(pg), "pglogrepl.pgoutput.proto-version=9"));
			int max = (pg.majorVersion() >= 16) ? 4 : (pg.majorVersion() >= 15) ? 3 : 2;
			assertThat(analysis.getDescription()).contains("pglogrepl.pgoutput.proto-version=9")
				.contains("PostgreSQL " + pg.majorVersion())
				.contains("at most " + max);
			assertThat(analysis.getAction()).contains("pglogrepl.pgoutput.proto-version to " + max);
			// options are validated before anything is created: a failed start leaves no slot holding WAL
			assertThat(pg.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("0");
		}
		finally {
			dropSlotIfExists(pg, slot);
		}
	}

	@Test
	void walLevelNotLogical() throws IOException {
		try (EmbeddedPostgres replica = EmbeddedPostgres.builder().setServerConfig("wal_level", "replica").start()) {
			String url = "jdbc:postgresql://localhost:" + replica.getPort() + "/postgres";
			FailureAnalysis[] result = new FailureAnalysis[1];
			this.runner
				.withPropertyValues("pglogrepl.url=" + url, "pglogrepl.username=postgres",
						"spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not_used",
						"pglogrepl.slot.name=" + TestPostgres.uniqueName("fail"), "pglogrepl.publication.names=p")
				.run((context) -> result[0] = analyze(context));
			assertThat(result[0].getDescription()).contains("wal_level").contains("'replica'").contains("'logical'");
			assertThat(result[0].getAction()).contains("wal_level = logical").contains("restart PostgreSQL");
		}
	}

	@Test
	void publicationCreatedIfMissing(TestPostgres pg) {
		String table = TestPostgres.uniqueName("t");
		String publication = TestPostgres.uniqueName("pub");
		String slot = TestPostgres.uniqueName("cfg");
		pg.execute("CREATE TABLE public." + table + " (id int primary key)");
		this.runner
			.withPropertyValues(properties(pg, slot, publication, "pglogrepl.slot.create=temporary",
					"pglogrepl.publication.create=if-missing", "pglogrepl.publication.tables=public." + table))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ReplicationStreamContainer.class).isRunning()).isTrue();
				assertThat(pg.queryString("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = '"
						+ publication + "'")).isEqualTo("public." + table);
				assertThat(pg.queryString("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + publication + "'"))
					.isEqualTo("1");
			});
		pg.execute("DROP PUBLICATION " + publication);
	}

	// ------------------------------------------------------------------ Spring Boot integration

	@Test
	void analyzerIsRegisteredInSpringFactories() throws IOException {
		// the entry in this module's META-INF/spring.factories
		List<String> registered = new ArrayList<>();
		Enumeration<URL> resources = getClass().getClassLoader().getResources("META-INF/spring.factories");
		while (resources.hasMoreElements()) {
			URL url = resources.nextElement();
			Properties factories = PropertiesLoaderUtils.loadProperties(new UrlResource(url));
			String value = factories.getProperty(FailureAnalyzer.class.getName());
			if (value != null) {
				for (String name : value.split(",")) {
					registered.add(name.trim());
				}
			}
		}
		assertThat(registered).contains(ReplicationSetupFailureAnalyzer.class.getName());
		// and Spring Boot can instantiate it the way it loads failure analyzers
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
			}));
		assertThat(analyzers).hasAtLeastOneElementOfType(ReplicationSetupFailureAnalyzer.class);
	}

	@Test
	void springBootPrintsTheAnalysisOnStartupFailure(TestPostgres pg, CapturedOutput output) {
		String publication = TestPostgres.uniqueName("nopub");
		String slot = TestPostgres.uniqueName("fail");
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> new SpringApplicationBuilder(StreamTestSupport.TestApp.class).web(WebApplicationType.NONE)
				.properties(properties(pg, slot, publication, "spring.main.banner-mode=off"))
				.run())
			.satisfies((ex) -> assertThat(ex).hasRootCauseInstanceOf(ReplicationSetupException.class));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("PostgreSQL logical replication could not start: The publication '" + publication
					+ "' (pglogrepl.publication.names) does not exist.")
			.contains("Action:")
			.contains("pglogrepl.publication.create=if-missing");
		assertThat(slotExists(pg, slot)).isFalse();
	}

	@Test
	void misspelledPropertiesAreNamedWithTheClosestKnownOne(TestPostgres pg, CapturedOutput output) {
		FailureAnalysis analysis = failure("spring.datasource.url=" + PgLogReplAutoConfigurationTests.urlWithoutUser(pg),
				"spring.datasource.username=postgres", "pglogrepl.slot.nmae=orders_cdc",
				"pglogrepl.publication.names=p", "pglogrepl.publication.craete=if-missing",
				"pglogrepl.streams-typo=x");
		assertThat(analysis.getDescription()).contains("pglogrepl.slot.name is not set");
		assertThat(analysis.getAction()).contains("pglogrepl.slot.nmae (did you mean pglogrepl.slot.name?)")
			.contains("pglogrepl.publication.craete (did you mean pglogrepl.publication.create?)");
		assertThat(output.getAll()).contains("Unknown property pglogrepl.slot.nmae (did you mean pglogrepl.slot.name?)")
			.contains("Unknown property pglogrepl.streams-typo");
		// a real application start: Spring Boot gives the analyzer its environment and prints the hint
		List<String> props = new ArrayList<>(StreamTestSupport.dataSourceProperties(pg));
		props.add("pglogrepl.slot.nmae=orders_cdc");
		props.add("pglogrepl.publication.names=p");
		assertThatException().isThrownBy(() -> StreamTestSupport.start(props).close());
		assertThat(output.getAll()).contains("Action:")
			.contains("Unknown properties are set, perhaps misspelled: pglogrepl.slot.nmae (did you mean pglogrepl.slot.name?)");
	}

	@Test
	void theKnownNamesComeFromThePropertiesClass() {
		assertThat(PgLogReplPropertyNames.knownNames()).contains("pglogrepl.slot.name", "pglogrepl.slot.create",
				"pglogrepl.publication.names", "pglogrepl.pgoutput.streaming", "pglogrepl.events.raw",
				"pglogrepl.health.reconnect-grace-period", "pglogrepl.health.delivery-stall-threshold",
				"pglogrepl.mapping.primitives-defaulted-for-null-value", "pglogrepl.log-row-values",
				"pglogrepl.shutdown-timeout", "pglogrepl.auto-startup", "pglogrepl.reconnect.max-interval")
			.doesNotContain("pglogrepl.streams", "pglogrepl.class");
	}

}
