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
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplProperties;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
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
		checkRetainedWalThresholds(health);
		Map<String, PgLogReplHealthIndicator> byStream = new LinkedHashMap<>();
		for (ReplicationStreamContainer container : containers.orderedStream().toList()) {
			byStream.put(container.streamName(), new PgLogReplHealthIndicator(container,
					health.getReconnectGracePeriod(), health.getDeliveryStallThreshold(),
					health.getRetainedWalWarning(), health.getRetainedWalCritical()));
		}
		List<PgLogReplHealthIndicator> indicators = List.copyOf(byStream.values());
		return (indicators.size() == 1) ? indicators.get(0) : CompositeHealthContributor.fromMap(byStream);
	}

	private static void checkRetainedWalThresholds(PgLogReplProperties.Health health) {
		DataSize warning = health.getRetainedWalWarning();
		DataSize critical = health.getRetainedWalCritical();
		if (warning.isNegative() || critical.isNegative()) {
			throw new ReplicationSetupException("pglogrepl.health.retained-wal-warning (" + text(warning)
					+ ") and pglogrepl.health.retained-wal-critical (" + text(critical) + ") must not be negative.",
					"Set them to sizes with a unit, e.g. pglogrepl.health.retained-wal-warning=1GB and"
							+ " pglogrepl.health.retained-wal-critical=10GB.");
		}
		if (critical.compareTo(warning) < 0) {
			throw new ReplicationSetupException("pglogrepl.health.retained-wal-critical (" + text(critical)
					+ ") is below pglogrepl.health.retained-wal-warning (" + text(warning)
					+ "): health would go DOWN before it warns.",
					"Set pglogrepl.health.retained-wal-critical to at least " + text(warning)
							+ ", or lower pglogrepl.health.retained-wal-warning, e.g. 1GB and 10GB.");
		}
	}

	/** A size as it would be written in the properties, e.g. 512MB. */
	private static String text(DataSize size) {
		long bytes = size.toBytes();
		for (DataUnit unit : new DataUnit[] { DataUnit.TERABYTES, DataUnit.GIGABYTES, DataUnit.MEGABYTES,
				DataUnit.KILOBYTES }) {
			long unitBytes = DataSize.of(1, unit).toBytes();
			if (bytes != 0 && bytes % unitBytes == 0) {
				return (bytes / unitBytes) + unit.name().substring(0, 1) + "B";
			}
		}
		return bytes + "B";
	}

}
