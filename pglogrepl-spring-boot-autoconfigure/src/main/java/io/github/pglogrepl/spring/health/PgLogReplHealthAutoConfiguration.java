package io.github.pglogrepl.spring.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplProperties;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Registers the {@code pglogrepl} health contributor: the stream's indicator, or, with several streams, a
 * composite with one indicator per stream name. Thresholds from {@code pglogrepl.health.*}.
 */
@AutoConfiguration(after = PgLogReplAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ReplicationStreamContainer.class)
@ConditionalOnEnabledHealthIndicator("pglogrepl")
public final class PgLogReplHealthAutoConfiguration {

	@Bean(name = "pglogreplHealthIndicator")
	@ConditionalOnMissingBean(name = "pglogreplHealthIndicator")
	HealthContributor pglogreplHealthIndicator(ObjectProvider<ReplicationStreamContainer> containers,
			ObjectProvider<PgLogReplProperties> properties) {
		PgLogReplProperties.Health health = properties.getIfAvailable(PgLogReplProperties::new).getHealth();
		Map<String, PgLogReplHealthIndicator> byStream = new LinkedHashMap<>();
		for (ReplicationStreamContainer container : containers.orderedStream().toList()) {
			byStream.put(container.streamName(), new PgLogReplHealthIndicator(container,
					health.getReconnectGracePeriod(), health.getDeliveryStallThreshold()));
		}
		List<PgLogReplHealthIndicator> indicators = List.copyOf(byStream.values());
		return (indicators.size() == 1) ? indicators.get(0) : CompositeHealthContributor.fromMap(byStream);
	}

}
