package io.github.pglogrepl.spring.stream;

import java.sql.SQLException;

import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.Lsn;

/**
 * A slot that is lost: missing although this application streamed from it before, or invalidated by the server.
 * Told from the catalog ({@code pg_replication_slots}), never from an error's text: a missing slot and a missing
 * publication both fail with SQLSTATE 42704, an invalidated slot with 55000 like other unmet prerequisites.
 *
 * @param slot the slot
 * @param missing whether it does not exist (else it is invalidated)
 * @param invalidationReason the server's {@code invalidation_reason} (PostgreSQL 17+), or {@code null}
 * @param lastAcknowledged the last position acknowledged for it, or {@code null} when unknown (a slot gone while
 * the application was down)
 * @param marker when this application recorded the slot ({@link SlotHistory}), or {@code null}
 */
record SlotLoss(String slot, boolean missing, String invalidationReason, Lsn lastAcknowledged,
		SlotHistory.Entry marker) {

	private static final Log logger = LogFactory.getLog(SlotLoss.class);

	/**
	 * Asks the catalog whether the slot is lost.
	 * @param catalog a catalog of the streamed database
	 * @param slot the slot
	 * @param lastAcknowledged what the stream acknowledged last ({@code null}: take the slot's
	 * {@code confirmed_flush_lsn})
	 * @return the loss, or {@code null} if the slot exists and is usable
	 * @throws SQLException if a query fails
	 */
	static SlotLoss check(ServerCatalog catalog, String slot, Lsn lastAcknowledged) throws SQLException {
		ServerCatalog.SlotInfo info = catalog.slot(slot);
		if (info == null) {
			return new SlotLoss(slot, true, null, lastAcknowledged, null);
		}
		String reason = catalog.slotInvalidationReason(slot);
		if (!info.isLost() && reason == null) {
			return null;
		}
		Lsn acknowledged = (lastAcknowledged != null && lastAcknowledged.isValid()) ? lastAcknowledged
				: info.confirmedFlushLsn();
		return new SlotLoss(slot, false, reason, acknowledged, null);
	}

	/**
	 * @param marker when the application recorded the slot
	 * @return this loss with the marker
	 */
	SlotLoss withMarker(SlotHistory.Entry marker) {
		return new SlotLoss(this.slot, this.missing, this.invalidationReason, this.lastAcknowledged, marker);
	}

	/**
	 * @return what happened to the slot, in a sentence without the slot's name
	 */
	String what() {
		if (this.missing) {
			return "no longer exists (dropped, or this server is a promoted standby or another server without it)";
		}
		return "was invalidated by the server (wal_status = lost"
				+ ((this.invalidationReason != null) ? ", invalidation_reason = " + this.invalidationReason : "")
				+ "): " + cause();
	}

	private String cause() {
		if ("idle_timeout".equals(this.invalidationReason)) {
			return "it was inactive longer than idle_replication_slot_timeout";
		}
		if ("rows_removed".equals(this.invalidationReason) || "wal_level_insufficient".equals(this.invalidationReason)) {
			return "it conflicted with recovery on this standby";
		}
		return "the server removed WAL it still needed (max_slot_wal_keep_size)";
	}

	/**
	 * @return what was lost: from which position on
	 */
	String lost() {
		if (this.lastAcknowledged != null && this.lastAcknowledged.isValid()) {
			return "every change after the last acknowledged position " + this.lastAcknowledged
					+ " that was not delivered is lost";
		}
		return "every change after the last acknowledged position is lost (that position is unknown: the slot is gone"
				+ ((this.marker != null) ? "; this application recorded it at " + this.marker.recordedAt()
						+ ((this.marker.recordedLsn() != null) ? " (WAL position " + this.marker.recordedLsn() + ")" : "")
						: "")
				+ ")";
	}

	/**
	 * @param markerTable the marker table as quoted in SQL, or {@code null}
	 * @return what an operator can do, with what each way loses
	 */
	String waysOut(String markerTable) {
		StringBuilder s = new StringBuilder("Ways out: (1) set pglogrepl.slot.on-lost=recreate-and-snapshot and restart: the "
				+ "slot is created again and every published table re-read (a backfill as SnapshotEvents), which "
				+ "repairs a consumer that upserts by key; (2) accept the loss: pglogrepl.slot.on-lost=recreate (the "
				+ "changes in between are never delivered)");
		if (!this.missing || markerTable != null) {
			s.append(", or by hand: ");
			if (!this.missing) {
				s.append("SELECT pg_drop_replication_slot('").append(this.slot).append("')");
			}
			if (markerTable != null) {
				s.append(this.missing ? "" : " and ").append("DELETE FROM ").append(markerTable)
					.append(" WHERE slot_name = '").append(this.slot).append("'");
			}
			s.append(", then restart (the slot is created at the current WAL position)");
		}
		s.append("; (3) if the slot still exists on another server (the stream connected to the wrong one), point "
				+ "pglogrepl.url there. To keep it from happening again: ");
		s.append(this.missing ? "do not drop a slot in use (pglogrepl.slot.failover=true keeps it across a failover, "
				+ "PostgreSQL 17+)"
				: "raise or unset max_slot_wal_keep_size / idle_replication_slot_timeout, and alert on "
						+ "pglogrepl.slot.safe and the health's walStatus");
		return s.append('.').toString();
	}

	/**
	 * Logs, at ERROR, that the slot was created again and what that lost.
	 * @param point the new slot's start
	 * @param policy the policy that re-created it
	 */
	void logRecreated(Lsn point, SlotLossPolicy policy) {
		String range = (this.lastAcknowledged != null && this.lastAcknowledged.isValid())
				? "between " + this.lastAcknowledged + " and " + point
				: "between the slot's last acknowledged position (unknown, the slot is gone) and " + point;
		logger.error("Re-created replication slot '" + this.slot + "' at " + point + " (pglogrepl.slot.on-lost="
				+ propertyValue(policy) + ", counted by pglogrepl.slot.recreated): the changes committed " + range
				+ " that were not delivered before are lost"
				+ ((policy == SlotLossPolicy.RECREATE_AND_SNAPSHOT)
						? "; a snapshot of every published table follows to repair the consumer's state"
						: "; re-read the tables if the consumer needs them (Snapshots.start)"));
	}

	/**
	 * @param policy a policy
	 * @return its value as {@code pglogrepl.slot.on-lost} spells it
	 */
	static String propertyValue(SlotLossPolicy policy) {
		return policy.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
