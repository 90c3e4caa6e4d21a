package io.github.pglogrepl.reliability.support;

import java.util.ArrayList;
import java.util.List;

/**
 * The application's properties in every scenario: the slot exists before the first write (so every
 * committed row is to be delivered), fast reconnects and a 1 s status interval.
 */
public final class AppProperties {

	/** Settings shared by all scenarios, shown in the report. */
	public static final String SUMMARY = "status-interval 1s, reconnect 200ms..2s (x2), receive-timeout 30s "
			+ "(3s in scenario 7), queue-capacity 1024, ack-mode auto";

	private AppProperties() {
	}

	/**
	 * @param url JDBC URL of the server (or the proxy)
	 * @param user user, or {@code null} when in the URL
	 * @param slot slot name (created by the test)
	 * @param publication publication name
	 * @param table table whose rows are recorded
	 * @return {@code key=value} properties
	 */
	public static List<String> of(String url, String user, String slot, String publication, String table) {
		List<String> props = new ArrayList<>();
		props.add("pglogrepl.url=" + url);
		if (user != null) {
			props.add("pglogrepl.username=" + user);
		}
		props.add("pglogrepl.slot.name=" + slot);
		props.add("pglogrepl.slot.create=never");
		props.add("pglogrepl.publication.names=" + publication);
		props.add("pglogrepl.status-interval=1s");
		props.add("pglogrepl.reconnect.initial-interval=200ms");
		props.add("pglogrepl.reconnect.max-interval=2s");
		props.add("reliability.app.table=" + table);
		props.add("spring.main.banner-mode=off");
		props.add("logging.level.root=WARN");
		props.add("logging.level.io.github.pglogrepl=INFO");
		return props;
	}

	/**
	 * Sets a property, replacing an earlier value.
	 * @param props properties
	 * @param key the key
	 * @param value the value
	 * @return the properties
	 */
	public static List<String> set(List<String> props, String key, String value) {
		props.removeIf((p) -> p.startsWith(key + "="));
		props.add(key + "=" + value);
		return props;
	}

}
