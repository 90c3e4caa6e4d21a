package io.github.pglogrepl.spring.stream;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.pglogrepl.Lsn;

/**
 * The timelines a stream has streamed on and the failovers it followed: a new timeline on reconnect means the
 * server it reached was promoted (a standby became the primary). Immutable; made by
 * {@link ReplicationStreamContainer#failoverHistory()} on the thread that asks.
 *
 * @param timeline the timeline of the last connection ({@code IDENTIFY_SYSTEM}), 0 before the first
 * @param failovers how many times a reconnect found a new timeline
 * @param redeliveredBytes WAL bytes delivered again after those failovers, in total: what had been acknowledged
 * to the old primary but not yet synchronised to the promoted standby's copy of the slot
 * @param lastRedeliveredFrom where the last failover's redelivery began (the promoted server's slot position),
 * or {@code null}
 * @param lastRedeliveredTo where it ended (the position acknowledged before the failover), or {@code null}
 * @param lastFailoverAt when the last failover was noticed, or {@code null}
 */
public record FailoverHistory(int timeline, long failovers, long redeliveredBytes, Lsn lastRedeliveredFrom,
		Lsn lastRedeliveredTo, Instant lastFailoverAt) {

	/**
	 * @return the fields as health and the endpoint show them ({@code snake_case})
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("timeline", this.timeline);
		map.put("failovers", this.failovers);
		map.put("redelivered_bytes", this.redeliveredBytes);
		if (this.lastFailoverAt != null) {
			map.put("last_failover_at", this.lastFailoverAt.toString());
			map.put("last_redelivered_from", (this.lastRedeliveredFrom != null) ? this.lastRedeliveredFrom.toString() : null);
			map.put("last_redelivered_to", (this.lastRedeliveredTo != null) ? this.lastRedeliveredTo.toString() : null);
		}
		return map;
	}

}
