package io.github.pglogrepl.spring.stream;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.spring.event.KeepaliveEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;

/**
 * Which event families a stream publishes, decided when it starts: decoded events unless switched off;
 * {@code XLogDataEvent} and {@code KeepaliveEvent} as configured, or — when not configured — exactly when a
 * listener is declared for them. The decision and its reason are logged once at INFO (a WARN when a listener is
 * declared for a family that is switched off).
 *
 * @param decoded whether decoded events are published
 * @param raw whether every XLogData is published as {@code XLogDataEvent}
 * @param keepalive whether keepalives are published as {@code KeepaliveEvent}
 */
record EventFamilies(boolean decoded, boolean raw, boolean keepalive) {

	private static final Log logger = LogFactory.getLog(EventFamilies.class);

	static EventFamilies decide(StreamContainerProperties properties, ListenedEventTypes listened) {
		List<String> rawListeners = listened.listenersOf(XLogDataEvent.class);
		List<String> keepaliveListeners = listened.listenersOf(KeepaliveEvent.class);
		boolean raw = (properties.getPublishRaw() != null) ? properties.getPublishRaw() : !rawListeners.isEmpty();
		boolean keepalive = (properties.getPublishKeepalive() != null) ? properties.getPublishKeepalive()
				: !keepaliveListeners.isEmpty();
		EventFamilies families = new EventFamilies(properties.isPublishDecoded(), raw, keepalive);
		String stream = properties.getStreamName();
		logger.info("Stream '" + stream + "' publishes " + families.describe(properties, rawListeners, keepaliveListeners));
		warnUnheard(stream, raw, rawListeners, "XLogDataEvent", "pglogrepl.events.raw");
		warnUnheard(stream, keepalive, keepaliveListeners, "KeepaliveEvent", "pglogrepl.events.keepalive");
		return families;
	}

	private String describe(StreamContainerProperties properties, List<String> rawListeners,
			List<String> keepaliveListeners) {
		return "decoded events: " + (this.decoded ? "yes" : "no (pglogrepl.events.decoded=false)")
				+ "; XLogDataEvent: " + reason(this.raw, properties.getPublishRaw(), rawListeners, "pglogrepl.events.raw")
				+ "; KeepaliveEvent: "
				+ reason(this.keepalive, properties.getPublishKeepalive(), keepaliveListeners, "pglogrepl.events.keepalive");
	}

	private static String reason(boolean on, Boolean configured, List<String> listeners, String property) {
		if (configured != null) {
			return (on ? "yes" : "no") + " (" + property + "=" + configured + ")";
		}
		return on ? "yes (listener " + String.join(", ", listeners) + ")" : "no (no listener)";
	}

	private static void warnUnheard(String stream, boolean on, List<String> listeners, String event, String property) {
		if (!on && !listeners.isEmpty()) {
			logger.warn("Stream '" + stream + "' does not publish " + event + " (" + property + "=false) although "
					+ String.join(", ", listeners) + " listen" + ((listeners.size() == 1) ? "s" : "") + " for it");
		}
	}

}
