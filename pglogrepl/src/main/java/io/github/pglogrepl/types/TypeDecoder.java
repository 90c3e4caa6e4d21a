package io.github.pglogrepl.types;

/**
 * Decodes the values of one PostgreSQL type from one of its two wire formats. {@link ValueDecoder} keeps a
 * table of these per format, indexed by type OID and built once; the decoders themselves live with their
 * kind of value ({@link PrimitiveDecoding}, {@link NumericDecoding}, {@link DateTimeDecoding},
 * {@link ArrayDecoding}, ...).
 * <p>
 * A decoder is a method reference to a static parser, or an object holding only what the table built it
 * with (an array's element type): it is stateless and thread-safe, and a scalar decoder allocates nothing
 * but the value. Each parser sits behind its own call so that the JIT compiles it once and only where it is
 * used (a switch over all of them would compile every parser it had seen into the caller: hundreds of
 * milliseconds of compilation while the first changes stream in).
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
