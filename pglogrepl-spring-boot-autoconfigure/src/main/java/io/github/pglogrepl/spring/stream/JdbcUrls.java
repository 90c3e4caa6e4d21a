package io.github.pglogrepl.spring.stream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Keeps passwords out of JDBC URLs: masked for logs and messages, moved into connection properties before
 * connecting.
 */
public final class JdbcUrls {

	private JdbcUrls() {
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

	/**
	 * A host a JDBC URL names.
	 *
	 * @param host the host name or address
	 * @param port its port
	 */
	public record Host(String host, int port) {

		@Override
		public String toString() {
			return (this.host.contains(":") ? "[" + this.host + "]" : this.host) + ":" + this.port;
		}

	}

	/**
	 * @param url a JDBC URL, possibly naming several hosts ({@code jdbc:postgresql://h1:5432,h2:5433/db})
	 * @return its hosts in order (the default port 5432 where none is given); empty if pgjdbc cannot parse it
	 */
	public static List<Host> hosts(String url) {
		Properties parsed = (url != null) ? org.postgresql.Driver.parseURL(url, null) : null;
		List<Host> hosts = new ArrayList<>();
		if (parsed == null) {
			return hosts;
		}
		String[] names = parsed.getProperty("PGHOST", "localhost").split(",");
		String[] ports = parsed.getProperty("PGPORT", "5432").split(",");
		for (int i = 0; i < names.length; i++) {
			String port = (i < ports.length) ? ports[i] : "5432";
			hosts.add(new Host(names[i], port.isEmpty() ? 5432 : Integer.parseInt(port)));
		}
		return hosts;
	}

	/**
	 * @param url a JDBC URL
	 * @return the database it names, or {@code null} if pgjdbc cannot parse it (or there is none)
	 */
	public static String database(String url) {
		Properties parsed = (url != null) ? org.postgresql.Driver.parseURL(url, null) : null;
		return (parsed != null) ? parsed.getProperty("PGDBNAME") : null;
	}

	private static boolean isPasswordParameter(String name) {
		return name.equals("password") || name.equals("sslpassword");
	}

}
