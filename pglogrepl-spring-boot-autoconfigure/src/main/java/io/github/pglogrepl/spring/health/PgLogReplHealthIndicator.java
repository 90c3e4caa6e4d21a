package io.github.pglogrepl.spring.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.github.pglogrepl.spring.stream.FailoverReadiness;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;
import io.github.pglogrepl.spring.stream.StreamStatus;

/**
 * Health of one replication stream:
 * <ul>
 * <li>UP while streaming, and while standing by for a slot another instance holds;</li>
 * <li>UP while (re)connecting for less than the grace period ({@code pglogrepl.health.reconnect-grace-period},
 * 5 s by default: a routine walsender restart must not pull the instance from a load balancer), DOWN after;</li>
 * <li>UP while a failing listener is retried for less than {@code pglogrepl.health.delivery-stall-threshold} (30 s
 * by default), DOWN after, with where delivery is blocked, since when and how often it failed;</li>
 * <li>DOWN at once when only an operator can help ({@link StreamStatus#BLOCKED}), when a publication was dropped,
 * and when the stream is not running.</li>
 * </ul>
 * The details always show the status at once, with the positions and lag, and for a failover slot
 * ({@code pglogrepl.slot.failover}) under {@code failover} whether it would survive a promotion
 * ({@link FailoverReadiness}: {@code synchronized_standby_slots}, {@code failover_ready} per standby, a
 * {@code warning}) and the failovers followed. Called on the thread asking for health.
 */
public class PgLogReplHealthIndicator extends AbstractHealthIndicator {

	/** Default grace period of a reconnecting stream. */
	public static final Duration DEFAULT_RECONNECT_GRACE_PERIOD = Duration.ofSeconds(5);

	/** Default time a failing listener may block delivery before health is DOWN. */
	public static final Duration DEFAULT_DELIVERY_STALL_THRESHOLD = Duration.ofSeconds(30);

	private final ReplicationStreamContainer container;

	private final Duration reconnectGracePeriod;

	private final Duration deliveryStallThreshold;

	/**
	 * Creates an indicator with the default thresholds.
	 * @param container the stream
	 */
	public PgLogReplHealthIndicator(ReplicationStreamContainer container) {
		this(container, DEFAULT_RECONNECT_GRACE_PERIOD, DEFAULT_DELIVERY_STALL_THRESHOLD);
	}

	/**
	 * Creates an indicator.
	 * @param container the stream
	 * @param reconnectGracePeriod how long a (re)connecting stream still counts as UP
	 * @param deliveryStallThreshold how long a failing listener may block delivery and health still be UP
	 */
	public PgLogReplHealthIndicator(ReplicationStreamContainer container, Duration reconnectGracePeriod,
			Duration deliveryStallThreshold) {
		super("PostgreSQL replication health check failed");
		this.container = container;
		this.reconnectGracePeriod = reconnectGracePeriod;
		this.deliveryStallThreshold = deliveryStallThreshold;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		StreamState state = this.container.state();
		Duration inStatus = Duration.between(state.statusSince(), Instant.now());
		StreamState.DeliveryFailure failure = state.deliveryFailure();
		if (state.problem() != null) {
			builder.down().withDetail("reason", state.problem());
		}
		else {
			switch (state.status()) {
				case STREAMING, STANDBY -> builder.up();
				case CONNECTING, RECONNECTING -> {
					if (inStatus.compareTo(this.reconnectGracePeriod) < 0) {
						builder.up();
					}
					else {
						builder.down().withDetail("reason", "Not streaming for " + seconds(inStatus)
								+ ((state.lastError() != null) ? ": " + state.lastError() : ""));
					}
				}
				case RETRYING -> {
					if (failure == null || inStatus.compareTo(this.deliveryStallThreshold) < 0) {
						builder.up();
					}
					else {
						builder.down().withDetail("reason", "Delivery blocked at " + failure.position() + " since "
								+ failure.since() + " (" + seconds(inStatus) + ", " + failure.attempts()
								+ " attempts): " + failure.error());
					}
				}
				default -> builder.down()
					.withDetail("reason",
							(state.lastError() != null) ? state.lastError() : "stream is " + state.status());
			}
		}
		builder.withDetail("stream", state.streamName())
			.withDetail("slot", state.slotName())
			.withDetail("status", state.status().name())
			.withDetail("statusSince", state.statusSince().toString())
			.withDetail("receivedLsn", state.receivedLsn().toString())
			.withDetail("flushedLsn", state.flushedLsn().toString())
			.withDetail("serverWalEnd", state.serverWalEnd().toString())
			.withDetail("lagBytes", state.lagBytes())
			.withDetail("lagSeconds", state.lagSeconds());
		if (failure != null) {
			builder.withDetail("deliveryFailure", failure.toMap());
		}
		FailoverReadiness failover = this.container.failoverReadiness();
		if (failover != null) {
			// reported, not DOWN: the stream itself is fine; an operator acts on the warning
			Map<String, Object> details = failover.toMap();
			details.putAll(this.container.failoverHistory().toMap());
			builder.withDetail("failover", details);
		}
	}

	private static String seconds(Duration duration) {
		return String.format("%.1f s", duration.toMillis() / 1000.0);
	}

}
