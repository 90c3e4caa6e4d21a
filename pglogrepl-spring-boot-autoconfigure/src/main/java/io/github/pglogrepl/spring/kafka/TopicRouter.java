package io.github.pglogrepl.spring.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.pglogrepl.spring.event.TableName;

/**
 * Which topic a change goes to: {@code <prefix>.<schema>.<table>} unless the table is routed elsewhere
 * ({@code pglogrepl.kafka.topics.<schema>.<table>=name}), and {@code <prefix>.outbox.<aggregate-type>} for outbox
 * events. The prefix is {@code pglogrepl.kafka.topic-prefix}, or the stream's slot name. Characters Kafka does not
 * allow in topic names (anything but ASCII letters, digits, {@code .}, {@code _} and {@code -}) become {@code _},
 * as Debezium does; a routed topic name is used as written. Thread-safe.
 */
public final class TopicRouter {

	private final String prefix;

	private final Map<String, String> routes;

	private final Map<String, String> cache = new ConcurrentHashMap<>();

	/**
	 * @param prefix the topic prefix, or {@code null} for the slot name
	 * @param routes topic by qualified table name ({@code schema.table})
	 */
	public TopicRouter(String prefix, Map<String, String> routes) {
		this.prefix = (prefix != null && !prefix.isBlank()) ? prefix : null;
		this.routes = Map.copyOf(routes);
	}

	/**
	 * @param slotName the stream's slot
	 * @param table the changed table
	 * @return the topic of the table's changes
	 */
	public String tableTopic(String slotName, TableName table) {
		String qualified = table.schema() + "." + table.name();
		String routed = this.routes.get(qualified);
		if (routed != null) {
			return routed;
		}
		return this.cache.computeIfAbsent(slotName + "\u0000" + qualified,
				(key) -> sanitize(prefix(slotName) + "." + qualified));
	}

	/**
	 * @param slotName the stream's slot
	 * @param aggregateType the outbox event's aggregate type
	 * @return the topic of the aggregate type's outbox events
	 */
	public String outboxTopic(String slotName, String aggregateType) {
		return this.cache.computeIfAbsent(slotName + "\u0000outbox\u0000" + aggregateType,
				(key) -> sanitize(prefix(slotName) + ".outbox." + aggregateType));
	}

	/**
	 * @param slotName the stream's slot
	 * @return the prefix of that stream's topics
	 */
	public String prefix(String slotName) {
		return (this.prefix != null) ? this.prefix : slotName;
	}

	static String sanitize(String topic) {
		StringBuilder sb = new StringBuilder(topic.length());
		for (int i = 0; i < topic.length(); i++) {
			char c = topic.charAt(i);
			boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
					|| c == '_' || c == '-';
			sb.append(legal ? c : '_');
		}
		return sb.toString();
	}

}
