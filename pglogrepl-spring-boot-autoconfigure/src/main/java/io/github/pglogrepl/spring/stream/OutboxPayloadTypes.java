package io.github.pglogrepl.spring.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.pglogrepl.spring.outbox.OutboxEventType;

/**
 * Which Java type the payload of each outbox event type is read as: the types of the application's
 * {@code OutboxEvent<T>} listeners, by their {@link OutboxEventType} or simple name. Filled at startup.
 */
public class OutboxPayloadTypes {

	private final Map<String, Class<?>> types = new ConcurrentHashMap<>();

	/**
	 * @param type a payload type a listener is declared for
	 */
	public void register(Class<?> type) {
		if (type == Object.class) {
			return;
		}
		OutboxEventType annotation = type.getAnnotation(OutboxEventType.class);
		this.types.putIfAbsent((annotation != null) ? annotation.value() : type.getSimpleName(), type);
	}

	/**
	 * @param eventType an outbox event type
	 * @return the payload type for it; {@code Object} if no listener names it
	 */
	public Class<?> typeFor(String eventType) {
		return this.types.getOrDefault(eventType, Object.class);
	}

}
