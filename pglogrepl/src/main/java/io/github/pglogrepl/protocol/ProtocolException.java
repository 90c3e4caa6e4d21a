package io.github.pglogrepl.protocol;

import io.github.pglogrepl.PgLogReplException;

/**
 * Thrown when bytes received from the server do not form a valid message: unknown message type, truncated
 * message, or a field with an impossible value. Names the message type and the byte offset (from the start
 * of the message) where parsing failed. This is the only exception the parsers of this library throw on bad
 * input.
 */
public class ProtocolException extends PgLogReplException {

	private static final long serialVersionUID = 1L;

	private final char messageType;

	private final int offset;

	/**
	 * Creates an exception.
	 * @param messageType the message type byte as a character ({@code '?'} when unknown)
	 * @param offset offset of the failing field from the start of the message
	 * @param message what is wrong
	 */
	public ProtocolException(char messageType, int offset, String message) {
		super("Malformed '" + messageType + "' message at offset " + offset + ": " + message);
		this.messageType = messageType;
		this.offset = offset;
	}

	/**
	 * @return the type byte of the message that failed to parse
	 */
	public char messageType() {
		return this.messageType;
	}

	/**
	 * @return the offset from the start of the message at which parsing failed
	 */
	public int offset() {
		return this.offset;
	}

}
