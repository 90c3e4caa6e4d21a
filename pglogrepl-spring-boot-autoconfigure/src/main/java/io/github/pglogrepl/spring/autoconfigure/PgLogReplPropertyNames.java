package io.github.pglogrepl.spring.autoconfigure;

import java.beans.Introspector;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

import io.github.pglogrepl.spring.kafka.KafkaRelayProperties;

/**
 * The known {@code pglogrepl.*} property names (from {@link PgLogReplProperties}, so they cannot drift), and the
 * unknown ones an environment sets, each with the closest known name: a typo such as
 * {@code pglogrepl.slot.nmae} is reported at startup ("did you mean pglogrepl.slot.name?") instead of surfacing
 * as a missing property.
 */
final class PgLogReplPropertyNames {

	private static final Log logger = LogFactory.getLog(PgLogReplPropertyNames.class);

	private static final String PREFIX = "pglogrepl";

	private static final String STREAMS = "pglogrepl.streams.";

	/** Leaf names relative to {@code pglogrepl.}, e.g. {@code slot.name}; {@code streams} excluded. */
	private static final Set<String> KNOWN = known();

	private PgLogReplPropertyNames() {
	}

	/**
	 * An unknown property and the known one it most resembles.
	 *
	 * @param name the unknown name as set
	 * @param suggestion the closest known name, or {@code null} if none is close
	 */
	record Unknown(String name, String suggestion) {

		@Override
		public String toString() {
			return this.name + ((this.suggestion != null) ? " (did you mean " + this.suggestion + "?)" : "");
		}

	}

	/**
	 * @return every known property name, e.g. {@code pglogrepl.slot.name}
	 */
	static Set<String> knownNames() {
		Set<String> names = new TreeSet<>();
		KNOWN.forEach((name) -> names.add(PREFIX + "." + name));
		return names;
	}

	/**
	 * @param environment the environment
	 * @return the unknown {@code pglogrepl.*} properties it sets, with suggestions
	 */
	static List<Unknown> unknown(Environment environment) {
		Set<String> set = new LinkedHashSet<>();
		ConfigurationPropertyName root = ConfigurationPropertyName.of(PREFIX);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(root::isAncestorOf).forEach((name) -> set.add(withoutIndexes(name)));
			}
		}
		List<Unknown> unknown = new ArrayList<>();
		for (String name : set) {
			String relative = name.substring(PREFIX.length() + 1);
			String stream = null;
			if (name.startsWith(STREAMS)) {
				int dot = name.indexOf('.', STREAMS.length());
				if (dot < 0) {
					continue;
				}
				stream = name.substring(0, dot);
				relative = name.substring(dot + 1);
			}
			if (!isKnown(relative)) {
				String closest = closest(relative);
				unknown.add(new Unknown(name, (closest != null) ? ((stream != null) ? stream : PREFIX) + "." + closest : null));
			}
		}
		return unknown;
	}

	/**
	 * Logs a warning per unknown property.
	 * @param environment the environment
	 */
	static void warnAboutUnknown(Environment environment) {
		for (Unknown unknown : unknown(environment)) {
			logger.warn("Unknown property " + unknown + ": it is ignored");
		}
	}

	private static boolean isKnown(String relative) {
		// the Kafka relay's table routes are a map: any table name is valid there
		return KNOWN.contains(relative) || relative.startsWith("kafka.topics.");
	}

	private static String withoutIndexes(ConfigurationPropertyName name) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			if (name.isNumericIndex(i)) {
				continue;
			}
			if (sb.length() > 0) {
				sb.append('.');
			}
			sb.append(name.getElement(i, ConfigurationPropertyName.Form.DASHED));
		}
		return sb.toString();
	}

	private static String closest(String relative) {
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String known : KNOWN) {
			int distance = distance(relative, known);
			if (distance < bestDistance) {
				best = known;
				bestDistance = distance;
			}
		}
		// a suggestion only when it is plausibly a slip, not a different property altogether
		return (best != null && bestDistance <= Math.max(2, relative.length() / 3)) ? best : null;
	}

	/** Levenshtein distance. */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	private static Set<String> known() {
		Set<String> names = new TreeSet<>();
		collect(PgLogReplProperties.class, "", names);
		collect(KafkaRelayProperties.class, "kafka.", names);
		return names;
	}

	private static void collect(Class<?> type, String prefix, Set<String> names) {
		for (Method method : type.getMethods()) {
			String name = method.getName();
			if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
					|| method.getDeclaringClass() == Object.class) {
				continue;
			}
			String property;
			if (name.startsWith("get") && name.length() > 3) {
				property = name.substring(3);
			}
			else if (name.startsWith("is") && name.length() > 2
					&& (method.getReturnType() == boolean.class || method.getReturnType() == Boolean.class)) {
				property = name.substring(2);
			}
			else {
				continue;
			}
			String dashed = DataObjectPropertyName.toDashedForm(Introspector.decapitalize(property));
			Class<?> returned = method.getReturnType();
			if (Map.class.isAssignableFrom(returned)) {
				continue; // streams: checked against the top-level names
			}
			if (returned.getDeclaringClass() == PgLogReplProperties.class && !returned.isEnum()) {
				collect(returned, prefix + dashed + ".", names);
			}
			else {
				names.add(prefix + dashed);
			}
		}
	}

}
