package io.github.pglogrepl.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Binds the {@code pglogrepl.*} meters of every stream when Micrometer is present.
 */
@AutoConfiguration(after = PgLogReplAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, ReplicationStreamContainer.class })
public final class PgLogReplMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PgLogReplMetrics pgLogReplMetrics(ObjectProvider<ReplicationStreamContainer> containers) {
		return new PgLogReplMetrics(containers.orderedStream().toList());
	}

}
