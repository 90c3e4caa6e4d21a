package io.github.pglogrepl.spring.endpoint;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Registers the {@code pglogrepl} actuator endpoint (expose it with
 * {@code management.endpoints.web.exposure.include=pglogrepl}).
 */
@AutoConfiguration(after = PgLogReplAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(ReplicationStreamContainer.class)
@ConditionalOnAvailableEndpoint(PgLogReplEndpoint.class)
public final class PgLogReplEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PgLogReplEndpoint pgLogReplEndpoint(ObjectProvider<ReplicationStreamContainer> containers,
			ObjectProvider<PgLogReplReportContributor> contributors) {
		return new PgLogReplEndpoint(containers.orderedStream().toList(), contributors.orderedStream().toList());
	}

}
