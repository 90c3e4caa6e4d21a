package io.github.pglogrepl.types;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the types whose Java value is their text, a {@link String}: {@code text}, {@code varchar},
 * {@code bpchar}, {@code name}, {@code "char"}, {@code json}, {@code jsonb} and {@code xml}, and in the text
 * format every type without a parser of its own.
 * <p>
 * Both formats carry the characters as UTF-8 (the replication connection's client encoding), except two
 * binary forms: {@code jsonb_send} puts a version byte (1) before the JSON text, and {@code charsend} sends
 * the single byte of a {@code "char"} as it is.
 */
final class StringDecoding {

	private StringDecoding() {
	}

	/**
	 * Decodes UTF-8 strictly: a malformed sequence is an error, not a replacement character.
	 * @param typeOid the type OID, for the exception
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the string
	 * @throws ValueDecodingException if the bytes are not valid UTF-8
	 */
	static String utf8(int typeOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		for (int i = offset; i < end; i++) {
			if (buf[i] < 0) {
				return utf8Strict(typeOid, buf, offset, length);
			}
		}
		// pure ASCII: Latin-1 decoding is identical and lets the JDK copy the bytes without re-scanning
		return new String(buf, offset, length, StandardCharsets.ISO_8859_1);
	}

	private static String utf8Strict(int typeOid, byte[] buf, int offset, int length) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(buf, offset, length))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new ValueDecodingException(typeOid, "invalid UTF-8 byte sequence", ex);
		}
	}

	/** Decodes a binary {@code jsonb}: the version byte, which must be 1, then the JSON text. */
	static String binaryJsonb(int typeOid, byte[] buf, int offset, int length) {
		if (length < 1 || buf[offset] != 1) {
			throw new ValueDecodingException(typeOid,
					(length < 1) ? "missing jsonb version byte" : "unsupported jsonb version " + buf[offset]);
		}
		return utf8(typeOid, buf, offset + 1, length - 1);
	}

	/**
	 * Decodes a binary {@code "char"} and renders it like PostgreSQL's {@code charout} (since PostgreSQL 15),
	 * so that both formats give the same string: high-bit bytes as {@code \ooo}, NUL as "".
	 */
	static String binaryChar(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 1);
		byte b = buf[offset];
		if (b == 0) {
			return "";
		}
		if (b < 0) {
			int v = b & 0xFF;
			return new String(new char[] { '\\', (char) ('0' + (v >> 6)), (char) ('0' + ((v >> 3) & 7)),
					(char) ('0' + (v & 7)) });
		}
		return String.valueOf((char) b);
	}

}
