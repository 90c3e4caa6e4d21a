package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.IdentifySystemResult;

/**
 * Notices a failover when the reader reconnects: the server's timeline ({@code IDENTIFY_SYSTEM}) differs from
 * the previous connection's, so the server was promoted. It then finds where the promoted server's copy of the
 * slot stands: streaming resumes there, and the transactions between that position and what was acknowledged
 * to the old primary are delivered again. It logs the timeline change and that range, and counts both for the
 * {@code pglogrepl.failovers} and {@code pglogrepl.failover.redelivered} meters.
 *
 * <p>Written by the reader ({@code pglogrepl-io-<stream>}), read from any thread.
 */
final class FailoverTracker {

	private static final Log logger = LogFactory.getLog(FailoverTracker.class);

	private final String slotName;

	private volatile String systemId;

	private volatile FailoverHistory history = new FailoverHistory(0, 0, 0, null, null, null);

	FailoverTracker(String slotName) {
		this.slotName = slotName;
	}

	/**
	 * I/O thread, on every connection before streaming starts.
	 * @param system what {@code IDENTIFY_SYSTEM} returned
	 * @param acknowledged the position acknowledged so far (to the previous server)
	 * @param connections to look up the slot on the new server
	 */
	void connected(IdentifySystemResult system, Lsn acknowledged, StreamConnectionFactory connections) {
		FailoverHistory previous = this.history;
		String previousSystem = this.systemId;
		this.systemId = system.systemId();
		if (previousSystem != null && !previousSystem.equals(system.systemId())) {
			logger.warn("Replication stream of slot '" + this.slotName + "' reconnected to another database cluster "
					+ "(system identifier " + system.systemId() + ", was " + previousSystem
					+ "): the URL's hosts are not one primary and its standbys; positions of the two are unrelated");
		}
		if (previous.timeline() == 0 || previous.timeline() == system.timeline()) {
			this.history = new FailoverHistory(system.timeline(), previous.failovers(), previous.redeliveredBytes(),
					previous.lastRedeliveredFrom(), previous.lastRedeliveredTo(), previous.lastFailoverAt());
			return;
		}
		Lsn slotPosition = null;
		String lookupError = null;
		try (Connection c = connections.openConnection("failover")) {
			ServerCatalog.SlotInfo slot = new ServerCatalog(c).slot(this.slotName);
			if (slot != null) {
				slotPosition = slot.confirmedFlushLsn();
			}
			else {
				lookupError = "the promoted server has no slot '" + this.slotName
						+ "' (was it a failover slot, synchronised to this standby? see pglogrepl.slot.failover)";
			}
		}
		catch (SQLException ex) {
			lookupError = "cannot read the slot there: " + ex.getMessage();
		}
		long redelivered = 0;
		String range;
		if (slotPosition == null) {
			range = lookupError;
		}
		else if (acknowledged.isValid() && acknowledged.isAfter(slotPosition)) {
			redelivered = acknowledged.bytesSince(slotPosition);
			range = "its copy of the slot is at " + slotPosition + ", " + redelivered
					+ " bytes of WAL behind what was acknowledged before (" + acknowledged
					+ "): the transactions in between are delivered again";
		}
		else {
			range = "its copy of the slot is at " + slotPosition + " (acknowledged before: " + acknowledged
					+ "): nothing is delivered again";
		}
		logger.warn("Replication stream of slot '" + this.slotName + "' resumes on timeline " + system.timeline()
				+ " (was " + previous.timeline() + "): the server was promoted (failover); " + range);
		this.history = new FailoverHistory(system.timeline(), previous.failovers() + 1,
				previous.redeliveredBytes() + redelivered, (redelivered > 0) ? slotPosition : null,
				(redelivered > 0) ? acknowledged : null, Instant.now());
	}

	FailoverHistory history() {
		return this.history;
	}

}
