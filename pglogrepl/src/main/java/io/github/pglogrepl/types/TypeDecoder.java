package io.github.pglogrepl.types;

/**
 * Decodes the values of one PostgreSQL type from one of its two wire formats. {@link ValueDecoder} keeps a
 * table of these for the text format, indexed by type OID and built once; the decoders themselves live with
 * their kind of value ({@link PrimitiveDecoding}, {@link NumericDecoding}, {@link DateTimeDecoding}, ...).
 * <p>
 * A decoder is a method reference to a static parser: it is stateless and thread-safe, and calling it
 * allocates nothing but the value.
 */
@FunctionalInterface
interface TypeDecoder {

	/**
	 * Decodes one value. The caller has checked that the slice lies inside {@code buf}.
	 * @param typeOid the type OID the caller asked for, reported in any exception
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the bytes are not a valid value of the type
	 */
	Object decode(int typeOid, byte[] buf, int offset, int length);

}
