package io.github.pglogrepl.spring.metrics;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.github.pglogrepl.pgoutput.PgOutputMessageType;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.ServerCatalog;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * Micrometer meters of the replication streams, tagged {@code stream} and {@code slot}:
 * <ul>
 * <li>{@code pglogrepl.lag} (bytes): server WAL end minus flushed position</li>
 * <li>{@code pglogrepl.lag.time} (seconds): since the commit time of the newest change received while the
 * stream is behind; 0 when caught up</li>
 * <li>{@code pglogrepl.lsn.received}, {@code pglogrepl.lsn.flushed}: positions as numbers</li>
 * <li>{@code pglogrepl.messages} (counter, tag {@code type}), {@code pglogrepl.transactions},
 * {@code pglogrepl.reconnects}</li>
 * <li>{@code pglogrepl.delivery.failures} (counter): listener failures; {@code pglogrepl.delivery.blocked}
 * (seconds): how long a failing listener has blocked delivery, 0 when it has not</li>
 * <li>{@code pglogrepl.slot.retained} (bytes): WAL the slot holds back, the server's current WAL position minus
 * the slot's {@code restart_lsn}; {@code pglogrepl.slot.safe} (bytes): the slot's {@code safe_wal_size}, what can
 * still be written before the server may invalidate it ({@code max_slot_wal_keep_size}). Polled every
 * {@code status-interval} while the stream runs; NaN before the first poll, and {@code pglogrepl.slot.safe} is
 * NaN when the server sets no limit ({@code max_slot_wal_keep_size = -1}, its default)</li>
 * <li>{@code pglogrepl.failovers} (counter): reconnects that found a promoted server (new timeline);
 * {@code pglogrepl.failover.redelivered} (counter, bytes): WAL delivered again after them</li>
 * <li>{@code pglogrepl.snapshot.rows} (counter): rows delivered as {@code SnapshotEvent}s;
 * {@code pglogrepl.snapshot.chunks} (counter): snapshot chunks delivered; {@code pglogrepl.snapshot.chunks.reread}
 * (counter): chunks read again; {@code pglogrepl.snapshot.tables.remaining}: tables of running snapshots not
 * finished yet</li>
 * </ul>
 */
public class PgLogReplMetrics implements MeterBinder {

	private final List<ReplicationStreamContainer> containers;

	/**
	 * Creates the binder.
	 * @param containers the streams
	 */
	public PgLogReplMetrics(List<ReplicationStreamContainer> containers) {
		this.containers = List.copyOf(containers);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (ReplicationStreamContainer container : this.containers) {
			bindTo(registry, container);
		}
	}

	private static double blockedSeconds(ReplicationStreamContainer container) {
		StreamState.DeliveryFailure failure = container.state().deliveryFailure();
		return (failure != null) ? Math.max(0, (System.currentTimeMillis() - failure.since().toEpochMilli()) / 1000.0) : 0;
	}

	private static double retainedBytes(ReplicationStreamContainer container) {
		ServerCatalog.SlotRetention retention = container.state().slotRetention();
		return (retention != null && retention.retainedBytes() != null) ? retention.retainedBytes() : Double.NaN;
	}

	private static double safeWalSize(ReplicationStreamContainer container) {
		ServerCatalog.SlotRetention retention = container.state().slotRetention();
		return (retention != null && retention.safeWalSize() != null) ? retention.safeWalSize() : Double.NaN;
	}

	private static void bindTo(MeterRegistry registry, ReplicationStreamContainer c) {
		Tags tags = Tags.of("stream", c.streamName(), "slot", c.getContainerProperties().getSlotName());
		Gauge.builder("pglogrepl.lag", c, (x) -> x.state().lagBytes())
			.tags(tags)
			.baseUnit("bytes")
			.description("Bytes between the server's WAL end and the flushed (acknowledged) position")
			.register(registry);
		TimeGauge.builder("pglogrepl.lag.time", c, TimeUnit.SECONDS, (x) -> x.state().lagSeconds())
			.tags(tags)
			.description("Seconds since the commit of the newest change received while the stream is behind; 0 when caught up")
			.register(registry);
		Gauge.builder("pglogrepl.lsn.received", c, (x) -> x.state().receivedLsn().asLong())
			.tags(tags)
			.description("Highest WAL position received")
			.register(registry);
		Gauge.builder("pglogrepl.lsn.flushed", c, (x) -> x.state().flushedLsn().asLong())
			.tags(tags)
			.description("WAL position acknowledged to the server")
			.register(registry);
		FunctionCounter.builder("pglogrepl.snapshot.rows", c, ReplicationStreamContainer::snapshotRows)
			.tags(tags)
			.description("Rows delivered as SnapshotEvents")
			.register(registry);
		FunctionCounter.builder("pglogrepl.snapshot.chunks", c, ReplicationStreamContainer::snapshotChunks)
			.tags(tags)
			.description("Snapshot chunks delivered")
			.register(registry);
		FunctionCounter.builder("pglogrepl.snapshot.chunks.reread", c, ReplicationStreamContainer::snapshotChunksReadAgain)
			.tags(tags)
			.description("Snapshot chunks read again (reconnect, listener failure, transaction invisible to the read)")
			.register(registry);
		Gauge.builder("pglogrepl.snapshot.tables.remaining", c, ReplicationStreamContainer::snapshotTablesRemaining)
			.tags(tags)
			.description("Tables of running snapshots not finished yet")
			.register(registry);
		FunctionCounter.builder("pglogrepl.transactions", c, (x) -> x.state().transactions())
			.tags(tags)
			.description("Transactions delivered to the listeners")
			.register(registry);
		FunctionCounter.builder("pglogrepl.reconnects", c, (x) -> x.state().reconnects())
			.tags(tags)
			.description("Reconnects of the replication stream")
			.register(registry);
		FunctionCounter.builder("pglogrepl.delivery.failures", c, (x) -> x.state().deliveryFailures())
			.tags(tags)
			.description("Listener failures (each failed delivery attempt of an event)")
			.register(registry);
		TimeGauge.builder("pglogrepl.delivery.blocked", c, TimeUnit.SECONDS, PgLogReplMetrics::blockedSeconds)
			.tags(tags)
			.description("Seconds delivery has been blocked by a failing listener; 0 when it is not")
			.register(registry);
		Gauge.builder("pglogrepl.slot.retained", c, PgLogReplMetrics::retainedBytes)
			.tags(tags)
			.baseUnit("bytes")
			.description("WAL the slot holds back: the server's current WAL position minus the slot's restart_lsn")
			.register(registry);
		Gauge.builder("pglogrepl.slot.safe", c, PgLogReplMetrics::safeWalSize)
			.tags(tags)
			.baseUnit("bytes")
			.description("The slot's safe_wal_size: WAL that can still be written before the server may invalidate "
					+ "the slot (max_slot_wal_keep_size); NaN without a limit")
			.register(registry);
		FunctionCounter.builder("pglogrepl.slot.recreated", c, ReplicationStreamContainer::slotRecreations)
			.tags(tags)
			.description("Slots created again after they were lost (pglogrepl.slot.on-lost=recreate or "
					+ "recreate-and-snapshot): each time, the changes in between were not delivered")
			.register(registry);
		FunctionCounter.builder("pglogrepl.failovers", c, (x) -> x.failoverHistory().failovers())
			.tags(tags)
			.description("Failovers followed: reconnects that found the server on a new timeline (promoted)")
			.register(registry);
		FunctionCounter.builder("pglogrepl.failover.redelivered", c, (x) -> x.failoverHistory().redeliveredBytes())
			.tags(tags)
			.baseUnit("bytes")
			.description("WAL bytes delivered again after failovers: acknowledged to the old primary, not yet synchronised to the promoted standby's slot")
			.register(registry);
		for (PgOutputMessageType type : PgOutputMessageType.values()) {
			FunctionCounter.builder("pglogrepl.messages", c, (x) -> x.messageCount(type))
				.tags(tags.and("type", type.typeName()))
				.description("pgoutput messages received")
				.register(registry);
		}
	}

}
