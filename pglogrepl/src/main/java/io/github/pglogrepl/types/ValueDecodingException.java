package io.github.pglogrepl.types;

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

}
