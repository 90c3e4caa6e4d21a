package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.pglogrepl.Lsn;

/**
 * Resolved settings of a {@link ReplicationStreamContainer}.
 *
 * @param jdbcUrl JDBC URL of the database
 * @param connectionProperties user, password and other pgjdbc properties
 * @param slotName the slot
 * @param slotCreate when to create the slot: {@code IF_MISSING}, {@code NEVER}, {@code TEMPORARY}
 * @param dropSlotOnShutdown whether to drop the slot on stop
 * @param publications publication names
 * @param createPublications whether to create missing publications
 * @param publicationTables tables of created publications (empty: all tables)
 * @param protoVersion pgoutput protocol version, or {@code null} for the highest the server supports
 * @param streaming {@code off}, {@code on} or {@code parallel}
 * @param binary binary values
 * @param messages logical decoding messages
 * @param origin origin filter or {@code null}
 * @param startLsn start position or {@code null}
 * @param statusInterval interval of status updates
 * @param ackMode acknowledgement mode
 * @param queueCapacity capacity of the dispatch queue
 * @param reconnectInitial first reconnect delay
 * @param reconnectMax maximum reconnect delay
 * @param reconnectMultiplier backoff factor
 * @param publishRaw publish XLogDataEvent
 * @param publishDecoded publish decoded events
 * @param publishKeepalive publish KeepaliveEvent
 */
public record StreamSettings(String jdbcUrl, Properties connectionProperties, String slotName, String slotCreate,
		boolean dropSlotOnShutdown, List<String> publications, boolean createPublications,
		List<String> publicationTables, Integer protoVersion, String streaming, boolean binary, boolean messages,
		String origin, Lsn startLsn, Duration statusInterval, AckMode ackMode, int queueCapacity,
		Duration reconnectInitial, Duration reconnectMax, double reconnectMultiplier, boolean publishRaw,
		boolean publishDecoded, boolean publishKeepalive) {

	/**
	 * @return whether the slot is temporary
	 */
	public boolean temporarySlot() {
		return "TEMPORARY".equals(this.slotCreate);
	}

	@Override
	public String toString() {
		return "StreamSettings[url=" + this.jdbcUrl + ", user=" + this.connectionProperties.getProperty("user")
				+ ", slot=" + this.slotName + ", publications=" + this.publications + "]";
	}

}
