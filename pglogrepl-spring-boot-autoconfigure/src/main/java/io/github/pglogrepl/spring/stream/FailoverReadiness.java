package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.pglogrepl.Lsn;

/**
 * Whether a failover slot ({@code pglogrepl.slot.failover=true}, PostgreSQL 17+) would survive a promotion of a
 * standby: what the primary and each standby named in a multi-host URL say, for health, the actuator endpoint
 * and the startup log. Made by {@link #check} on the caller's thread; the container keeps the last one for a
 * few seconds ({@link ReplicationStreamContainer#failoverReadiness()}).
 *
 * @param slotFailover whether the primary's slot is a failover slot ({@code pg_replication_slots.failover});
 * {@code null} if the slot does not exist yet
 * @param synchronizedStandbySlots the physical slots named in the primary's {@code synchronized_standby_slots}
 * @param standbys the standbys among the URL's hosts, each with whether its copy of the slot is ready
 * @param warning what makes a failover lose changes or fail, with the fix; {@code null} when nothing does
 * @param error why the primary could not be checked, or {@code null}
 * @param checkedAt when this was found
 */
public record FailoverReadiness(Boolean slotFailover, List<ServerCatalog.StandbySlot> synchronizedStandbySlots,
		List<Standby> standbys, String warning, String error, Instant checkedAt) {

	/**
	 * A standby named in the URL and its copy of the slot.
	 *
	 * @param host the standby as the URL names it ({@code host:port})
	 * @param failoverReady whether the stream can resume there after a promotion: its copy of the slot is
	 * synchronised ({@code synced}), persistent (not {@code temporary}) and not invalidated
	 * @param synced {@code pg_replication_slots.synced} there; {@code false} when it has no copy
	 * @param invalidationReason {@code pg_replication_slots.invalidation_reason} there, or {@code null}
	 * @param confirmedFlushLsn the copy's confirmed position, or {@code null}
	 * @param reason why it is not ready (or could not be checked), or {@code null}
	 */
	public record Standby(String host, boolean failoverReady, boolean synced, String invalidationReason,
			Lsn confirmedFlushLsn, String reason) {

		/**
		 * @return the fields as health and the endpoint show them ({@code snake_case})
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("host", this.host);
			map.put("failover_ready", this.failoverReady);
			map.put("synced", this.synced);
			map.put("invalidation_reason", this.invalidationReason);
			map.put("confirmed_flush_lsn", (this.confirmedFlushLsn != null) ? this.confirmedFlushLsn.toString() : null);
			if (this.reason != null) {
				map.put("reason", this.reason);
			}
			return map;
		}

	}

	/**
	 * @return whether the primary names standby slots in {@code synchronized_standby_slots}, all existing, so
	 * that no change reaches this stream before those standbys have it
	 */
	public boolean standbySynchronized() {
		return !this.synchronizedStandbySlots.isEmpty()
				&& this.synchronizedStandbySlots.stream().allMatch(ServerCatalog.StandbySlot::exists);
	}

	/**
	 * @return the fields as health and the endpoint show them ({@code snake_case}, as the server's views)
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("slot_failover", this.slotFailover);
		List<Map<String, Object>> slots = new ArrayList<>();
		for (ServerCatalog.StandbySlot slot : this.synchronizedStandbySlots) {
			Map<String, Object> s = new LinkedHashMap<>();
			s.put("slot_name", slot.name());
			s.put("exists", slot.exists());
			s.put("active", slot.active());
			slots.add(s);
		}
		map.put("synchronized_standby_slots", slots);
		List<Map<String, Object>> standbyMaps = new ArrayList<>();
		this.standbys.forEach((standby) -> standbyMaps.add(standby.toMap()));
		map.put("standbys", standbyMaps);
		if (this.warning != null) {
			map.put("warning", this.warning);
		}
		if (this.error != null) {
			map.put("error", this.error);
		}
		map.put("checked_at", this.checkedAt.toString());
		return map;
	}

	/**
	 * Asks the primary (through {@code connections}' URL) and every other host of a multi-host URL.
	 * @param properties the stream's properties (slot name, URL)
	 * @param connections where connections come from
	 * @return what was found; a server that cannot be reached is reported in it, never thrown
	 */
	public static FailoverReadiness check(StreamContainerProperties properties, StreamConnectionFactory connections) {
		String slot = properties.getSlotName();
		Boolean failover;
		List<ServerCatalog.StandbySlot> standbySlots;
		try (Connection c = connections.openConnection("failover")) {
			ServerCatalog catalog = new ServerCatalog(c);
			failover = catalog.slotFailover(slot);
			standbySlots = catalog.synchronizedStandbySlots();
		}
		catch (SQLException ex) {
			return new FailoverReadiness(null, List.of(), List.of(), null,
					"Cannot check the primary: " + ex.getMessage(), Instant.now());
		}
		List<Standby> standbys = new ArrayList<>();
		List<JdbcUrls.Host> hosts = JdbcUrls.hosts(properties.getJdbcUrl());
		if (hosts.size() > 1) {
			for (JdbcUrls.Host host : hosts) {
				Standby standby = standby(slot, host, connections);
				if (standby != null) {
					standbys.add(standby);
				}
			}
		}
		return new FailoverReadiness(failover, List.copyOf(standbySlots), List.copyOf(standbys),
				warning(slot, failover, standbySlots, standbys, hosts.size() > 1), null, Instant.now());
	}

	/** @return the host's state, or {@code null} if it is the primary */
	private static Standby standby(String slot, JdbcUrls.Host host, StreamConnectionFactory connections) {
		try (Connection c = connections.openConnection("failover", host.host(), host.port())) {
			ServerCatalog catalog = new ServerCatalog(c);
			if (!catalog.isInRecovery()) {
				return null;
			}
			ServerCatalog.SyncedSlot copy = catalog.syncedSlot(slot);
			if (copy == null) {
				return new Standby(host.toString(), false, false, null, null, catalog.syncReplicationSlots()
						? "no copy of slot '" + slot + "' yet (the standby's slot sync worker copies a new failover slot "
								+ "within about half a minute; if it never does: primary_slot_name, hot_standby_feedback = on "
								+ "and dbname= in primary_conninfo are required, see the standby's log)"
						: "sync_replication_slots is off on this standby");
			}
			String reason = null;
			if (!copy.synced()) {
				reason = "the standby's slot '" + slot + "' is not synchronised from the primary (synced = false)";
			}
			else if (copy.temporary()) {
				reason = "the standby's copy of slot '" + slot + "' is still temporary: the standby has not caught up "
						+ "with the slot's position on the primary yet (a promotion now would drop it)";
			}
			else if (copy.invalidationReason() != null) {
				reason = "the standby's copy of slot '" + slot + "' is invalidated (" + copy.invalidationReason() + ")";
			}
			else if (!copy.syncReplicationSlots()) {
				reason = "sync_replication_slots is off on this standby: its copy of the slot is no longer updated";
			}
			return new Standby(host.toString(), reason == null, copy.synced(), copy.invalidationReason(),
					copy.confirmedFlushLsn(), reason);
		}
		catch (SQLException ex) {
			return new Standby(host.toString(), false, false, null, null, "cannot check: " + ex.getMessage());
		}
	}

	private static String warning(String slot, Boolean failover, List<ServerCatalog.StandbySlot> standbySlots,
			List<Standby> standbys, boolean multiHost) {
		if (Boolean.FALSE.equals(failover)) {
			return "The replication slot '" + slot + "' is not a failover slot: standbys do not keep a copy of it, "
					+ "so the stream cannot resume on a promoted standby. Restart with pglogrepl.slot.failover=true "
					+ "(it switches the slot with ALTER_REPLICATION_SLOT when no other connection uses it).";
		}
		List<String> missing = standbySlots.stream().filter((s) -> !s.exists()).map(ServerCatalog.StandbySlot::name).toList();
		if (!standbySlots.isEmpty() && !missing.isEmpty()) {
			return "The primary's synchronized_standby_slots names " + missing + ", which is no physical slot there: "
					+ "the primary holds back every change from this stream until it exists (nothing is delivered). "
					+ "Create it (SELECT pg_create_physical_replication_slot(...)) for the standby, or remove it from "
					+ "synchronized_standby_slots.";
		}
		if (standbySlots.isEmpty()) {
			return "The primary's synchronized_standby_slots is empty: this stream can receive "
					+ "and acknowledge changes that a standby has not received yet, and after a failover to that standby "
					+ "those changes are lost. Set synchronized_standby_slots on the primary to the physical slot of each "
					+ "standby that may be promoted (its primary_slot_name), e.g. ALTER SYSTEM SET "
					+ "synchronized_standby_slots = 'standby1_slot'; SELECT pg_reload_conf();";
		}
		List<String> notReady = new ArrayList<>();
		for (Standby standby : standbys) {
			if (!standby.failoverReady()) {
				notReady.add(standby.host() + " (" + standby.reason() + ")");
			}
		}
		if (!notReady.isEmpty()) {
			return "Standby(s) " + String.join(", ", notReady) + " cannot take over slot '" + slot
					+ "' after a promotion yet.";
		}
		if (multiHost && standbys.isEmpty()) {
			return "None of the other hosts of the URL is a standby in recovery.";
		}
		return null;
	}

}
