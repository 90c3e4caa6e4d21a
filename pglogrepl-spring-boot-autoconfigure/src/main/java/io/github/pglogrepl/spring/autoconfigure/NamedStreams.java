package io.github.pglogrepl.spring.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

import io.github.pglogrepl.spring.stream.ReplicationSetupException;

/**
 * The named streams of {@code pglogrepl.streams.<name>.*}: their names, and each one's properties — the
 * top-level {@code pglogrepl.*} properties with the stream's own laid over them.
 */
final class NamedStreams {

	static final String PREFIX = "pglogrepl.streams";

	private static final ConfigurationPropertyName STREAMS = ConfigurationPropertyName.of(PREFIX);

	private static final Pattern VALID_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

	private NamedStreams() {
	}

	/**
	 * @param environment the environment
	 * @return the names of the configured streams, in the order first seen
	 */
	static Set<String> names(Environment environment) {
		Set<String> names = new LinkedHashSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(STREAMS::isAncestorOf).forEach((name) -> {
					if (name.getNumberOfElements() > 2) {
						names.add(name.getElement(2, ConfigurationPropertyName.Form.ORIGINAL));
					}
				});
			}
		}
		for (String name : names) {
			if (!VALID_NAME.matcher(name).matches()) {
				throw new ReplicationSetupException("Invalid stream name '" + name + "' in " + PREFIX + "." + name
						+ ": use lower-case letters, digits and dashes (at most 63).",
						"Rename the stream under " + PREFIX + ", e.g. " + PREFIX + ".billing.slot.name=billing_cdc.");
			}
		}
		return names;
	}

	/**
	 * @param binder the environment's binder
	 * @param name a stream name
	 * @return the stream's properties: the top-level ones with the stream's own laid over them
	 */
	static PgLogReplProperties properties(Binder binder, String name) {
		PgLogReplProperties properties = binder.bindOrCreate("pglogrepl", PgLogReplProperties.class);
		properties.getStreams().clear();
		binder.bind(PREFIX + "." + name, Bindable.ofInstance(properties));
		return properties;
	}

}
