package io.github.pglogrepl.spring.stream;

import java.util.Locale;

/**
 * pgoutput's {@code streaming} option ({@code pglogrepl.pgoutput.streaming}): whether large transactions are
 * sent while still in progress.
 */
public enum StreamingMode {

	/** Transactions are sent when they commit. The default. */
	OFF,
	/**
	 * Large in-progress transactions are streamed (protocol 2+, PostgreSQL 14+): their changes are published
	 * before the commit, and a {@code StreamAbortEvent} says which to discard.
	 */
	ON,
	/** Like {@link #ON}, with the parallel-apply form of the protocol (protocol 4, PostgreSQL 16+). */
	PARALLEL;

	/**
	 * @return the option value sent to the server: {@code off}, {@code on} or {@code parallel}
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
