package io.github.pglogrepl.spring.stream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
	 * Hides the passwords given as URL parameters ({@code password=...}, {@code sslpassword=...}) for logs and
	 * messages.
	 * @param url a JDBC URL
	 * @return the URL with the password values replaced by {@code ******}
	 */
	public static String maskPassword(String url) {
		if (url == null) {
			return null;
		}
		int q = url.indexOf('?');
		if (q < 0) {
			return url;
		}
		StringBuilder sb = new StringBuilder(url.length()).append(url, 0, q + 1);
		String[] params = url.substring(q + 1).split("&", -1);
		for (int i = 0; i < params.length; i++) {
			if (i > 0) {
				sb.append('&');
			}
			int eq = params[i].indexOf('=');
			if (eq >= 0 && isPasswordParameter(params[i].substring(0, eq))) {
				sb.append(params[i], 0, eq + 1).append("******");
			}
			else {
				sb.append(params[i]);
			}
		}
		return sb.toString();
	}

	/**
	 * Moves the passwords given as URL parameters ({@code password}, {@code sslpassword}) into connection
	 * properties. pgjdbc logs the URL (at DEBUG) and repeats it in some exception messages ("Unable to parse
	 * URL ..."), so a secret must not travel in it. As in pgjdbc, a URL parameter wins over a property.
	 * @param url a JDBC URL
	 * @param properties connection properties, receiving the passwords
	 * @return the URL without password parameters
	 */
	public static String movePasswordsToProperties(String url, Properties properties) {
		int q = (url != null) ? url.indexOf('?') : -1;
		if (q < 0) {
			return url;
		}
		StringBuilder sb = new StringBuilder(url.length()).append(url, 0, q);
		char separator = '?';
		for (String param : url.substring(q + 1).split("&")) {
			int eq = param.indexOf('=');
			if (eq >= 0 && isPasswordParameter(param.substring(0, eq))) {
				String value = param.substring(eq + 1);
				try {
					value = URLDecoder.decode(value, StandardCharsets.UTF_8);
				}
				catch (IllegalArgumentException ex) {
					// not URL-encoded: taken as it is
				}
				properties.setProperty(param.substring(0, eq), value);
			}
			else if (!param.isEmpty()) {
				sb.append(separator).append(param);
				separator = '&';
			}
		}
		return sb.toString();
	}

	private static boolean isPasswordParameter(String name) {
		return name.equals("password") || name.equals("sslpassword");
	}

	@Override
	public String toString() {
		return "StreamSettings[url=" + maskPassword(this.jdbcUrl) + ", user=" + this.connectionProperties.getProperty("user")
				+ ", slot=" + this.slotName + ", publications=" + this.publications + "]";
	}

}
