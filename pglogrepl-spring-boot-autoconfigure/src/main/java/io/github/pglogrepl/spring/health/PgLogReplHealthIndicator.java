package io.github.pglogrepl.spring.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;

import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotStatus;
import io.github.pglogrepl.spring.stream.FailoverReadiness;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.ServerCatalog;
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
 * and when the stream is not running;</li>
 * <li>DOWN when the slot holds back more WAL than {@code pglogrepl.health.retained-wal-critical} (10 GB by
 * default), or its {@code wal_status} is {@code unreserved} or {@code lost}, with the numbers and the likely
 * cause; above {@code pglogrepl.health.retained-wal-warning} (1 GB by default) it stays UP with a
 * {@code retainedWal} warning in the details (Spring Boot has no warning status).</li>
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

	/**
	 * Default retained WAL above which the details carry a warning: PostgreSQL's default {@code max_wal_size},
	 * so the slot keeps more WAL than the server would keep for itself.
	 */
	public static final DataSize DEFAULT_RETAINED_WAL_WARNING = DataSize.ofGigabytes(1);

	/** Default retained WAL above which health is DOWN. */
	public static final DataSize DEFAULT_RETAINED_WAL_CRITICAL = DataSize.ofGigabytes(10);

	private final ReplicationStreamContainer container;

	private final Duration reconnectGracePeriod;

	private final Duration deliveryStallThreshold;

	private final DataSize retainedWalWarning;

	private final DataSize retainedWalCritical;

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
		this(container, reconnectGracePeriod, deliveryStallThreshold, DEFAULT_RETAINED_WAL_WARNING,
				DEFAULT_RETAINED_WAL_CRITICAL);
	}

	/**
	 * Creates an indicator.
	 * @param container the stream
	 * @param reconnectGracePeriod how long a (re)connecting stream still counts as UP
	 * @param deliveryStallThreshold how long a failing listener may block delivery and health still be UP
	 * @param retainedWalWarning WAL held back by the slot above which the details carry a warning
	 * @param retainedWalCritical WAL held back by the slot above which health is DOWN (at least the warning)
	 */
	public PgLogReplHealthIndicator(ReplicationStreamContainer container, Duration reconnectGracePeriod,
			Duration deliveryStallThreshold, DataSize retainedWalWarning, DataSize retainedWalCritical) {
		super("PostgreSQL replication health check failed");
		if (retainedWalCritical.compareTo(retainedWalWarning) < 0) {
			throw new IllegalArgumentException("retainedWalCritical (" + retainedWalCritical
					+ ") must not be below retainedWalWarning (" + retainedWalWarning + ")");
		}
		this.container = container;
		this.reconnectGracePeriod = reconnectGracePeriod;
		this.deliveryStallThreshold = deliveryStallThreshold;
		this.retainedWalWarning = retainedWalWarning;
		this.retainedWalCritical = retainedWalCritical;
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
		retainedWal(state, builder);
		java.util.List<Object> snapshots = new java.util.ArrayList<>();
		for (SnapshotProgress progress : this.container.snapshots().list()) {
			if (progress.status() == SnapshotStatus.RUNNING) {
				snapshots.add(progress.toMap());
			}
		}
		if (!snapshots.isEmpty()) {
			builder.withDetail("snapshots", snapshots);
		}
		FailoverReadiness failover = this.container.failoverReadiness();
		if (failover != null) {
			// reported, not DOWN: the stream itself is fine; an operator acts on the warning
			Map<String, Object> details = failover.toMap();
			details.putAll(this.container.failoverHistory().toMap());
			builder.withDetail("failover", details);
		}
	}

	/** The slot's WAL retention: figures, a warning, or DOWN with the likely cause. */
	private void retainedWal(StreamState state, Health.Builder builder) {
		ServerCatalog.SlotRetention retention = state.slotRetention();
		if (retention == null) {
			return;
		}
		builder.withDetail("walStatus", retention.walStatus());
		Long retained = retention.retainedBytes();
		if (retained != null) {
			builder.withDetail("retainedWalBytes", retained);
		}
		if (retention.safeWalSize() != null) {
			builder.withDetail("safeWalSize", retention.safeWalSize());
		}
		String walStatus = retention.walStatus();
		boolean endangered = "unreserved".equals(walStatus) || "lost".equals(walStatus);
		boolean critical = endangered || (retained != null && retained > this.retainedWalCritical.toBytes());
		if (!critical && (retained == null || retained <= this.retainedWalWarning.toBytes())) {
			return;
		}
		String figures = "Slot '" + state.slotName() + "' holds back " + size(retained) + " of WAL (restart_lsn "
				+ retention.restartLsn() + ", wal_status " + walStatus
				+ ((retention.safeWalSize() != null) ? ", safe_wal_size " + size(retention.safeWalSize()) : "")
				+ ", as of " + retention.polledAt() + ")";
		String message;
		if (critical) {
			message = figures + ((endangered)
					? ": the server removes or is about to remove WAL the slot needs"
							+ " (max_slot_wal_keep_size); changes will be lost"
					: ", above pglogrepl.health.retained-wal-critical (" + size(this.retainedWalCritical.toBytes()) + ")")
					+ ". Likely cause: " + likelyCause(state);
			if (Status.UP.equals(builder.build().getStatus())) {
				builder.down().withDetail("reason", message);
			}
		}
		else {
			message = figures + ", above pglogrepl.health.retained-wal-warning (" + size(this.retainedWalWarning.toBytes())
					+ "). Likely cause: " + likelyCause(state);
		}
		builder.withDetail("retainedWal", message);
	}

	/** Why the slot holds WAL back, from what this instance knows of its stream. */
	private static String likelyCause(StreamState state) {
		StreamState.DeliveryFailure failure = state.deliveryFailure();
		if (failure != null) {
			return "a listener keeps failing at " + failure.position() + " (since " + failure.since() + ", "
					+ failure.attempts() + " attempts), so nothing after it is acknowledged";
		}
		return switch (state.status()) {
			case STANDBY -> "this instance only stands by while another connection holds the slot; look at the"
					+ " instance that streams it (pg_replication_slots.active_pid)";
			case NEW, STOPPED, SLOT_LOST -> "the stream is stopped; the slot keeps every WAL byte written since until it"
					+ " streams again or is dropped";
			case CONNECTING, RECONNECTING, BLOCKED -> "the stream is not streaming (" + state.status() + " since "
					+ state.statusSince() + ((state.lastError() != null) ? ": " + state.lastError() : "") + ")";
			default -> (state.lagBytes() > 0) ? "the listeners are behind: " + size(state.lagBytes())
					+ " of the server's WAL are not acknowledged yet (slow listeners, or ack-mode manual without"
					+ " acknowledge)"
					: "the stream is caught up, so a long-running transaction on the server holds the slot's"
							+ " restart_lsn back (pg_stat_activity.xact_start, backend_xmin)";
		};
	}

	private static String size(Long bytes) {
		if (bytes == null) {
			return "unknown";
		}
		if (bytes < 1024 * 1024) {
			return bytes + " bytes";
		}
		if (bytes < 1024L * 1024 * 1024) {
			return String.format(Locale.ROOT, "%.1f MB (%d bytes)", bytes / (1024.0 * 1024.0), bytes);
		}
		return String.format(Locale.ROOT, "%.1f GB (%d bytes)", bytes / (1024.0 * 1024.0 * 1024.0), bytes);
	}

	private static String seconds(Duration duration) {
		return String.format("%.1f s", duration.toMillis() / 1000.0);
	}

}
