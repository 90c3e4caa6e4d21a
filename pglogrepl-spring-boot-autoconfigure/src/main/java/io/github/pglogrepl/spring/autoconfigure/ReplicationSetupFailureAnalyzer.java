package io.github.pglogrepl.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.github.pglogrepl.spring.stream.ReplicationSetupException;

/**
 * Explains a {@link ReplicationSetupException} at startup: what is wrong (naming the property or server
 * setting) and how to fix it.
 */
class ReplicationSetupFailureAnalyzer extends AbstractFailureAnalyzer<ReplicationSetupException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ReplicationSetupException cause) {
		return new FailureAnalysis("PostgreSQL logical replication could not start: " + cause.getMessage(),
				cause.action(), cause);
	}

}
