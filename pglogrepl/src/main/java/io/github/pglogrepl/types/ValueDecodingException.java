package io.github.pglogrepl.types;

import java.nio.charset.StandardCharsets;

import io.github.pglogrepl.PgLogReplException;

/**
 * Thrown when a column value cannot be converted to its Java type: the bytes do not form a valid value of
 * the column's PostgreSQL type. Carries the type OID so the failing column can be identified.
 */
public class ValueDecodingException extends PgLogReplException {

	private static final long serialVersionUID = 1L;

	private final int typeOid;

	/**
	 * Creates an exception.
	 * @param typeOid the PostgreSQL type OID being decoded
	 * @param message what is wrong with the value
	 */
	public ValueDecodingException(int typeOid, String message) {
		super("Cannot decode value of type OID " + typeOid + ": " + message);
		this.typeOid = typeOid;
	}

	/**
	 * Creates an exception with a cause.
	 * @param typeOid the PostgreSQL type OID being decoded
	 * @param message what is wrong with the value
	 * @param cause the underlying parse failure
	 */
	public ValueDecodingException(int typeOid, String message, Throwable cause) {
		super("Cannot decode value of type OID " + typeOid + ": " + message, cause);
		this.typeOid = typeOid;
	}

	/**
	 * @return the PostgreSQL type OID of the value that failed to decode
	 */
	public int typeOid() {
		return this.typeOid;
	}

	/**
	 * An exception for a value whose text is malformed, quoting the value.
	 * @param typeOid the PostgreSQL type OID being decoded
	 * @param what what is wrong with the value
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the exception, for the caller to throw
	 */
	static ValueDecodingException invalid(int typeOid, String what, byte[] buf, int offset, int length) {
		return new ValueDecodingException(typeOid, what + ": \"" + excerpt(buf, offset, length) + "\"");
	}

	/**
	 * The start of a value, printable in a message: at most 64 bytes (decoded as UTF-8, so a malformed one
	 * still prints), then {@code ...} if it was cut.
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the excerpt
	 */
	static String excerpt(byte[] buf, int offset, int length) {
		int n = Math.min(length, 64);
		String s = new String(buf, offset, n, StandardCharsets.UTF_8);
		return (n < length) ? s + "..." : s;
	}

}
