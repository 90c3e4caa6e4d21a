package io.github.pglogrepl.spring.health;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.CompositeHealthContributorConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Registers the {@code pglogrepl} health contributor: the stream's indicator, or, with several streams, a
 * composite with one indicator per stream name.
 */
@AutoConfiguration(after = PgLogReplAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ReplicationStreamContainer.class)
@ConditionalOnEnabledHealthIndicator("pglogrepl")
public final class PgLogReplHealthAutoConfiguration
		extends CompositeHealthContributorConfiguration<PgLogReplHealthIndicator, ReplicationStreamContainer> {

	PgLogReplHealthAutoConfiguration() {
		super(PgLogReplHealthIndicator::new);
	}

	@Bean(name = "pglogreplHealthIndicator")
	@ConditionalOnMissingBean(name = "pglogreplHealthIndicator")
	HealthContributor pglogreplHealthIndicator(ObjectProvider<ReplicationStreamContainer> containers) {
		Map<String, ReplicationStreamContainer> byStream = new LinkedHashMap<>();
		containers.orderedStream().forEach((container) -> byStream.put(container.streamName(), container));
		return createContributor(byStream);
	}

}
