package io.github.pglogrepl.spring.autoconfigure;

import javax.sql.DataSource;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.core.type.AnnotationMetadata;

import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.spring.outbox.JacksonOutboxCodec;
import io.github.pglogrepl.spring.outbox.Outbox;
import io.github.pglogrepl.spring.outbox.OutboxCodec;
import io.github.pglogrepl.spring.snapshot.Snapshots;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.DefaultReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;

/**
 * Auto-configuration of PostgreSQL logical replication: {@link ReplicationStreamContainer}s publishing changes as
 * Spring events — one from the {@code pglogrepl.*} properties, or one per named stream under
 * {@code pglogrepl.streams.<name>.*}. Every bean backs off when the application defines its own; a
 * {@code ReplicationStreamContainer} bean of the application's replaces all auto-configured streams.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(ReplicationConnection.class)
@ConditionalOnBooleanProperty(name = "pglogrepl.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PgLogReplProperties.class)
public final class PgLogReplAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JdbcConnectionDetails.class)
	static class JdbcConnectionDetailsFallbackConfiguration {

		@Bean
		@ConditionalOnMissingBean(PgLogReplConnectionDetails.class)
		PropertiesPgLogReplConnectionDetails pgLogReplConnectionDetails(PgLogReplProperties properties,
				ObjectProvider<JdbcConnectionDetails> jdbc) {
			return new PropertiesPgLogReplConnectionDetails(properties, () -> {
				JdbcConnectionDetails details = jdbc.getIfAvailable();
				if (details == null) {
					return null;
				}
				return new PgLogReplConnectionDetails() {
					@Override
					public String getJdbcUrl() {
						return details.getJdbcUrl();
					}

					@Override
					public String getUsername() {
						return details.getUsername();
					}

					@Override
					public String getPassword() {
						return details.getPassword();
					}
				};
			});
		}

	}

	@Bean
	@ConditionalOnMissingBean(PgLogReplConnectionDetails.class)
	PropertiesPgLogReplConnectionDetails pgLogReplPropertiesConnectionDetails(PgLogReplProperties properties) {
		return new PropertiesPgLogReplConnectionDetails(properties, () -> null);
	}

	@Bean
	@ConditionalOnMissingBean
	ReplicationErrorHandler replicationErrorHandler(PgLogReplProperties properties) {
		return new DefaultReplicationErrorHandler(properties.isLogRowValues());
	}

	@Bean
	static RowTypeListenerScanner pgLogReplRowTypeListenerScanner() {
		return new RowTypeListenerScanner();
	}

	@Bean
	static ReplicationEventListenerFactory pgLogReplEventListenerFactory() {
		return new ReplicationEventListenerFactory();
	}

	@Bean
	@ConditionalOnMissingBean
	ReplicationStreamContainerFactory replicationStreamContainerFactory(ApplicationEventPublisher publisher,
			ReplicationErrorHandler errorHandler, RowTypeListenerScanner scanner,
			ObjectProvider<ReplicationStreamContainerCustomizer> customizers, Environment environment) {
		PgLogReplPropertyNames.warnAboutUnknown(environment);
		return new ReplicationStreamContainerFactory(publisher, errorHandler, scanner.registry(),
				scanner.listenedEventTypes(), ApplicationConversionService.getSharedInstance(),
				customizers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	Acknowledgement pgLogReplAcknowledgement(ObjectProvider<ReplicationStreamContainer> containers) {
		return new StreamsAcknowledgement(containers);
	}

	/**
	 * The stream's snapshots, when the application has one stream (with several:
	 * {@code ReplicationStreamContainer.snapshots()} of each).
	 */
	@Bean
	@ConditionalOnMissingBean(Snapshots.class)
	@ConditionalOnSingleCandidate(ReplicationStreamContainer.class)
	Snapshots pgLogReplSnapshots(ReplicationStreamContainer container) {
		return container.snapshots();
	}

	/**
	 * The transactional outbox: an {@link Outbox} bean writing events with the application's {@code JsonMapper},
	 * and every container reading them back as {@code OutboxEvent}s.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JsonMapper.class)
	@ConditionalOnBooleanProperty(name = "pglogrepl.outbox.enabled", matchIfMissing = true)
	static class OutboxConfiguration {

		@Bean
		@ConditionalOnMissingBean
		OutboxCodec pgLogReplOutboxCodec(ObjectProvider<JsonMapper> jsonMapper, PgLogReplProperties properties) {
			return new JacksonOutboxCodec(jsonMapper.getIfAvailable(JsonMapper::new), properties.getOutbox().getPrefix());
		}

		@Bean
		ReplicationStreamContainerCustomizer pgLogReplOutboxCustomizer(OutboxCodec codec,
				RowTypeListenerScanner scanner) {
			return (container) -> container.setOutbox(codec, scanner.outboxPayloadTypes());
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnSingleCandidate(DataSource.class)
		Outbox pgLogReplOutbox(DataSource dataSource, OutboxCodec codec) {
			return new Outbox(dataSource, codec);
		}

	}

	/** One stream from the top-level {@code pglogrepl.*} properties. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(ReplicationStreamContainer.class)
	@Conditional(NoNamedStreamsCondition.class)
	static class SingleStreamConfiguration {

		@Bean
		ReplicationStreamContainer replicationStreamContainer(ReplicationStreamContainerFactory factory,
				PgLogReplProperties properties, PgLogReplConnectionDetails connectionDetails) {
			return create(factory, StreamContainerProperties.DEFAULT_STREAM_NAME, properties, connectionDetails,
					"pglogrepl");
		}

	}

	/** One stream per {@code pglogrepl.streams.<name>}. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(ReplicationStreamContainer.class)
	@Conditional(NamedStreamsCondition.class)
	@Import(NamedStreamsRegistrar.class)
	static class NamedStreamsConfiguration {

	}

	static ReplicationStreamContainer create(ReplicationStreamContainerFactory factory, String name,
			PgLogReplProperties properties, PgLogReplConnectionDetails connectionDetails, String prefix) {
		ReplicationStreamContainer container = factory
			.createContainer(StreamContainerPropertiesMapper.map(name, properties, connectionDetails, prefix));
		container.setAutoStartup(properties.isAutoStartup());
		return container;
	}

	/**
	 * Registers a container bean {@code <name>ReplicationStreamContainer} per named stream. Its properties are
	 * bound when the bean is created: the top-level ones with the stream's laid over them; it connects where
	 * its own (or the top-level) {@code url}/{@code username}/{@code password} say, otherwise like the default
	 * stream ({@link PgLogReplConnectionDetails}: the application's DataSource or service connection).
	 */
	static class NamedStreamsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

		private Environment environment;

		private BeanFactory beanFactory;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
			this.beanFactory = beanFactory;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			for (String name : NamedStreams.names(this.environment)) {
				RootBeanDefinition definition = new RootBeanDefinition(ReplicationStreamContainer.class);
				definition.setInstanceSupplier(() -> createNamed(name));
				registry.registerBeanDefinition(name + "ReplicationStreamContainer", definition);
			}
		}

		private ReplicationStreamContainer createNamed(String name) {
			PgLogReplProperties properties = NamedStreams.properties(Binder.get(this.environment), name);
			PgLogReplConnectionDetails fallback = this.beanFactory.getBean(PgLogReplConnectionDetails.class);
			PgLogReplConnectionDetails details = new PropertiesPgLogReplConnectionDetails(properties, () -> fallback);
			return create(this.beanFactory.getBean(ReplicationStreamContainerFactory.class), name, properties, details,
					NamedStreams.PREFIX + "." + name);
		}

	}

	static class NamedStreamsCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			boolean named = !NamedStreams.names(context.getEnvironment()).isEmpty();
			return new ConditionOutcome(named, (named ? "" : "no ") + "named streams under pglogrepl.streams");
		}

	}

	static class NoNamedStreamsCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			boolean named = !NamedStreams.names(context.getEnvironment()).isEmpty();
			return new ConditionOutcome(!named, (named ? "" : "no ") + "named streams under pglogrepl.streams");
		}

	}

}
