package io.github.pglogrepl.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.context.event.EventListener;
import org.springframework.core.convert.support.DefaultConversionService;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpoint;
import io.github.pglogrepl.spring.endpoint.PgLogReplEndpointAutoConfiguration;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.health.PgLogReplHealthAutoConfiguration;
import io.github.pglogrepl.spring.health.PgLogReplHealthIndicator;
import io.github.pglogrepl.spring.metrics.PgLogReplMetrics;
import io.github.pglogrepl.spring.metrics.PgLogReplMetricsAutoConfiguration;
import io.github.pglogrepl.spring.stream.AckMode;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.DefaultReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ErrorAction;
import io.github.pglogrepl.spring.stream.ReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.RowTypeRegistry;
import io.github.pglogrepl.spring.stream.OriginFilter;
import io.github.pglogrepl.spring.stream.PublicationCreation;
import io.github.pglogrepl.spring.stream.SlotCreation;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamingMode;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-configuration of the replication stream: conditions, back-off of user beans, property binding,
 * connection details, actuator integration, and failures at startup. Contexts that create the container start
 * streaming on refresh, so they run against the real test server (with temporary slots, which vanish with
 * their connection).
 */
@RealPostgres
class PgLogReplAutoConfigurationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final String PASSWORD = "s3cr3t-pw";

	private static final String[] METER_NAMES = { "pglogrepl.lag", "pglogrepl.lag.time", "pglogrepl.lsn.received",
			"pglogrepl.lsn.flushed", "pglogrepl.messages", "pglogrepl.transactions", "pglogrepl.reconnects",
			"pglogrepl.delivery.failures", "pglogrepl.delivery.blocked", "pglogrepl.slot.retained",
			"pglogrepl.slot.safe", "pglogrepl.slot.recreated", "pglogrepl.failovers", "pglogrepl.failover.redelivered",
			"pglogrepl.snapshot.rows", "pglogrepl.snapshot.chunks", "pglogrepl.snapshot.chunks.reread", "pglogrepl.snapshot.tables.remaining" };

	private static volatile String[] shared;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class,
				PgLogReplHealthAutoConfiguration.class, PgLogReplEndpointAutoConfiguration.class,
				PgLogReplMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	/** Without Micrometer, health or endpoint auto-configurations. */
	private final ApplicationContextRunner coreRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class,
				PgLogReplHealthAutoConfiguration.class, PgLogReplEndpointAutoConfiguration.class,
				PgLogReplMetricsAutoConfiguration.class));

	/** A table and a publication for it, shared by the tests that only need a valid stream. */
	private static String[] shared(TestPostgres pg) {
		String[] result = shared;
		if (result == null) {
			synchronized (PgLogReplAutoConfigurationTests.class) {
				result = shared;
				if (result == null) {
					result = StreamTestSupport.tableWithPublication(pg, "id int primary key, note text");
					shared = result;
				}
			}
		}
		return result;
	}

	/** The JDBC URL of the test server without a user parameter (pgjdbc lets URL parameters win). */
	static String urlWithoutUser(TestPostgres pg) {
		String url = pg.jdbcUrl();
		int q = url.indexOf('?');
		if (q < 0) {
			return url;
		}
		StringBuilder query = new StringBuilder();
		for (String param : url.substring(q + 1).split("&")) {
			if (!param.startsWith("user=") && !param.isEmpty()) {
				query.append((query.length() == 0) ? "?" : "&").append(param);
			}
		}
		return url.substring(0, q) + query;
	}

	/** Properties of a valid stream on a temporary slot, connecting through spring.datasource.*. */
	private static String[] streamProperties(TestPostgres pg, String slot, String... more) {
		List<String> props = new ArrayList<>();
		props.add("spring.datasource.url=" + urlWithoutUser(pg));
		props.add("spring.datasource.username=" + ((pg.user() != null) ? pg.user() : "postgres"));
		if (pg.password() != null) {
			props.add("spring.datasource.password=" + pg.password());
		}
		props.add("pglogrepl.slot.name=" + slot);
		props.add("pglogrepl.slot.create=temporary");
		props.add("pglogrepl.publication.names=" + shared(pg)[1]);
		props.add("pglogrepl.reconnect.initial-interval=100ms");
		props.addAll(List.of(more));
		return props.toArray(String[]::new);
	}

	private static ReplicationSetupException setupException(Throwable failure) {
		Throwable t = failure;
		while (t != null) {
			if (t instanceof ReplicationSetupException ex) {
				return ex;
			}
			t = t.getCause();
		}
		throw new AssertionError("No ReplicationSetupException in the cause chain of " + failure, failure);
	}

	/** Fails unless the context failed with an analysis whose description and action name the property. */
	private static FailureAnalysis assertSetupFailure(AssertableApplicationContext context, String property) {
		FailureAnalysis analysis = analyzeFailure(context);
		assertThat(analysis.getDescription()).contains(property);
		assertThat(analysis.getAction()).contains(property);
		return analysis;
	}

	private static FailureAnalysis analyzeFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		ReplicationSetupException cause = setupException(failure);
		FailureAnalysis analysis = new ReplicationSetupFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start: ")
			.endsWith(cause.getMessage());
		assertThat(analysis.getAction()).isNotBlank().isEqualTo(cause.action());
		assertThat(analysis.getCause()).isSameAs(cause);
		return analysis;
	}

	private static void awaitStreaming(ReplicationStreamContainer container) {
		StreamTestSupport.await("stream STREAMING (is " + container.state().status() + ", last error "
				+ container.state().lastError() + ")", () -> container.state().status() == StreamStatus.STREAMING,
				TIMEOUT);
	}

	// ------------------------------------------------------------------ conditions

	@Test
	void disabledCreatesNoStreamBeans(TestPostgres pg) {
		this.runner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg")))
			.withPropertyValues("pglogrepl.enabled=false", "management.endpoints.web.exposure.include=pglogrepl")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ReplicationStreamContainer.class)
					.doesNotHaveBean(PgLogReplProperties.class)
					.doesNotHaveBean(PgLogReplConnectionDetails.class)
					.doesNotHaveBean(Acknowledgement.class)
					.doesNotHaveBean(PgLogReplHealthIndicator.class)
					.doesNotHaveBean(PgLogReplEndpoint.class)
					.doesNotHaveBean(PgLogReplMetrics.class);
				// the rest of the application is unaffected
				assertThat(context).hasSingleBean(DataSource.class).hasSingleBean(MeterRegistry.class);
			});
	}

	@Test
	void defaultBeansAreCreatedAndTheStreamStarts(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("cfg");
		this.coreRunner.withPropertyValues(streamProperties(pg, slot)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(ReplicationStreamContainer.class)
				.hasSingleBean(PgLogReplConnectionDetails.class)
				.hasSingleBean(ReplicationErrorHandler.class)
				.hasSingleBean(Acknowledgement.class)
				.hasSingleBean(RowTypeListenerScanner.class);
			assertThat(context.getBean(ReplicationErrorHandler.class)).isInstanceOf(DefaultReplicationErrorHandler.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			// the injectable acknowledgement acts on the one stream
			assertThat(context.getBean(Acknowledgement.class).acknowledged())
				.isEqualTo(container.acknowledgement().acknowledged());
			assertThat(container.isRunning()).isTrue();
			awaitStreaming(container);
			// the temporary slot exists while streaming
			assertThat(pg.queryString("SELECT temporary::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("true");
		});
	}

	// ------------------------------------------------------------------ failures

	@Test
	void missingSlotNameFailsWithAnalysis(TestPostgres pg) {
		this.coreRunner.withPropertyValues("spring.datasource.url=" + pg.jdbcUrl(),
				"pglogrepl.publication.names=" + shared(pg)[1]).run((context) -> {
					FailureAnalysis analysis = assertSetupFailure(context, "pglogrepl.slot.name");
					assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start");
					assertThat(analysis.getAction()).contains("pglogrepl.enabled=false");
				});
	}

	@Test
	void invalidSlotNameFails(TestPostgres pg) {
		this.coreRunner.withPropertyValues(streamProperties(pg, "Bad-Name")).run((context) -> {
			FailureAnalysis analysis = assertSetupFailure(context, "pglogrepl.slot.name");
			assertThat(analysis.getDescription()).contains("Invalid pglogrepl.slot.name");
			assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(ReplicationSetupException.class);
		});
	}

	@Test
	void invalidStartLsnFails(TestPostgres pg) {
		this.coreRunner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"), "pglogrepl.start-lsn=zz"))
			.run((context) -> {
				FailureAnalysis analysis = assertSetupFailure(context, "pglogrepl.start-lsn");
				assertThat(analysis.getDescription()).contains("zz");
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(ReplicationSetupException.class);
			});
	}

	@Test
	void nonPositiveStatusIntervalFails(TestPostgres pg) {
		this.coreRunner
			.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"), "pglogrepl.status-interval=0s"))
			.run((context) -> assertSetupFailure(context, "pglogrepl.status-interval"));
	}

	@Test
	void nonPostgresUrlFails(TestPostgres pg) {
		this.coreRunner
			.withPropertyValues(
					streamProperties(pg, TestPostgres.uniqueName("cfg"), "pglogrepl.url=jdbc:mysql://localhost:3306/app"))
			.run((context) -> {
				// the description names the offending URL, the action the property to fix
				// (the description shows the URL value, not the property it came from)
				FailureAnalysis analysis = analyzeFailure(context);
				assertThat(analysis.getDescription()).contains("jdbc:mysql://localhost:3306/app")
					.contains("not a PostgreSQL JDBC URL");
				assertThat(analysis.getAction()).contains("pglogrepl.url").contains("jdbc:postgresql://");
			});
	}

	@Test
	void noUrlAnywhereFails(TestPostgres pg) {
		// no DataSource: nothing to fall back to
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgLogReplAutoConfiguration.class))
			.withPropertyValues("pglogrepl.slot.name=" + TestPostgres.uniqueName("cfg"),
					"pglogrepl.publication.names=" + shared(pg)[1])
			.run((context) -> {
				FailureAnalysis analysis = assertSetupFailure(context, "pglogrepl.url");
				assertThat(analysis.getAction()).contains("spring.datasource.url");
			});
	}

	// ------------------------------------------------------------------ connection details

	@Test
	void connectionDetailsFallBackToTheDataSource(TestPostgres pg) {
		String url = urlWithoutUser(pg);
		this.coreRunner
			.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"), "spring.datasource.password=ds-pw"))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(PgLogReplConnectionDetails.class);
				PgLogReplConnectionDetails details = context.getBean(PgLogReplConnectionDetails.class);
				assertThat(details.getJdbcUrl()).isEqualTo(url);
				assertThat(details.getUsername()).isEqualTo("postgres");
				assertThat(details.getPassword()).isEqualTo("ds-pw");
				StreamContainerProperties settings = context.getBean(ReplicationStreamContainer.class).getContainerProperties();
				assertThat(settings.getJdbcUrl()).isEqualTo(url);
				assertThat(settings.getConnectionProperties().getProperty("user")).isEqualTo("postgres");
				assertThat(settings.getConnectionProperties().getProperty("password")).isEqualTo("ds-pw");
				awaitStreaming(context.getBean(ReplicationStreamContainer.class));
			});
	}

	@Test
	void pglogreplUrlAndUsernameOverrideTheDataSource(TestPostgres pg) {
		String url = urlWithoutUser(pg);
		this.coreRunner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg")))
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not_used",
					"spring.datasource.username=not_used", "pglogrepl.url=" + url, "pglogrepl.username=postgres")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PgLogReplConnectionDetails details = context.getBean(PgLogReplConnectionDetails.class);
				assertThat(details.getJdbcUrl()).isEqualTo(url);
				assertThat(details.getUsername()).isEqualTo("postgres");
				StreamContainerProperties settings = context.getBean(ReplicationStreamContainer.class).getContainerProperties();
				assertThat(settings.getJdbcUrl()).isEqualTo(url);
				assertThat(settings.getConnectionProperties().getProperty("user")).isEqualTo("postgres");
				// streaming really uses pglogrepl.url: the DataSource URL points nowhere
				awaitStreaming(context.getBean(ReplicationStreamContainer.class));
			});
	}

	@Test
	void userConnectionDetailsBeanReplacesTheDefault(TestPostgres pg) {
		String url = urlWithoutUser(pg);
		this.coreRunner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg")))
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not_used",
					"pglogrepl.url=jdbc:postgresql://127.0.0.1:1/not_used_either")
			.withBean("customDetails", PgLogReplConnectionDetails.class, () -> new PgLogReplConnectionDetails() {
				@Override
				public String getJdbcUrl() {
					return url;
				}

				@Override
				public String getUsername() {
					return "postgres";
				}

				@Override
				public String getPassword() {
					return null;
				}
			})
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(PgLogReplConnectionDetails.class);
				assertThat(context).hasBean("customDetails")
					.doesNotHaveBean(PropertiesPgLogReplConnectionDetails.class);
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				assertThat(container.getContainerProperties().getJdbcUrl()).isEqualTo(url);
				assertThat(container.getContainerProperties().getConnectionProperties().getProperty("user")).isEqualTo("postgres");
				assertThat(container.getContainerProperties().getConnectionProperties().getProperty("password")).isNull();
				awaitStreaming(container);
			});
	}

	// ------------------------------------------------------------------ user beans

	/** Listener that fails, and an error handler that records and skips. */
	@Configuration(proxyBeanMethods = false)
	static class FailingListenerConfig {

		@Bean
		RecordingErrorHandler recordingErrorHandler() {
			return new RecordingErrorHandler();
		}

		@Bean
		FailingListener failingListener() {
			return new FailingListener();
		}

	}

	static class RecordingErrorHandler implements ReplicationErrorHandler {

		final List<ReplicationEvent> events = new CopyOnWriteArrayList<>();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		@Override
		public ErrorAction handle(ReplicationEvent event, Throwable error, int attempt) {
			this.events.add(event);
			this.errors.add(error);
			return ErrorAction.SKIP;
		}

	}

	static class FailingListener {

		@EventListener
		public void on(InsertEvent<?> event) {
			throw new IllegalStateException("listener failed on purpose");
		}

	}

	@Test
	void userErrorHandlerReplacesTheDefaultAndIsUsed(TestPostgres pg) {
		String table = shared(pg)[0];
		this.coreRunner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg")))
			.withUserConfiguration(FailingListenerConfig.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ReplicationErrorHandler.class);
				assertThat(context).doesNotHaveBean(DefaultReplicationErrorHandler.class)
					.doesNotHaveBean("replicationErrorHandler");
				RecordingErrorHandler handler = context.getBean(RecordingErrorHandler.class);
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				awaitStreaming(container);
				pg.execute("INSERT INTO " + table + " VALUES (" + System.nanoTime() % 1_000_000_000 + ", 'x')");
				StreamTestSupport.await("error handler call", () -> !handler.events.isEmpty(), TIMEOUT);
				assertThat(handler.events.get(0)).isInstanceOf(InsertEvent.class);
				assertThat(handler.errors.get(0)).hasMessageContaining("listener failed on purpose");
				// SKIP acknowledges the transaction: the stream keeps going
				StreamTestSupport.await("transaction counted", () -> container.state().transactions() >= 1, TIMEOUT);
				assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
			});
	}

	/** A container that does not start by itself, so it needs no server. */
	static class ManualContainer extends ReplicationStreamContainer {

		ManualContainer(StreamContainerProperties settings, ApplicationEventPublisher publisher) {
			super(settings, publisher);
			setAutoStartup(false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserContainerConfig {

		@Bean
		ManualContainer myContainer(ApplicationEventPublisher publisher) {
			PgLogReplProperties properties = new PgLogReplProperties();
			properties.getSlot().setName("user_slot");
			properties.getPublication().setNames(List.of("user_pub"));
			properties.setUrl("jdbc:postgresql://127.0.0.1:1/user_db");
			return new ManualContainer(StreamContainerPropertiesMapper.map("default", properties,
					new PropertiesPgLogReplConnectionDetails(properties, () -> null), "pglogrepl"), publisher);
		}

	}

	@Test
	void userContainerReplacesTheDefault() {
		// no server is contacted: the user's container does not auto-start, pglogrepl.slot.name is not even set
		this.runner.withUserConfiguration(UserContainerConfig.class)
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not_used",
					"management.endpoints.web.exposure.include=pglogrepl")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ReplicationStreamContainer.class);
				assertThat(context).hasBean("myContainer").doesNotHaveBean("replicationStreamContainer");
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				assertThat(container).isInstanceOf(ManualContainer.class);
				assertThat(container.isRunning()).isFalse();
				assertThat(container.getContainerProperties().getSlotName()).isEqualTo("user_slot");
				assertThat(context.getBean(Acknowledgement.class).acknowledged())
					.isSameAs(container.acknowledgement().acknowledged());
				// actuator beans build on the user's container
				Health health = context.getBean("pglogreplHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("slot", "user_slot").containsEntry("status", "NEW");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find("pglogrepl.lag").tag("slot", "user_slot").gauge()).isNotNull();
			});
	}

	// ------------------------------------------------------------------ binding

	@Test
	void propertiesReachTheStreamSettings(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("cfg");
		this.coreRunner
			.withPropertyValues(streamProperties(pg, slot, "pglogrepl.ack-mode=manual", "pglogrepl.status-interval=2s",
					"pglogrepl.queue-capacity=16", "pglogrepl.start-lsn=0/16B3748",
					"pglogrepl.slot.drop-on-shutdown=true", "pglogrepl.publication.create=if-missing",
					"pglogrepl.publication.tables=public.a,public.b", "pglogrepl.pgoutput.proto-version=4",
					"pglogrepl.pgoutput.streaming=PARALLEL", "pglogrepl.pgoutput.binary=true",
					"pglogrepl.pgoutput.messages=true", "pglogrepl.pgoutput.origin=none", "pglogrepl.events.raw=true",
					"pglogrepl.events.decoded=false", "pglogrepl.events.keepalive=true",
					"pglogrepl.reconnect.initial-interval=300ms", "pglogrepl.reconnect.max-interval=5s",
					"pglogrepl.reconnect.multiplier=1.5"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PgLogReplProperties properties = context.getBean(PgLogReplProperties.class);
				assertThat(properties.getSlot().getCreate()).isEqualTo(SlotCreation.TEMPORARY);
				assertThat(properties.getPublication().getCreate())
					.isEqualTo(PublicationCreation.IF_MISSING);
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				StreamContainerProperties s = container.getContainerProperties();
				assertThat(s.getSlotName()).isEqualTo(slot);
				assertThat(s.getSlotCreation()).isEqualTo(SlotCreation.TEMPORARY);
				assertThat(s.isTemporarySlot()).isTrue();
				assertThat(s.isDropSlotOnShutdown()).isTrue();
				assertThat(s.getPublications()).containsExactly(shared(pg)[1]);
				assertThat(s.getPublicationCreation()).isEqualTo(PublicationCreation.IF_MISSING);
				assertThat(s.getPublicationTables()).containsExactly("public.a", "public.b");
				assertThat(s.getAckMode()).isEqualTo(AckMode.MANUAL);
				assertThat(s.getStatusInterval()).isEqualTo(Duration.ofSeconds(2));
				assertThat(s.getQueueCapacity()).isEqualTo(16);
				assertThat(s.getStartLsn()).isEqualTo(Lsn.parse("0/16B3748"));
				assertThat(s.getProtoVersion()).isEqualTo(4);
				assertThat(s.getStreaming()).isEqualTo(StreamingMode.PARALLEL);
				assertThat(s.isBinary()).isTrue();
				assertThat(s.isMessages()).isTrue();
				assertThat(s.getOrigin()).isEqualTo(OriginFilter.NONE);
				assertThat(s.getPublishRaw()).isTrue();
				assertThat(s.isPublishDecoded()).isFalse();
				assertThat(s.getPublishKeepalive()).isTrue();
				ExponentialBackOff backOff = (ExponentialBackOff) s.getReconnectBackOff();
				assertThat(backOff.getInitialInterval()).isEqualTo(300);
				assertThat(backOff.getMaxInterval()).isEqualTo(5000);
				assertThat(backOff.getMultiplier()).isEqualTo(1.5);
				assertThat(s.getConnectionProperties().getProperty("ApplicationName")).isEqualTo("pglogrepl-" + slot);
				// the server accepts these pgoutput options
				awaitStreaming(container);
			});
	}

	@Test
	void defaultsReachTheStreamSettings() {
		PgLogReplProperties defaults = new PgLogReplProperties();
		defaults.getSlot().setName("d");
		defaults.getPublication().setNames(List.of("p"));
		defaults.setUrl("jdbc:postgresql://localhost/db");
		StreamContainerProperties s = StreamContainerPropertiesMapper.map("default", defaults,
				new PropertiesPgLogReplConnectionDetails(defaults, () -> null), "pglogrepl");
		assertThat(s.getSlotCreation()).isEqualTo(SlotCreation.IF_MISSING);
		assertThat(s.isDropSlotOnShutdown()).isFalse();
		assertThat(s.getPublicationCreation()).isEqualTo(PublicationCreation.NEVER);
		assertThat(s.getProtoVersion()).isNull();
		assertThat(s.getStreaming()).isEqualTo(StreamingMode.OFF);
		assertThat(s.isBinary()).isFalse();
		assertThat(s.isMessages()).isFalse();
		assertThat(s.getOrigin()).isNull();
		assertThat(s.getStartLsn()).isNull();
		assertThat(s.getAckMode()).isEqualTo(AckMode.AUTO);
		assertThat(s.getStatusInterval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(s.getQueueCapacity()).isEqualTo(1024);
		assertThat(s.getPublishRaw()).as("decided by the listeners").isNull();
		assertThat(s.isPublishDecoded()).isTrue();
		assertThat(s.getPublishKeepalive()).as("decided by the listeners").isNull();
		ExponentialBackOff backOff = (ExponentialBackOff) s.getReconnectBackOff();
		assertThat(backOff.getInitialInterval()).isEqualTo(1000);
		assertThat(backOff.getMaxInterval()).isEqualTo(10000);
		assertThat(backOff.getMultiplier()).isEqualTo(2.0);
		assertThat(s.getListenerRetryBackOff()).isNull();
		assertThat(s.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(s.getStreamName()).isEqualTo("default");
		assertThat(s.getConnectionProperties().getProperty("user")).isNull();
		assertThat(s.getConnectionProperties().getProperty("password")).isNull();
	}

	// ------------------------------------------------------------------ actuator

	@Test
	void healthEndpointAndMetricsArePresentWithTheirPrerequisites(TestPostgres pg) {
		String slot = TestPostgres.uniqueName("cfg");
		this.runner.withPropertyValues(streamProperties(pg, slot, "management.endpoints.web.exposure.include=pglogrepl"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasBean("pglogreplHealthIndicator").hasSingleBean(PgLogReplHealthIndicator.class);
				assertThat(context).hasSingleBean(PgLogReplEndpoint.class).hasSingleBean(PgLogReplMetrics.class);
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				awaitStreaming(container);
				Health health = context.getBean("pglogreplHealthIndicator", PgLogReplHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("slot", slot).containsEntry("status", "STREAMING");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				for (String name : METER_NAMES) {
					assertThat(registry.find(name).tag("slot", slot).meters()).as(name).isNotEmpty();
				}
				assertThat(registry.find("pglogrepl.messages").tag("slot", slot).tag("type", "insert").meter())
					.isNotNull();
				List<String> names = registry.getMeters().stream().map((m) -> m.getId().getName())
					.filter((n) -> n.startsWith("pglogrepl."))
					.distinct()
					.toList();
				assertThat(names).containsExactlyInAnyOrder(METER_NAMES);
				assertThat(registry.find("pglogrepl.lsn.flushed").tag("slot", slot).gauge()).isNotNull();
				@SuppressWarnings("unchecked")
				Map<String, Object> stream = (Map<String, Object>) ((Map<String, Map<String, Object>>) context
					.getBean(PgLogReplEndpoint.class)
					.report()
					.get("streams")).get("default").get("stream");
				assertThat(stream).containsEntry("slot", slot).containsEntry("status", "STREAMING");
			});
	}

	@Test
	void actuatorBeansBackOffWithoutTheirPrerequisites(TestPostgres pg) {
		// no MeterRegistry, endpoint not exposed, health indicator disabled
		this.coreRunner
			.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"), "management.health.pglogrepl.enabled=false"))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ReplicationStreamContainer.class);
				assertThat(context).doesNotHaveBean(MeterRegistry.class).doesNotHaveBean(PgLogReplMetrics.class);
				assertThat(context).doesNotHaveBean(PgLogReplEndpoint.class);
				assertThat(context).doesNotHaveBean("pglogreplHealthIndicator")
					.doesNotHaveBean(PgLogReplHealthIndicator.class);
			});
	}

	@Test
	void healthIndicatorIsOnByDefaultAndEndpointNeedsExposure(TestPostgres pg) {
		this.coreRunner.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"))).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasBean("pglogreplHealthIndicator");
			assertThat(context).doesNotHaveBean(PgLogReplEndpoint.class);
		});
	}

	// ------------------------------------------------------------------ secrets

	@Test
	void passwordNeverAppearsInToStringOrTheEndpointReport(TestPostgres pg) {
		this.runner
			.withPropertyValues(streamProperties(pg, TestPostgres.uniqueName("cfg"), "pglogrepl.password=" + PASSWORD,
					"management.endpoints.web.exposure.include=pglogrepl"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				// the password is used ...
				assertThat(container.getContainerProperties().getConnectionProperties().getProperty("password")).isEqualTo(PASSWORD);
				assertThat(context.getBean(PgLogReplConnectionDetails.class).getPassword()).isEqualTo(PASSWORD);
				// ... but never shown
				assertThat(context.getBean(PgLogReplProperties.class).toString()).doesNotContain(PASSWORD)
					.contains("******");
				assertThat(context.getBean(PgLogReplConnectionDetails.class).toString()).doesNotContain(PASSWORD);
				assertThat(container.getContainerProperties().toString()).doesNotContain(PASSWORD);
				awaitStreaming(container);
				String report = context.getBean(PgLogReplEndpoint.class).report().toString();
				assertThat(report).doesNotContain(PASSWORD).contains(container.getContainerProperties().getSlotName());
				assertThat(container.state().toString()).doesNotContain(PASSWORD);
				assertThat(context.getBean(PgLogReplHealthIndicator.class).health().toString()).doesNotContain(PASSWORD);
			});
	}

}
