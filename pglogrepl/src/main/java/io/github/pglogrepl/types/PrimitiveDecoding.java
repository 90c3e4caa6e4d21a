package io.github.pglogrepl.types;

import java.nio.charset.StandardCharsets;

/**
 * Decodes the types that map to Java's boxed primitives: {@code bool} to {@link Boolean}, {@code int2} to
 * {@link Short}, {@code int4} to {@link Integer}, {@code int8} and {@code oid} (unsigned 32-bit) to
 * {@link Long}, {@code float4} to {@link Float} and {@code float8} to {@link Double}.
 * <p>
 * Text format: what {@code boolout} ({@code t}/{@code f}), {@code int2out}/{@code int4out}/{@code int8out},
 * {@code oidout} and {@code float4out}/{@code float8out} print. Binary format: one byte for {@code bool} (any
 * byte but zero is true, as in {@code boolrecv}), otherwise the value's two, four or eight big-endian bytes,
 * IEEE 754 bits for the floats.
 */
final class PrimitiveDecoding {

	private PrimitiveDecoding() {
	}

	// ------------------------------------------------------------------------------------------------
	// Text format
	// ------------------------------------------------------------------------------------------------

	static Boolean textBool(int typeOid, byte[] buf, int offset, int length) {
		if (length == 1) {
			if (buf[offset] == 't') {
				return Boolean.TRUE;
			}
			if (buf[offset] == 'f') {
				return Boolean.FALSE;
			}
		}
		throw ValueDecodingException.invalid(typeOid, "invalid boolean", buf, offset, length);
	}

	static Short textInt2(int typeOid, byte[] buf, int offset, int length) {
		return (short) textInteger(typeOid, buf, offset, length, Short.MIN_VALUE, Short.MAX_VALUE);
	}

	static Integer textInt4(int typeOid, byte[] buf, int offset, int length) {
		return (int) textInteger(typeOid, buf, offset, length, Integer.MIN_VALUE, Integer.MAX_VALUE);
	}

	static Long textInt8(int typeOid, byte[] buf, int offset, int length) {
		return textInteger(typeOid, buf, offset, length, Long.MIN_VALUE, Long.MAX_VALUE);
	}

	static Long textOid(int typeOid, byte[] buf, int offset, int length) {
		return textInteger(typeOid, buf, offset, length, 0L, 0xFFFF_FFFFL);
	}

	/**
	 * Parses an optionally negative decimal integer in {@code [min, max]} straight from the bytes. The value
	 * is accumulated negatively so that {@code Long.MIN_VALUE} is representable.
	 */
	private static long textInteger(int typeOid, byte[] buf, int offset, int length, long min, long max) {
		int i = offset;
		int end = offset + length;
		boolean negative = false;
		if (i < end && buf[i] == '-') {
			negative = true;
			i++;
		}
		if (i == end) {
			throw ValueDecodingException.invalid(typeOid, "invalid integer", buf, offset, length);
		}
		long limit = negative ? min : -max;
		long multMin = limit / 10;
		long result = 0;
		for (; i < end; i++) {
			int digit = buf[i] - '0';
			if (digit < 0 || digit > 9) {
				throw ValueDecodingException.invalid(typeOid, "invalid integer", buf, offset, length);
			}
			if (result < multMin) {
				throw ValueDecodingException.invalid(typeOid, "integer out of range", buf, offset, length);
			}
			result *= 10;
			if (result < limit + digit) {
				throw ValueDecodingException.invalid(typeOid, "integer out of range", buf, offset, length);
			}
			result -= digit;
		}
		return negative ? result : -result;
	}

	static Float textFloat4(int typeOid, byte[] buf, int offset, int length) {
		String s = floatText(typeOid, buf, offset, length);
		try {
			return Float.parseFloat(s);
		}
		catch (NumberFormatException ex) {
			throw notAFloat(typeOid, s, ex);
		}
	}

	static Double textFloat8(int typeOid, byte[] buf, int offset, int length) {
		String s = floatText(typeOid, buf, offset, length);
		try {
			return Double.parseDouble(s);
		}
		catch (NumberFormatException ex) {
			throw notAFloat(typeOid, s, ex);
		}
	}

	/**
	 * Checks that a float text holds only characters of a plain decimal/exponent notation or is one of the
	 * special values, and returns it as a String (Java's parsers alone would also accept hex floats,
	 * type suffixes and surrounding whitespace).
	 */
	private static String floatText(int typeOid, byte[] buf, int offset, int length) {
		if (length == 0) {
			throw ValueDecodingException.invalid(typeOid, "invalid floating-point number", buf, offset, length);
		}
		for (int i = offset, end = offset + length; i < end; i++) {
			byte b = buf[i];
			if (!((b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-')) {
				if (PgBytes.equalsAscii(buf, offset, length, "NaN")) {
					return "NaN";
				}
				if (PgBytes.equalsAscii(buf, offset, length, "Infinity")) {
					return "Infinity";
				}
				if (PgBytes.equalsAscii(buf, offset, length, "-Infinity")) {
					return "-Infinity";
				}
				throw ValueDecodingException.invalid(typeOid, "invalid floating-point number", buf, offset, length);
			}
		}
		return new String(buf, offset, length, StandardCharsets.ISO_8859_1);
	}

	private static ValueDecodingException notAFloat(int typeOid, String text, NumberFormatException ex) {
		return new ValueDecodingException(typeOid, "invalid floating-point number: \"" + text + "\"", ex);
	}

	// ------------------------------------------------------------------------------------------------
	// Binary format
	// ------------------------------------------------------------------------------------------------

	static Boolean binaryBool(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 1);
		return buf[offset] != 0;
	}

	static Short binaryInt2(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 2);
		return (short) PgBytes.readShort(buf, offset);
	}

	static Integer binaryInt4(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 4);
		return PgBytes.readInt(buf, offset);
	}

	static Long binaryInt8(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 8);
		return PgBytes.readLong(buf, offset);
	}

	static Long binaryOid(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 4);
		return PgBytes.readInt(buf, offset) & 0xFFFF_FFFFL;
	}

	static Float binaryFloat4(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 4);
		return Float.intBitsToFloat(PgBytes.readInt(buf, offset));
	}

	static Double binaryFloat8(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 8);
		return Double.longBitsToDouble(PgBytes.readLong(buf, offset));
	}

}
