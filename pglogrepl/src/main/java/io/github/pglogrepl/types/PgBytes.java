package io.github.pglogrepl.types;

/**
 * Byte-level reading shared by the parsers: the big-endian integers of PostgreSQL's binary send format
 * ({@code pq_sendint16/32/64}) and the ASCII tests of its text output format. Read straight from the array
 * rather than through a {@code ByteBuffer}, so that a value costs no wrapper object.
 */
final class PgBytes {

	private PgBytes() {
	}

	/**
	 * Reads a signed 16-bit big-endian integer.
	 * @param buf the buffer
	 * @param i index of the first byte
	 * @return the value, sign-extended
	 */
	static int readShort(byte[] buf, int i) {
		return (short) (((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF));
	}

	/**
	 * Reads a signed 32-bit big-endian integer.
	 * @param buf the buffer
	 * @param i index of the first byte
	 * @return the value
	 */
	static int readInt(byte[] buf, int i) {
		return ((buf[i] & 0xFF) << 24) | ((buf[i + 1] & 0xFF) << 16) | ((buf[i + 2] & 0xFF) << 8)
				| (buf[i + 3] & 0xFF);
	}

	/**
	 * Reads a signed 64-bit big-endian integer.
	 * @param buf the buffer
	 * @param i index of the first byte
	 * @return the value
	 */
	static long readLong(byte[] buf, int i) {
		return ((long) readInt(buf, i) << 32) | (readInt(buf, i + 4) & 0xFFFF_FFFFL);
	}

	/**
	 * Rejects a binary value of a fixed-size type whose length is not that size.
	 * @param typeOid the type OID, for the exception
	 * @param length the value's length
	 * @param expected the type's size in bytes
	 * @throws ValueDecodingException if the lengths differ
	 */
	static void expectLength(int typeOid, int length, int expected) {
		if (length != expected) {
			throw new ValueDecodingException(typeOid, "binary value has " + length + " bytes, expected " + expected);
		}
	}

	/**
	 * Tells whether a slice holds exactly the given ASCII text (the special values: {@code NaN},
	 * {@code infinity}, ...).
	 * @param buf the buffer
	 * @param offset index of the slice's first byte
	 * @param length the slice's length
	 * @param ascii the text, ASCII only
	 * @return {@code true} if the slice and the text are the same characters
	 */
	static boolean equalsAscii(byte[] buf, int offset, int length, String ascii) {
		if (length != ascii.length()) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			if (buf[offset + i] != ascii.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The value of a hexadecimal digit, in either case.
	 * @param b an ASCII byte
	 * @return its value, 0 to 15, or {@code -1} if it is not a hexadecimal digit
	 */
	static int hexValue(byte b) {
		if (b >= '0' && b <= '9') {
			return b - '0';
		}
		if (b >= 'a' && b <= 'f') {
			return b - 'a' + 10;
		}
		if (b >= 'A' && b <= 'F') {
			return b - 'A' + 10;
		}
		return -1;
	}

}
