package io.github.pglogrepl.spring.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import io.github.pglogrepl.spring.stream.ReplicationSetupException;

/**
 * Explains a {@link ReplicationSetupException} at startup: what is wrong (naming the property or server
 * setting) and how to fix it — and which {@code pglogrepl.*} properties were set that do not exist, with the
 * closest existing name (a typo often is the cause).
 */
class ReplicationSetupFailureAnalyzer extends AbstractFailureAnalyzer<ReplicationSetupException> {

	private final Environment environment;

	ReplicationSetupFailureAnalyzer() {
		this(null);
	}

	/**
	 * @param environment the application's environment (Spring Boot passes it), to look for unknown properties
	 */
	public ReplicationSetupFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ReplicationSetupException cause) {
		String action = cause.action();
		List<PgLogReplPropertyNames.Unknown> unknown = (this.environment != null)
				? PgLogReplPropertyNames.unknown(this.environment) : List.of();
		if (!unknown.isEmpty()) {
			action = action + System.lineSeparator() + "Unknown properties are set, perhaps misspelled: "
					+ unknown.stream().map(Object::toString).collect(Collectors.joining(", ")) + ".";
		}
		return new FailureAnalysis("PostgreSQL logical replication could not start: " + cause.getMessage(), action,
				cause);
	}

}
