package io.github.pglogrepl.spring.stream;

/**
 * When the stream creates its replication slot ({@code pglogrepl.slot.create}).
 */
public enum SlotCreation {

	/** Create the slot (pgoutput) if it does not exist; keep it across restarts. The default. */
	IF_MISSING,
	/** Never create it: startup fails if it does not exist. */
	NEVER,
	/**
	 * Create a temporary slot on every connection; it vanishes with the connection, so changes made while
	 * disconnected are not delivered. For tests and throw-away consumers.
	 */
	TEMPORARY

}
