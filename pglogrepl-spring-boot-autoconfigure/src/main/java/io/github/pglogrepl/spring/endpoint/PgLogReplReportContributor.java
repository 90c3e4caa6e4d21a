package io.github.pglogrepl.spring.endpoint;

import java.util.Map;

/**
 * Adds a section to the report of {@code GET /actuator/pglogrepl}, next to {@code streams}: a bean of this type
 * (the Kafka relay declares one, {@code kafka}) is called on every read.
 */
public interface PgLogReplReportContributor {

	/**
	 * @return the section's name in the report
	 */
	String name();

	/**
	 * @return the section, read now
	 */
	Map<String, Object> report();

}
