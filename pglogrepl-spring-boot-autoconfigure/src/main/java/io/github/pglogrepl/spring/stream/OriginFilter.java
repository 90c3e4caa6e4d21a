package io.github.pglogrepl.spring.stream;

import java.util.Locale;

/**
 * pgoutput's {@code origin} option ({@code pglogrepl.pgoutput.origin}, PostgreSQL 16+): which changes are sent
 * by the origin they were replicated from.
 */
public enum OriginFilter {

	/** Every change, whatever its origin (the server's default). */
	ANY,
	/** Only changes made on this server, none replicated from another origin. */
	NONE;

	/**
	 * @return the option value sent to the server: {@code any} or {@code none}
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
