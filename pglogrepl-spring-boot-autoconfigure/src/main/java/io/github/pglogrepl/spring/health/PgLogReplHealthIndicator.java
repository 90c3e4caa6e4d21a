package io.github.pglogrepl.spring.health;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;
import io.github.pglogrepl.spring.stream.StreamStatus;

/**
 * Health of the replication stream: UP while streaming (and while standing by for a slot another instance
 * holds), DOWN otherwise with the reason — also when a configured publication was dropped. Details: slot, status, LSNs and lag.
 */
public class PgLogReplHealthIndicator extends AbstractHealthIndicator {

	private final ReplicationStreamContainer container;

	/**
	 * Creates an indicator.
	 * @param container the stream
	 */
	public PgLogReplHealthIndicator(ReplicationStreamContainer container) {
		super("PostgreSQL replication health check failed");
		this.container = container;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		StreamState state = this.container.state();
		if (state.problem() != null) {
			builder.down();
			builder.withDetail("reason", state.problem());
		}
		else if (state.status() == StreamStatus.STREAMING || state.status() == StreamStatus.STANDBY) {
			builder.up();
		}
		else {
			builder.down();
			builder.withDetail("reason", (state.lastError() != null) ? state.lastError() : "stream is " + state.status());
		}
		builder.withDetail("stream", state.streamName())
			.withDetail("slot", state.slotName())
			.withDetail("status", state.status().name())
			.withDetail("receivedLsn", state.receivedLsn().toString())
			.withDetail("flushedLsn", state.flushedLsn().toString())
			.withDetail("serverWalEnd", state.serverWalEnd().toString())
			.withDetail("lagBytes", state.lagBytes())
			.withDetail("lagSeconds", state.lagSeconds());
	}

}
