package io.github.pglogrepl.spring.autoconfigure;

import java.util.ArrayList;
import java.util.Locale;
import java.util.Properties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.DefaultReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamSettings;

/**
 * Auto-configuration of the PostgreSQL logical replication stream: a {@link ReplicationStreamContainer}
 * publishing changes as Spring events. Every bean backs off when the application defines its own.
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
	ReplicationErrorHandler replicationErrorHandler() {
		return new DefaultReplicationErrorHandler();
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
	ReplicationStreamContainer replicationStreamContainer(PgLogReplProperties properties,
			PgLogReplConnectionDetails connectionDetails, ApplicationEventPublisher publisher,
			ReplicationErrorHandler errorHandler, RowTypeListenerScanner scanner) {
		return new ReplicationStreamContainer(settings(properties, connectionDetails), publisher, errorHandler,
				scanner.registry(), ApplicationConversionService.getSharedInstance());
	}

	@Bean
	@ConditionalOnMissingBean
	Acknowledgement pgLogReplAcknowledgement(ReplicationStreamContainer container) {
		return container.acknowledgement();
	}

	static StreamSettings settings(PgLogReplProperties p, PgLogReplConnectionDetails details) {
		if (p.getSlot().getName() == null || p.getSlot().getName().isBlank()) {
			throw new ReplicationSetupException("No replication slot configured: pglogrepl.slot.name is not set.",
					"Set pglogrepl.slot.name (lower-case letters, digits, underscores), e.g. pglogrepl.slot.name=orders_cdc, or disable streaming with pglogrepl.enabled=false.");
		}
		Lsn startLsn = null;
		if (p.getStartLsn() != null && !p.getStartLsn().isBlank()) {
			try {
				startLsn = Lsn.parse(p.getStartLsn().trim());
			}
			catch (IllegalArgumentException ex) {
				throw new ReplicationSetupException("Invalid pglogrepl.start-lsn: " + ex.getMessage(),
						"Set pglogrepl.start-lsn to a position like 0/16B3748, or remove it.");
			}
		}
		if (p.getStatusInterval().isNegative() || p.getStatusInterval().isZero()) {
			throw new ReplicationSetupException("pglogrepl.status-interval must be positive, was " + p.getStatusInterval(),
					"Set pglogrepl.status-interval to e.g. 10s (below the server's wal_sender_timeout).");
		}
		if (p.getReceiveTimeout().isNegative()) {
			throw new ReplicationSetupException("pglogrepl.receive-timeout must not be negative, was " + p.getReceiveTimeout(),
					"Set pglogrepl.receive-timeout to e.g. 30s, or 0 to disable the check.");
		}
		String url = details.getJdbcUrl();
		if (!url.startsWith("jdbc:postgresql:")) {
			throw new ReplicationSetupException("The replication URL '" + StreamSettings.maskPassword(url) + "' ("
					+ ((p.getUrl() != null) ? "pglogrepl.url" : "pglogrepl.url is unset, taken from spring.datasource.url")
					+ ") is not a PostgreSQL JDBC URL.",
					"Set pglogrepl.url to jdbc:postgresql://host:port/database.");
		}
		Properties props = new Properties();
		if (details.getUsername() != null) {
			props.setProperty("user", details.getUsername());
		}
		if (details.getPassword() != null) {
			props.setProperty("password", details.getPassword());
		}
		props.setProperty("ApplicationName", "pglogrepl-" + p.getSlot().getName());
		if (!p.getReceiveTimeout().isZero() && !p.getReceiveTimeout().isNegative()) {
			// a login that gets no answer (stalled network, hung server) gives up like a silent stream does,
			// so reconnecting goes on; a loginTimeout in the URL takes precedence (pgjdbc prefers URL parameters)
			long seconds = Math.max(1, (p.getReceiveTimeout().toMillis() + 999) / 1000);
			props.setProperty("loginTimeout", Long.toString(seconds));
		}
		url = StreamSettings.movePasswordsToProperties(url, props);
		return new StreamSettings(url, props, p.getSlot().getName(), p.getSlot().getCreate().name(),
				p.getSlot().isDropOnShutdown(), new ArrayList<>(p.getPublication().getNames()),
				p.getPublication().getCreate() == PgLogReplProperties.PublicationCreate.IF_MISSING,
				new ArrayList<>(p.getPublication().getTables()), p.getPgoutput().getProtoVersion(),
				(p.getPgoutput().getStreaming() != null) ? p.getPgoutput().getStreaming().toLowerCase(Locale.ROOT) : "off",
				p.getPgoutput().isBinary(), p.getPgoutput().isMessages(), p.getPgoutput().getOrigin(), startLsn,
				p.getStatusInterval(), p.getAckMode(), p.getQueueCapacity(), p.getReconnect().getInitialInterval(),
				p.getReconnect().getMaxInterval(), p.getReconnect().getMultiplier(), p.getEvents().isRaw(),
				p.getEvents().isDecoded(), p.getEvents().isKeepalive(), p.getReceiveTimeout());
	}

}
