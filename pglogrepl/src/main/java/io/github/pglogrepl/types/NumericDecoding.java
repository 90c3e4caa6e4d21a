package io.github.pglogrepl.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Decodes {@code numeric} to a {@link BigDecimal} of the value's own scale; the special values {@code NaN},
 * {@code Infinity} and {@code -Infinity} (the infinities since PostgreSQL 14) have no {@code BigDecimal} and
 * become {@link Double#NaN}, {@link Double#POSITIVE_INFINITY} and {@link Double#NEGATIVE_INFINITY}.
 * <p>
 * Text format ({@code numeric_out}): {@code [-]digits[.digits]}, never an exponent. Binary format
 * ({@code numeric_send}), all fields big-endian:
 * <pre>
 * int16 ndigits   number of base-10000 digits that follow
 * int16 weight    the first digit is worth digit * 10000^weight
 * uint16 sign     0x0000 positive, 0x4000 negative, 0xC000 NaN, 0xD000 +Infinity, 0xF000 -Infinity
 * uint16 dscale   digits shown after the decimal point (14 bits)
 * int16[ndigits]  the digits, each 0 to 9999
 * </pre>
 */
final class NumericDecoding {

	private static final int NUMERIC_POS = 0x0000;

	private static final int NUMERIC_NEG = 0x4000;

	private static final int NUMERIC_NAN = 0xC000;

	private static final int NUMERIC_PINF = 0xD000;

	private static final int NUMERIC_NINF = 0xF000;

	private static final int NUMERIC_DSCALE_MASK = 0x3FFF;

	private NumericDecoding() {
	}

	/**
	 * Decodes the text form. Up to 18 digits, the common case, are accumulated in a {@code long} without an
	 * intermediate string; longer values go through {@link BigDecimal}'s own parser.
	 */
	static Object text(int typeOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		int i = offset;
		boolean negative = false;
		if (i < end && buf[i] == '-') {
			negative = true;
			i++;
		}
		long unscaled = 0;
		int digits = 0;
		int scale = 0;
		boolean point = false;
		for (; i < end; i++) {
			byte b = buf[i];
			if (b >= '0' && b <= '9') {
				if (digits < 18) {
					unscaled = unscaled * 10 + (b - '0');
				}
				digits++;
				if (point) {
					scale++;
				}
			}
			else if (b == '.' && !point) {
				point = true;
			}
			else {
				if (PgBytes.equalsAscii(buf, offset, length, "NaN")) {
					return Double.NaN;
				}
				if (PgBytes.equalsAscii(buf, offset, length, "Infinity")) {
					return Double.POSITIVE_INFINITY;
				}
				if (PgBytes.equalsAscii(buf, offset, length, "-Infinity")) {
					return Double.NEGATIVE_INFINITY;
				}
				throw ValueDecodingException.invalid(typeOid, "invalid numeric", buf, offset, length);
			}
		}
		if (digits == 0 || (point && scale == 0)) {
			throw ValueDecodingException.invalid(typeOid, "invalid numeric", buf, offset, length);
		}
		if (digits <= 18) {
			return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
		}
		char[] chars = new char[length];
		for (int k = 0; k < length; k++) {
			chars[k] = (char) buf[offset + k];
		}
		try {
			return new BigDecimal(chars);
		}
		catch (NumberFormatException ex) {
			throw new ValueDecodingException(typeOid, "invalid numeric", ex);
		}
	}

	/**
	 * Decodes the binary form. Digits wholly beyond the display scale are dropped and the rest truncated to
	 * it, as {@code numeric_recv} does, so that text and binary mode give the same {@code BigDecimal}.
	 */
	static Object binary(int typeOid, byte[] buf, int offset, int length) {
		if (length < 8) {
			throw new ValueDecodingException(typeOid, "binary numeric has " + length + " bytes, expected at least 8");
		}
		int ndigits = PgBytes.readShort(buf, offset);
		int weight = PgBytes.readShort(buf, offset + 2);
		int sign = PgBytes.readShort(buf, offset + 4) & 0xFFFF;
		int dscale = PgBytes.readShort(buf, offset + 6) & 0xFFFF;
		if (ndigits < 0 || length != 8 + 2 * ndigits) {
			throw new ValueDecodingException(typeOid,
					"binary numeric has " + length + " bytes but declares " + ndigits + " digits");
		}
		if ((dscale & NUMERIC_DSCALE_MASK) != dscale) {
			throw new ValueDecodingException(typeOid, "invalid numeric display scale " + dscale);
		}
		switch (sign) {
			case NUMERIC_POS:
			case NUMERIC_NEG:
				break;
			case NUMERIC_NAN:
				return Double.NaN;
			case NUMERIC_PINF:
				return Double.POSITIVE_INFINITY;
			case NUMERIC_NINF:
				return Double.NEGATIVE_INFINITY;
			default:
				throw new ValueDecodingException(typeOid, "invalid numeric sign 0x" + Integer.toHexString(sign));
		}
		// digit i is worth digit * 10000^(weight - i); those lying wholly beyond the display scale are cut now
		// (checking all digits, so that malformed ones are still reported), the rest by setScale below
		int used = ndigits;
		for (int i = 0; i < ndigits; i++) {
			digit(typeOid, buf, offset + 8 + 2 * i);
		}
		while (used > 0 && 4 * (weight - (used - 1)) + 3 < -dscale) {
			used--;
		}
		if (used == 0) {
			return BigDecimal.valueOf(0, dscale);
		}
		BigInteger unscaled;
		if (used <= 4) {
			long v = 0;
			for (int i = 0; i < used; i++) {
				v = v * 10_000 + digit(typeOid, buf, offset + 8 + 2 * i);
			}
			unscaled = BigInteger.valueOf(v);
		}
		else {
			char[] chars = new char[4 * used];
			for (int i = 0; i < used; i++) {
				int d = digit(typeOid, buf, offset + 8 + 2 * i);
				chars[4 * i] = (char) ('0' + d / 1000);
				chars[4 * i + 1] = (char) ('0' + (d / 100) % 10);
				chars[4 * i + 2] = (char) ('0' + (d / 10) % 10);
				chars[4 * i + 3] = (char) ('0' + d % 10);
			}
			unscaled = new BigInteger(new String(chars));
		}
		if (sign == NUMERIC_NEG) {
			unscaled = unscaled.negate();
		}
		// value = digits (as a base-10000 integer) * 10000^(weight - used + 1)
		int scale = -4 * (weight - used + 1);
		return new BigDecimal(unscaled, scale).setScale(dscale, RoundingMode.DOWN);
	}

	private static int digit(int typeOid, byte[] buf, int at) {
		int d = PgBytes.readShort(buf, at);
		if (d < 0 || d > 9999) {
			throw new ValueDecodingException(typeOid, "invalid numeric digit " + d);
		}
		return d;
	}

}
