package io.github.pglogrepl.spring.health;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Registers the {@code pglogrepl} health indicator.
 */
@AutoConfiguration(after = PgLogReplAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ReplicationStreamContainer.class)
@ConditionalOnEnabledHealthIndicator("pglogrepl")
public final class PgLogReplHealthAutoConfiguration {

	@Bean(name = "pglogreplHealthIndicator")
	@ConditionalOnMissingBean(name = "pglogreplHealthIndicator")
	PgLogReplHealthIndicator pglogreplHealthIndicator(ReplicationStreamContainer container) {
		return new PgLogReplHealthIndicator(container);
	}

}
