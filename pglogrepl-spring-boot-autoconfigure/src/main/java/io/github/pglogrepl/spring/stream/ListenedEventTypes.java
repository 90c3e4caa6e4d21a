package io.github.pglogrepl.spring.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which event types the application's listeners are declared for, and where: filled at startup from the
 * {@code @EventListener} methods and {@code ApplicationListener} beans. A stream whose
 * {@code pglogrepl.events.raw} / {@code .keepalive} is not set publishes {@code XLogDataEvent} /
 * {@code KeepaliveEvent} exactly when a listener is declared for it. Thread-safe: filled while the context
 * starts, read when a container starts.
 */
public class ListenedEventTypes {

	private final Map<Class<?>, List<String>> listeners = new ConcurrentHashMap<>();

	/**
	 * @param eventType an event type a listener is declared for
	 * @param listener where, e.g. {@code OrderListeners.raw(XLogDataEvent)}
	 */
	public void register(Class<?> eventType, String listener) {
		List<String> where = this.listeners.computeIfAbsent(eventType, (type) -> new CopyOnWriteArrayList<>());
		if (!where.contains(listener)) {
			where.add(listener);
		}
	}

	/**
	 * @param eventType an event type
	 * @return the listeners declared for exactly that type (empty if none)
	 */
	public List<String> listenersOf(Class<?> eventType) {
		return new ArrayList<>(this.listeners.getOrDefault(eventType, List.of()));
	}

}
