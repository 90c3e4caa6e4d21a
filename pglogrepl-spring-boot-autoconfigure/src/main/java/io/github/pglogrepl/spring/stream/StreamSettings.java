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
 * @param receiveTimeout silence after which the connection is considered lost (zero: never)
 */
public record StreamSettings(String jdbcUrl, Properties connectionProperties, String slotName, String slotCreate,
		boolean dropSlotOnShutdown, List<String> publications, boolean createPublications,
		List<String> publicationTables, Integer protoVersion, String streaming, boolean binary, boolean messages,
		String origin, Lsn startLsn, Duration statusInterval, AckMode ackMode, int queueCapacity,
		Duration reconnectInitial, Duration reconnectMax, double reconnectMultiplier, boolean publishRaw,
		boolean publishDecoded, boolean publishKeepalive, Duration receiveTimeout) {

	/**
	 * @return whether the slot is temporary
	 */
	public boolean temporarySlot() {
		return "TEMPORARY".equals(this.slotCreate);
	}

	/**
	 * Hides a password given as a URL parameter ({@code password=...}) for logs and messages.
	 * @param url a JDBC URL
	 * @return the URL with the password value replaced by {@code ******}
	 */
	public static String maskPassword(String url) {
		if (url == null) {
			return null;
		}
		StringBuilder sb = new StringBuilder(url.length());
		int i = 0;
		while (i < url.length()) {
			int at = url.indexOf("password=", i);
			if (at < 0 || (at > 0 && url.charAt(at - 1) != '?' && url.charAt(at - 1) != '&')) {
				if (at < 0) {
					sb.append(url, i, url.length());
					break;
				}
				sb.append(url, i, at + 9);
				i = at + 9;
				continue;
			}
			sb.append(url, i, at + 9).append("******");
			int end = url.indexOf('&', at);
			i = (end < 0) ? url.length() : end;
		}
		return sb.toString();
	}

	@Override
	public String toString() {
		return "StreamSettings[url=" + maskPassword(this.jdbcUrl) + ", user=" + this.connectionProperties.getProperty("user")
				+ ", slot=" + this.slotName + ", publications=" + this.publications + "]";
	}

}
