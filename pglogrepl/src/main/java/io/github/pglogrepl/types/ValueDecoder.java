package io.github.pglogrepl.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Converts column values sent by the {@code pgoutput} plugin into Java objects, from either of PostgreSQL's
 * two wire formats: the text output format ({@link #decodeText}) and the binary send format
 * ({@link #decodeBinary}, used when the subscription is started with {@code binary 'true'}).
 * <p>
 * Mapping of the types listed in {@link PgTypeOids}:
 * <table>
 * <caption>Java types produced</caption>
 * <tr><th>PostgreSQL type</th><th>Java type</th></tr>
 * <tr><td>bool</td><td>{@link Boolean}</td></tr>
 * <tr><td>int2</td><td>{@link Short}</td></tr>
 * <tr><td>int4</td><td>{@link Integer}</td></tr>
 * <tr><td>int8, oid (unsigned 32-bit)</td><td>{@link Long}</td></tr>
 * <tr><td>float4</td><td>{@link Float}</td></tr>
 * <tr><td>float8</td><td>{@link Double}</td></tr>
 * <tr><td>numeric</td><td>{@link BigDecimal}; the special values {@code NaN}, {@code Infinity} and
 * {@code -Infinity} become {@link Double#NaN}, {@link Double#POSITIVE_INFINITY} and
 * {@link Double#NEGATIVE_INFINITY}</td></tr>
 * <tr><td>text, varchar, bpchar, name, "char", json, jsonb, xml</td><td>{@link String}</td></tr>
 * <tr><td>bytea</td><td>{@code byte[]}</td></tr>
 * <tr><td>uuid</td><td>{@link UUID}</td></tr>
 * <tr><td>date</td><td>{@link LocalDate}; {@code infinity}/{@code -infinity} become {@link LocalDate#MAX}/
 * {@link LocalDate#MIN}</td></tr>
 * <tr><td>time</td><td>{@link LocalTime}; {@code 24:00:00} becomes {@link LocalTime#MAX}</td></tr>
 * <tr><td>timetz</td><td>{@link OffsetTime}</td></tr>
 * <tr><td>timestamp</td><td>{@link LocalDateTime}; infinities become {@link LocalDateTime#MAX}/
 * {@link LocalDateTime#MIN}</td></tr>
 * <tr><td>timestamptz</td><td>{@link OffsetDateTime}; infinities become {@link OffsetDateTime#MAX}/
 * {@link OffsetDateTime#MIN}</td></tr>
 * <tr><td>interval</td><td>{@link String} in PostgreSQL's default ({@code IntervalStyle = postgres})
 * output form, e.g. {@code 1 year 2 mons 3 days 04:05:06.789}</td></tr>
 * <tr><td>the array types</td><td>{@link List}{@code <Object>} (a new, mutable {@link ArrayList}) of the
 * element values; SQL NULL elements are {@code null}; a multidimensional array is a list of lists; an
 * empty array is an empty list</td></tr>
 * </table>
 * Dates and timestamps before the Christian era are mapped to the ISO proleptic calendar, which has a
 * year zero: {@code 0044-03-15 BC} becomes year {@code -43}.
 * <p>
 * Any value that does not conform to the format of its type (wrong length, bad syntax, out-of-range
 * fields, invalid UTF-8, a slice outside the buffer) is rejected with a {@link ValueDecodingException} carrying
 * the type OID passed by the caller (for an array, the array type's OID, with the element's failure as
 * the cause). No other exception escapes, except {@link NullPointerException} for a {@code null} buffer.
 * <p>
 * The class is stateless and thread-safe.
 */
public final class ValueDecoder {

	private static final int MAX_ARRAY_DIMS = 6;

	/** Days from 1970-01-01 to 2000-01-01, the PostgreSQL epoch. */
	private static final long PG_EPOCH_DAY = 10_957L;

	/** Seconds from 1970-01-01T00:00Z to 2000-01-01T00:00Z. */
	private static final long PG_EPOCH_SECOND = PG_EPOCH_DAY * 86_400L;

	private static final long MICROS_PER_SECOND = 1_000_000L;

	private static final long MICROS_PER_MINUTE = 60L * MICROS_PER_SECOND;

	private static final long MICROS_PER_HOUR = 60L * MICROS_PER_MINUTE;

	private static final long MICROS_PER_DAY = 24L * MICROS_PER_HOUR;

	private static final int NUMERIC_POS = 0x0000;

	private static final int NUMERIC_NEG = 0x4000;

	private static final int NUMERIC_NAN = 0xC000;

	private static final int NUMERIC_PINF = 0xD000;

	private static final int NUMERIC_NINF = 0xF000;

	private static final int NUMERIC_DSCALE_MASK = 0x3FFF;

	private static final int[] POW10 = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
			100_000_000, 1_000_000_000 };

	private ValueDecoder() {
	}

	// ------------------------------------------------------------------------------------------------
	// Public API
	// ------------------------------------------------------------------------------------------------

	/**
	 * Decodes a value in PostgreSQL's text output format, as sent by {@code pgoutput} in text mode. The
	 * bytes are UTF-8 and date/time values are expected in the ISO {@code DateStyle}.
	 * <p>
	 * Types not listed in {@link PgTypeOids} are returned as a {@link String} holding the text unchanged;
	 * {@code interval} is returned as its text unchanged. See the class description for the other types.
	 * @param typeOid the PostgreSQL type OID of the column
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the slice lies outside {@code buf} or does not hold a valid value of
	 * the type
	 * @throws NullPointerException if {@code buf} is {@code null}
	 */
	public static Object decodeText(int typeOid, byte[] buf, int offset, int length) {
		checkBounds(typeOid, buf, offset, length);
		int elementOid = PgTypeOids.elementTypeOf(typeOid);
		if (elementOid != 0) {
			return new TextArrayParser(typeOid, elementOid, buf, offset, length).parse();
		}
		return decodeTextScalar(typeOid, buf, offset, length);
	}

	/**
	 * Decodes a value in PostgreSQL's binary send format, as sent by {@code pgoutput} when the
	 * subscription uses {@code binary 'true'}.
	 * <p>
	 * Types not listed in {@link PgTypeOids} are returned as a copy of the bytes ({@code byte[]}). A binary
	 * {@code interval} is rendered as a {@link String} exactly as PostgreSQL prints it with the default
	 * {@code IntervalStyle = postgres} (for example {@code 1 year 2 mons -3 days +04:05:06.5},
	 * {@code 00:00:00}, and {@code infinity}/{@code -infinity} for the infinite intervals of PostgreSQL 17),
	 * so that text and binary mode give the same string for servers with the default setting. A
	 * {@code bool} byte other than zero is {@code true}, as in PostgreSQL. A binary {@code numeric} whose
	 * digits exceed its display scale is truncated to that scale, as PostgreSQL's own receive function does.
	 * See the class description for the other types.
	 * @param typeOid the PostgreSQL type OID of the column
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the slice lies outside {@code buf} or does not hold a valid value of
	 * the type, including a length that does not fit the type
	 * @throws NullPointerException if {@code buf} is {@code null}
	 */
	public static Object decodeBinary(int typeOid, byte[] buf, int offset, int length) {
		checkBounds(typeOid, buf, offset, length);
		int elementOid = PgTypeOids.elementTypeOf(typeOid);
		if (elementOid != 0) {
			return decodeBinaryArray(typeOid, elementOid, buf, offset, length);
		}
		return decodeBinaryScalar(typeOid, buf, offset, length);
	}

	// ------------------------------------------------------------------------------------------------
	// Common helpers
	// ------------------------------------------------------------------------------------------------

	private static void checkBounds(int typeOid, byte[] buf, int offset, int length) {
		Objects.requireNonNull(buf, "buf");
		if (offset < 0 || length < 0 || offset > buf.length - length) {
			throw new ValueDecodingException(typeOid, "slice [offset " + offset + ", length " + length
					+ "] is outside the buffer of " + buf.length + " bytes");
		}
	}

	private static ValueDecodingException invalid(int typeOid, String what, byte[] buf, int offset, int length) {
		return new ValueDecodingException(typeOid, what + ": \"" + excerpt(buf, offset, length) + "\"");
	}

	/** A printable excerpt of a value for error messages (cold path only). */
	private static String excerpt(byte[] buf, int offset, int length) {
		int n = Math.min(length, 64);
		String s = new String(buf, offset, n, StandardCharsets.UTF_8);
		return (n < length) ? s + "..." : s;
	}

	private static String utf8(int typeOid, byte[] buf, int offset, int length) {
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

	private static boolean equalsAscii(byte[] buf, int offset, int length, String ascii) {
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

	private static int hexValue(byte b) {
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

	// ------------------------------------------------------------------------------------------------
	// Text format: scalars
	// ------------------------------------------------------------------------------------------------

	/** Decodes one scalar type's values; one small class per type, so each compiles on its own. */
	@FunctionalInterface
	private interface ScalarDecoder {

		Object decode(int typeOid, byte[] buf, int offset, int length);

	}

	/** Largest built-in type OID with a text decoder of its own, plus one. */
	private static final int TEXT_DECODER_OIDS = PgTypeOids.UUID + 1;

	/**
	 * Text decoders by type OID ({@code null}: the value is returned as a string). A table rather than one
	 * switch: a switch over every parser makes the JIT compile all the parsers it has seen into each caller
	 * (hundreds of milliseconds of compilation while the first changes stream in); behind an interface call
	 * each parser is compiled once, and only where it is used.
	 */
	private static final ScalarDecoder[] TEXT_DECODERS = textDecoders();

	private static ScalarDecoder[] textDecoders() {
		ScalarDecoder[] decoders = new ScalarDecoder[TEXT_DECODER_OIDS];
		decoders[PgTypeOids.BOOL] = ValueDecoder::textBool;
		decoders[PgTypeOids.INT2] = (t, b, o, l) -> (short) textInteger(t, b, o, l, Short.MIN_VALUE, Short.MAX_VALUE);
		decoders[PgTypeOids.INT4] = (t, b, o, l) -> (int) textInteger(t, b, o, l, Integer.MIN_VALUE,
				Integer.MAX_VALUE);
		decoders[PgTypeOids.INT8] = (t, b, o, l) -> textInteger(t, b, o, l, Long.MIN_VALUE, Long.MAX_VALUE);
		decoders[PgTypeOids.OID] = (t, b, o, l) -> textInteger(t, b, o, l, 0L, 0xFFFF_FFFFL);
		decoders[PgTypeOids.FLOAT4] = ValueDecoder::textFloat4;
		decoders[PgTypeOids.FLOAT8] = ValueDecoder::textFloat8;
		decoders[PgTypeOids.NUMERIC] = ValueDecoder::textNumeric;
		decoders[PgTypeOids.BYTEA] = ValueDecoder::textBytea;
		decoders[PgTypeOids.UUID] = ValueDecoder::textUuid;
		decoders[PgTypeOids.DATE] = ValueDecoder::textDate;
		decoders[PgTypeOids.TIME] = ValueDecoder::textTime;
		decoders[PgTypeOids.TIMETZ] = ValueDecoder::textTimeTz;
		decoders[PgTypeOids.TIMESTAMP] = ValueDecoder::textTimestamp;
		decoders[PgTypeOids.TIMESTAMPTZ] = ValueDecoder::textTimestampTz;
		return decoders;
	}

	private static Object decodeTextScalar(int typeOid, byte[] buf, int offset, int length) {
		ScalarDecoder decoder = (typeOid >= 0 && typeOid < TEXT_DECODER_OIDS) ? TEXT_DECODERS[typeOid] : null;
		if (decoder == null) {
			// text, varchar, bpchar, name, "char", json, jsonb, xml, interval and unknown types
			return utf8(typeOid, buf, offset, length);
		}
		return decoder.decode(typeOid, buf, offset, length);
	}

	private static Boolean textBool(int typeOid, byte[] buf, int offset, int length) {
		if (length == 1) {
			if (buf[offset] == 't') {
				return Boolean.TRUE;
			}
			if (buf[offset] == 'f') {
				return Boolean.FALSE;
			}
		}
		throw invalid(typeOid, "invalid boolean", buf, offset, length);
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
			throw invalid(typeOid, "invalid integer", buf, offset, length);
		}
		long limit = negative ? min : -max;
		long multMin = limit / 10;
		long result = 0;
		for (; i < end; i++) {
			int digit = buf[i] - '0';
			if (digit < 0 || digit > 9) {
				throw invalid(typeOid, "invalid integer", buf, offset, length);
			}
			if (result < multMin) {
				throw invalid(typeOid, "integer out of range", buf, offset, length);
			}
			result *= 10;
			if (result < limit + digit) {
				throw invalid(typeOid, "integer out of range", buf, offset, length);
			}
			result -= digit;
		}
		return negative ? result : -result;
	}

	/**
	 * Checks that a float text holds only characters of a plain decimal/exponent notation or is one of the
	 * special values, and returns it as a String (Java's parsers alone would also accept hex floats,
	 * type suffixes and surrounding whitespace).
	 */
	private static String floatText(int typeOid, byte[] buf, int offset, int length) {
		if (length == 0) {
			throw invalid(typeOid, "invalid floating-point number", buf, offset, length);
		}
		for (int i = offset, end = offset + length; i < end; i++) {
			byte b = buf[i];
			if (!((b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-')) {
				if (equalsAscii(buf, offset, length, "NaN")) {
					return "NaN";
				}
				if (equalsAscii(buf, offset, length, "Infinity")) {
					return "Infinity";
				}
				if (equalsAscii(buf, offset, length, "-Infinity")) {
					return "-Infinity";
				}
				throw invalid(typeOid, "invalid floating-point number", buf, offset, length);
			}
		}
		return new String(buf, offset, length, StandardCharsets.ISO_8859_1);
	}

	private static Float textFloat4(int typeOid, byte[] buf, int offset, int length) {
		String s = floatText(typeOid, buf, offset, length);
		try {
			return Float.parseFloat(s);
		}
		catch (NumberFormatException ex) {
			throw new ValueDecodingException(typeOid, "invalid floating-point number: \"" + s + "\"", ex);
		}
	}

	private static Double textFloat8(int typeOid, byte[] buf, int offset, int length) {
		String s = floatText(typeOid, buf, offset, length);
		try {
			return Double.parseDouble(s);
		}
		catch (NumberFormatException ex) {
			throw new ValueDecodingException(typeOid, "invalid floating-point number: \"" + s + "\"", ex);
		}
	}

	private static Object textNumeric(int typeOid, byte[] buf, int offset, int length) {
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
				if (equalsAscii(buf, offset, length, "NaN")) {
					return Double.NaN;
				}
				if (equalsAscii(buf, offset, length, "Infinity")) {
					return Double.POSITIVE_INFINITY;
				}
				if (equalsAscii(buf, offset, length, "-Infinity")) {
					return Double.NEGATIVE_INFINITY;
				}
				throw invalid(typeOid, "invalid numeric", buf, offset, length);
			}
		}
		if (digits == 0 || (point && scale == 0)) {
			throw invalid(typeOid, "invalid numeric", buf, offset, length);
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

	private static byte[] textBytea(int typeOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		if (length >= 2 && buf[offset] == '\\' && buf[offset + 1] == 'x') {
			int hexLength = length - 2;
			if ((hexLength & 1) != 0) {
				throw invalid(typeOid, "odd number of hex digits in bytea", buf, offset, length);
			}
			byte[] out = new byte[hexLength >> 1];
			for (int i = offset + 2, j = 0; i < end; i += 2, j++) {
				int hi = hexValue(buf[i]);
				int lo = hexValue(buf[i + 1]);
				if (hi < 0 || lo < 0) {
					throw invalid(typeOid, "invalid hex digit in bytea", buf, offset, length);
				}
				out[j] = (byte) ((hi << 4) | lo);
			}
			return out;
		}
		// legacy "escape" format: \\ is a backslash, \ooo an octal byte, everything else literal
		byte[] out = new byte[length];
		int j = 0;
		int i = offset;
		while (i < end) {
			byte b = buf[i];
			if (b != '\\') {
				out[j++] = b;
				i++;
			}
			else if (i + 1 < end && buf[i + 1] == '\\') {
				out[j++] = '\\';
				i += 2;
			}
			else if (i + 3 < end && isOctalEscape(buf, i + 1)) {
				out[j++] = (byte) (((buf[i + 1] - '0') << 6) | ((buf[i + 2] - '0') << 3) | (buf[i + 3] - '0'));
				i += 4;
			}
			else {
				throw invalid(typeOid, "invalid escape sequence in bytea", buf, offset, length);
			}
		}
		return (j == length) ? out : Arrays.copyOf(out, j);
	}

	private static boolean isOctalEscape(byte[] buf, int i) {
		return buf[i] >= '0' && buf[i] <= '3' && buf[i + 1] >= '0' && buf[i + 1] <= '7' && buf[i + 2] >= '0'
				&& buf[i + 2] <= '7';
	}

	private static UUID textUuid(int typeOid, byte[] buf, int offset, int length) {
		if (length != 36) {
			throw invalid(typeOid, "invalid uuid", buf, offset, length);
		}
		long msb = 0;
		long lsb = 0;
		int nibbles = 0;
		for (int k = 0; k < 36; k++) {
			byte b = buf[offset + k];
			if (k == 8 || k == 13 || k == 18 || k == 23) {
				if (b != '-') {
					throw invalid(typeOid, "invalid uuid", buf, offset, length);
				}
				continue;
			}
			int v = hexValue(b);
			if (v < 0) {
				throw invalid(typeOid, "invalid uuid", buf, offset, length);
			}
			if (nibbles < 16) {
				msb = (msb << 4) | v;
			}
			else {
				lsb = (lsb << 4) | v;
			}
			nibbles++;
		}
		return new UUID(msb, lsb);
	}

	private static LocalDate textDate(int typeOid, byte[] buf, int offset, int length) {
		if (equalsAscii(buf, offset, length, "infinity")) {
			return LocalDate.MAX;
		}
		if (equalsAscii(buf, offset, length, "-infinity")) {
			return LocalDate.MIN;
		}
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseDate();
		c.parseEra();
		c.expectEnd();
		return c.toDate();
	}

	private static LocalTime textTime(int typeOid, byte[] buf, int offset, int length) {
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseTime();
		c.expectEnd();
		return c.toTime(true);
	}

	private static OffsetTime textTimeTz(int typeOid, byte[] buf, int offset, int length) {
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseTime();
		c.parseOffset();
		c.expectEnd();
		return OffsetTime.of(c.toTime(true), c.toOffset());
	}

	private static LocalDateTime textTimestamp(int typeOid, byte[] buf, int offset, int length) {
		if (equalsAscii(buf, offset, length, "infinity")) {
			return LocalDateTime.MAX;
		}
		if (equalsAscii(buf, offset, length, "-infinity")) {
			return LocalDateTime.MIN;
		}
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseDate();
		c.expect(' ');
		c.parseTime();
		c.parseEra();
		c.expectEnd();
		return LocalDateTime.of(c.toDate(), c.toTime(false));
	}

	private static OffsetDateTime textTimestampTz(int typeOid, byte[] buf, int offset, int length) {
		if (equalsAscii(buf, offset, length, "infinity")) {
			return OffsetDateTime.MAX;
		}
		if (equalsAscii(buf, offset, length, "-infinity")) {
			return OffsetDateTime.MIN;
		}
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseDate();
		c.expect(' ');
		c.parseTime();
		c.parseOffset();
		c.parseEra();
		c.expectEnd();
		return OffsetDateTime.of(c.toDate(), c.toTime(false), c.toOffset());
	}

	/**
	 * Parses the fields of an ISO-style date/time text ({@code YYYY-MM-DD}, {@code HH:MM:SS[.ffffff]},
	 * {@code ±HH[:MM[:SS]]}, trailing {@code  BC}) and builds java.time values from them.
	 */
	private static final class DateTimeCursor {

		/** The offset parsed last (racy on purpose: ZoneOffset is immutable, any thread's is correct). */
		private static ZoneOffset lastOffset;

		private final int typeOid;

		private final byte[] buf;

		private final int start;

		private final int end;

		private int pos;

		private int year;

		private int month;

		private int day;

		private boolean bc;

		private int hour;

		private int minute;

		private int second;

		private int nano;

		private int offsetSeconds;

		DateTimeCursor(int typeOid, byte[] buf, int offset, int length) {
			this.typeOid = typeOid;
			this.buf = buf;
			this.start = offset;
			this.end = offset + length;
			this.pos = offset;
		}

		ValueDecodingException error(String what) {
			return invalid(this.typeOid, what, this.buf, this.start, this.end - this.start);
		}

		int number(int minDigits, int maxDigits) {
			int value = 0;
			int n = 0;
			while (this.pos < this.end && n < maxDigits) {
				int d = this.buf[this.pos] - '0';
				if (d < 0 || d > 9) {
					break;
				}
				value = value * 10 + d;
				n++;
				this.pos++;
			}
			if (n < minDigits || (this.pos < this.end && n == maxDigits && isDigit(this.buf[this.pos]))) {
				throw error("invalid date/time syntax");
			}
			return value;
		}

		boolean isDigit(byte b) {
			return b >= '0' && b <= '9';
		}

		boolean accept(char ch) {
			if (this.pos < this.end && this.buf[this.pos] == ch) {
				this.pos++;
				return true;
			}
			return false;
		}

		void expect(char ch) {
			if (!accept(ch)) {
				throw error("invalid date/time syntax");
			}
		}

		void expectEnd() {
			if (this.pos != this.end) {
				throw error("invalid date/time syntax");
			}
		}

		void parseDate() {
			this.year = number(1, 9);
			expect('-');
			this.month = number(2, 2);
			expect('-');
			this.day = number(2, 2);
		}

		void parseEra() {
			if (this.end - this.pos == 3 && this.buf[this.pos] == ' ' && this.buf[this.pos + 1] == 'B'
					&& this.buf[this.pos + 2] == 'C') {
				this.bc = true;
				this.pos += 3;
			}
		}

		void parseTime() {
			this.hour = number(2, 2);
			expect(':');
			this.minute = number(2, 2);
			expect(':');
			this.second = number(2, 2);
			if (accept('.')) {
				int from = this.pos;
				int fraction = number(1, 9);
				this.nano = fraction * POW10[9 - (this.pos - from)];
			}
		}

		void parseOffset() {
			int sign;
			if (accept('+')) {
				sign = 1;
			}
			else if (accept('-')) {
				sign = -1;
			}
			else {
				throw error("missing time zone offset");
			}
			int h = number(2, 2);
			int m = 0;
			int s = 0;
			if (accept(':')) {
				m = number(2, 2);
				if (accept(':')) {
					s = number(2, 2);
				}
			}
			if (m > 59 || s > 59) {
				throw error("invalid time zone offset");
			}
			this.offsetSeconds = sign * (h * 3600 + m * 60 + s);
		}

		LocalDate toDate() {
			if (this.year == 0) {
				throw error("year zero does not exist");
			}
			try {
				return LocalDate.of(this.bc ? 1 - this.year : this.year, this.month, this.day);
			}
			catch (DateTimeException ex) {
				throw new ValueDecodingException(this.typeOid, "invalid date: \""
						+ excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
			}
		}

		LocalTime toTime(boolean allow24) {
			if (allow24 && this.hour == 24 && this.minute == 0 && this.second == 0 && this.nano == 0) {
				return LocalTime.MAX;
			}
			try {
				return LocalTime.of(this.hour, this.minute, this.second, this.nano);
			}
			catch (DateTimeException ex) {
				throw new ValueDecodingException(this.typeOid, "invalid time: \""
						+ excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
			}
		}

		ZoneOffset toOffset() {
			if (this.offsetSeconds == 0) {
				return ZoneOffset.UTC;
			}
			ZoneOffset last = lastOffset;
			if (last != null && last.getTotalSeconds() == this.offsetSeconds) {
				// a server sends one offset (its TimeZone) almost always: skip the JDK's cache lookup
				return last;
			}
			try {
				last = ZoneOffset.ofTotalSeconds(this.offsetSeconds);
				lastOffset = last;
				return last;
			}
			catch (DateTimeException ex) {
				throw new ValueDecodingException(this.typeOid, "invalid time zone offset: \""
						+ excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
			}
		}

	}

	// ------------------------------------------------------------------------------------------------
	// Text format: arrays
	// ------------------------------------------------------------------------------------------------

	/**
	 * Parses the text form of an array: an optional dimension decoration ({@code [lb:ub]...=}) followed by
	 * braces holding comma-separated elements, each either double-quoted with backslash escapes or unquoted
	 * ({@code NULL}, in any case, being SQL NULL).
	 */
	private static final class TextArrayParser {

		private final int arrayOid;

		private final int elementOid;

		private final byte[] buf;

		private final int start;

		private final int end;

		private int pos;

		TextArrayParser(int arrayOid, int elementOid, byte[] buf, int offset, int length) {
			this.arrayOid = arrayOid;
			this.elementOid = elementOid;
			this.buf = buf;
			this.start = offset;
			this.end = offset + length;
			this.pos = offset;
		}

		ValueDecodingException error(String what) {
			return invalid(this.arrayOid, what, this.buf, this.start, this.end - this.start);
		}

		static boolean isSpace(byte b) {
			return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
		}

		void skipSpaces() {
			while (this.pos < this.end && isSpace(this.buf[this.pos])) {
				this.pos++;
			}
		}

		byte next() {
			if (this.pos >= this.end) {
				throw error("unexpected end of array");
			}
			return this.buf[this.pos++];
		}

		List<Object> parse() {
			skipSpaces();
			if (this.pos < this.end && this.buf[this.pos] == '[') {
				skipDimensions();
			}
			if (next() != '{') {
				throw error("array must start with \"{\"");
			}
			List<Object> result = parseLevel(1);
			skipSpaces();
			if (this.pos != this.end) {
				throw error("junk after closing brace of array");
			}
			return result;
		}

		void skipDimensions() {
			while (this.pos < this.end && this.buf[this.pos] == '[') {
				this.pos++;
				skipBound();
				if (this.pos < this.end && this.buf[this.pos] == ':') {
					this.pos++;
					skipBound();
				}
				if (next() != ']') {
					throw error("invalid array dimension decoration");
				}
			}
			skipSpaces();
			if (next() != '=') {
				throw error("missing \"=\" after array dimensions");
			}
			skipSpaces();
		}

		void skipBound() {
			if (this.pos < this.end && (this.buf[this.pos] == '-' || this.buf[this.pos] == '+')) {
				this.pos++;
			}
			int from = this.pos;
			while (this.pos < this.end && this.buf[this.pos] >= '0' && this.buf[this.pos] <= '9') {
				this.pos++;
			}
			if (this.pos == from) {
				throw error("invalid array dimension decoration");
			}
		}

		/** Parses the contents of one brace level; {@code pos} is just after its opening brace. */
		List<Object> parseLevel(int depth) {
			if (depth > MAX_ARRAY_DIMS) {
				throw error("array has more than " + MAX_ARRAY_DIMS + " dimensions");
			}
			List<Object> list = new ArrayList<>();
			skipSpaces();
			if (this.pos < this.end && this.buf[this.pos] == '}') {
				this.pos++;
				return list;
			}
			int kind = 0; // 1 = sub-arrays, 2 = elements
			while (true) {
				skipSpaces();
				if (this.pos < this.end && this.buf[this.pos] == '{') {
					if (kind == 2) {
						throw error("mixed elements and sub-arrays");
					}
					kind = 1;
					this.pos++;
					list.add(parseLevel(depth + 1));
				}
				else {
					if (kind == 1) {
						throw error("mixed elements and sub-arrays");
					}
					kind = 2;
					list.add(parseElement());
				}
				skipSpaces();
				byte b = next();
				if (b == '}') {
					return list;
				}
				if (b != ',') {
					throw error("expected \",\" or \"}\"");
				}
			}
		}

		Object parseElement() {
			if (this.pos >= this.end) {
				throw error("unexpected end of array");
			}
			if (this.buf[this.pos] == '"') {
				return parseQuoted();
			}
			int from = this.pos;
			int trimmedEnd = from;
			boolean escaped = false;
			while (this.pos < this.end) {
				byte b = this.buf[this.pos];
				if (b == ',' || b == '}') {
					break;
				}
				if (b == '"' || b == '{') {
					throw error("unexpected character in unquoted array element");
				}
				if (b == '\\') {
					escaped = true;
					this.pos += 2;
					if (this.pos > this.end) {
						throw error("unexpected end of array");
					}
					trimmedEnd = this.pos;
				}
				else {
					this.pos++;
					if (!isSpace(b)) {
						trimmedEnd = this.pos;
					}
				}
			}
			int len = trimmedEnd - from;
			if (len == 0) {
				throw error("empty unquoted array element");
			}
			if (escaped) {
				byte[] value = unescape(from, trimmedEnd);
				return decodeElement(value, 0, value.length);
			}
			if (len == 4 && isNull(from)) {
				return null;
			}
			return decodeElement(this.buf, from, len);
		}

		boolean isNull(int at) {
			return (this.buf[at] | 0x20) == 'n' && (this.buf[at + 1] | 0x20) == 'u' && (this.buf[at + 2] | 0x20) == 'l'
					&& (this.buf[at + 3] | 0x20) == 'l';
		}

		Object parseQuoted() {
			this.pos++; // opening quote
			int from = this.pos;
			boolean escaped = false;
			while (true) {
				if (this.pos >= this.end) {
					throw error("unterminated quoted array element");
				}
				byte b = this.buf[this.pos];
				if (b == '"') {
					break;
				}
				if (b == '\\') {
					escaped = true;
					this.pos += 2;
				}
				else {
					this.pos++;
				}
			}
			int to = this.pos;
			this.pos++; // closing quote
			if (escaped) {
				byte[] value = unescape(from, to);
				return decodeElement(value, 0, value.length);
			}
			return decodeElement(this.buf, from, to - from);
		}

		/** Copies {@code buf[from, to)} dropping each escaping backslash (the range ends on a complete escape). */
		byte[] unescape(int from, int to) {
			byte[] out = new byte[to - from];
			int j = 0;
			for (int i = from; i < to; i++) {
				byte b = this.buf[i];
				if (b == '\\') {
					i++;
					b = this.buf[i];
				}
				out[j++] = b;
			}
			return Arrays.copyOf(out, j);
		}

		Object decodeElement(byte[] bytes, int offset, int length) {
			try {
				return decodeTextScalar(this.elementOid, bytes, offset, length);
			}
			catch (ValueDecodingException ex) {
				throw new ValueDecodingException(this.arrayOid, "invalid array element: " + ex.getMessage(), ex);
			}
		}

	}

	// ------------------------------------------------------------------------------------------------
	// Binary format
	// ------------------------------------------------------------------------------------------------

	private static int readShort(byte[] buf, int i) {
		return (short) (((buf[i] & 0xFF) << 8) | (buf[i + 1] & 0xFF));
	}

	private static int readInt(byte[] buf, int i) {
		return ((buf[i] & 0xFF) << 24) | ((buf[i + 1] & 0xFF) << 16) | ((buf[i + 2] & 0xFF) << 8)
				| (buf[i + 3] & 0xFF);
	}

	private static long readLong(byte[] buf, int i) {
		return ((long) readInt(buf, i) << 32) | (readInt(buf, i + 4) & 0xFFFF_FFFFL);
	}

	private static void expectLength(int typeOid, int length, int expected) {
		if (length != expected) {
			throw new ValueDecodingException(typeOid,
					"binary value has " + length + " bytes, expected " + expected);
		}
	}

	private static Object decodeBinaryScalar(int typeOid, byte[] buf, int offset, int length) {
		switch (typeOid) {
			case PgTypeOids.BOOL:
				expectLength(typeOid, length, 1);
				return buf[offset] != 0;
			case PgTypeOids.INT2:
				expectLength(typeOid, length, 2);
				return (short) readShort(buf, offset);
			case PgTypeOids.INT4:
				expectLength(typeOid, length, 4);
				return readInt(buf, offset);
			case PgTypeOids.OID:
				expectLength(typeOid, length, 4);
				return readInt(buf, offset) & 0xFFFF_FFFFL;
			case PgTypeOids.INT8:
				expectLength(typeOid, length, 8);
				return readLong(buf, offset);
			case PgTypeOids.FLOAT4:
				expectLength(typeOid, length, 4);
				return Float.intBitsToFloat(readInt(buf, offset));
			case PgTypeOids.FLOAT8:
				expectLength(typeOid, length, 8);
				return Double.longBitsToDouble(readLong(buf, offset));
			case PgTypeOids.NUMERIC:
				return binaryNumeric(typeOid, buf, offset, length);
			case PgTypeOids.CHAR:
				expectLength(typeOid, length, 1);
				return binaryChar(buf[offset]);
			case PgTypeOids.TEXT:
			case PgTypeOids.VARCHAR:
			case PgTypeOids.BPCHAR:
			case PgTypeOids.NAME:
			case PgTypeOids.JSON:
			case PgTypeOids.XML:
				return utf8(typeOid, buf, offset, length);
			case PgTypeOids.JSONB:
				if (length < 1 || buf[offset] != 1) {
					throw new ValueDecodingException(typeOid,
							(length < 1) ? "missing jsonb version byte" : "unsupported jsonb version " + buf[offset]);
				}
				return utf8(typeOid, buf, offset + 1, length - 1);
			case PgTypeOids.UUID:
				expectLength(typeOid, length, 16);
				return new UUID(readLong(buf, offset), readLong(buf, offset + 8));
			case PgTypeOids.DATE:
				expectLength(typeOid, length, 4);
				return binaryDate(readInt(buf, offset));
			case PgTypeOids.TIME:
				expectLength(typeOid, length, 8);
				return binaryTime(typeOid, readLong(buf, offset));
			case PgTypeOids.TIMETZ:
				expectLength(typeOid, length, 12);
				return binaryTimeTz(typeOid, readLong(buf, offset), readInt(buf, offset + 8));
			case PgTypeOids.TIMESTAMP:
				expectLength(typeOid, length, 8);
				return binaryTimestamp(typeOid, readLong(buf, offset));
			case PgTypeOids.TIMESTAMPTZ: {
				expectLength(typeOid, length, 8);
				long micros = readLong(buf, offset);
				if (micros == Long.MAX_VALUE) {
					return OffsetDateTime.MAX;
				}
				if (micros == Long.MIN_VALUE) {
					return OffsetDateTime.MIN;
				}
				return OffsetDateTime.of(binaryTimestamp(typeOid, micros), ZoneOffset.UTC);
			}
			case PgTypeOids.INTERVAL:
				expectLength(typeOid, length, 16);
				return formatInterval(readInt(buf, offset + 12), readInt(buf, offset + 8), readLong(buf, offset));
			default:
				// bytea and unknown types
				return Arrays.copyOfRange(buf, offset, offset + length);
		}
	}

	/** Renders a "char" byte like PostgreSQL's {@code charout}: high-bit bytes as {@code \ooo}, NUL as "". */
	private static String binaryChar(byte b) {
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

	private static Object binaryNumeric(int typeOid, byte[] buf, int offset, int length) {
		if (length < 8) {
			throw new ValueDecodingException(typeOid, "binary numeric has " + length + " bytes, expected at least 8");
		}
		int ndigits = readShort(buf, offset);
		int weight = readShort(buf, offset + 2);
		int sign = readShort(buf, offset + 4) & 0xFFFF;
		int dscale = readShort(buf, offset + 6) & 0xFFFF;
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
			numericDigit(typeOid, buf, offset + 8 + 2 * i);
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
				v = v * 10_000 + numericDigit(typeOid, buf, offset + 8 + 2 * i);
			}
			unscaled = BigInteger.valueOf(v);
		}
		else {
			char[] chars = new char[4 * used];
			for (int i = 0; i < used; i++) {
				int d = numericDigit(typeOid, buf, offset + 8 + 2 * i);
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

	private static int numericDigit(int typeOid, byte[] buf, int at) {
		int d = readShort(buf, at);
		if (d < 0 || d > 9999) {
			throw new ValueDecodingException(typeOid, "invalid numeric digit " + d);
		}
		return d;
	}

	private static LocalDate binaryDate(int days) {
		if (days == Integer.MAX_VALUE) {
			return LocalDate.MAX;
		}
		if (days == Integer.MIN_VALUE) {
			return LocalDate.MIN;
		}
		return LocalDate.ofEpochDay(PG_EPOCH_DAY + days);
	}

	private static LocalTime binaryTime(int typeOid, long micros) {
		if (micros < 0 || micros > MICROS_PER_DAY) {
			throw new ValueDecodingException(typeOid, "time of day out of range: " + micros + " microseconds");
		}
		if (micros == MICROS_PER_DAY) {
			return LocalTime.MAX;
		}
		return LocalTime.ofNanoOfDay(micros * 1000L);
	}

	private static OffsetTime binaryTimeTz(int typeOid, long micros, int zoneSecondsWest) {
		LocalTime time = binaryTime(typeOid, micros);
		try {
			return OffsetTime.of(time, ZoneOffset.ofTotalSeconds(-zoneSecondsWest));
		}
		catch (DateTimeException ex) {
			throw new ValueDecodingException(typeOid, "time zone offset out of range: " + zoneSecondsWest, ex);
		}
	}

	private static LocalDateTime binaryTimestamp(int typeOid, long micros) {
		if (micros == Long.MAX_VALUE) {
			return LocalDateTime.MAX;
		}
		if (micros == Long.MIN_VALUE) {
			return LocalDateTime.MIN;
		}
		long seconds = Math.floorDiv(micros, MICROS_PER_SECOND) + PG_EPOCH_SECOND;
		int nanos = (int) Math.floorMod(micros, MICROS_PER_SECOND) * 1000;
		try {
			return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
		}
		catch (DateTimeException ex) {
			throw new ValueDecodingException(typeOid, "timestamp out of range: " + micros + " microseconds", ex);
		}
	}

	/**
	 * Formats an interval like PostgreSQL's {@code interval_out} with {@code IntervalStyle = postgres}: years,
	 * {@code mons} and days as signed counts, then a signed {@code HH:MM:SS[.ffffff]} time part when non-zero
	 * (or when everything is zero); a {@code +} marks a positive field that follows a negative one.
	 */
	private static String formatInterval(int months, int days, long micros) {
		if (months == Integer.MAX_VALUE && days == Integer.MAX_VALUE && micros == Long.MAX_VALUE) {
			return "infinity";
		}
		if (months == Integer.MIN_VALUE && days == Integer.MIN_VALUE && micros == Long.MIN_VALUE) {
			return "-infinity";
		}
		StringBuilder sb = new StringBuilder(40);
		boolean[] state = { true, false }; // is_zero, is_before
		appendIntervalPart(sb, months / 12, "year", state);
		appendIntervalPart(sb, months % 12, "mon", state);
		appendIntervalPart(sb, days, "day", state);
		long hour = micros / MICROS_PER_HOUR;
		long rest = micros - hour * MICROS_PER_HOUR;
		long minute = rest / MICROS_PER_MINUTE;
		rest -= minute * MICROS_PER_MINUTE;
		long second = rest / MICROS_PER_SECOND;
		long fraction = rest - second * MICROS_PER_SECOND;
		boolean isZero = state[0];
		if (isZero || hour != 0 || minute != 0 || second != 0 || fraction != 0) {
			boolean minus = hour < 0 || minute < 0 || second < 0 || fraction < 0;
			if (!isZero) {
				sb.append(' ');
			}
			if (minus) {
				sb.append('-');
			}
			else if (state[1]) {
				sb.append('+');
			}
			appendTwoDigits(sb, Math.abs(hour));
			sb.append(':');
			appendTwoDigits(sb, Math.abs(minute));
			sb.append(':');
			appendTwoDigits(sb, Math.abs(second));
			if (fraction != 0) {
				long f = Math.abs(fraction);
				int digits = 6;
				while (f % 10 == 0) {
					f /= 10;
					digits--;
				}
				sb.append('.');
				String s = Long.toString(f);
				for (int i = s.length(); i < digits; i++) {
					sb.append('0');
				}
				sb.append(s);
			}
		}
		return sb.toString();
	}

	private static void appendIntervalPart(StringBuilder sb, long value, String unit, boolean[] state) {
		if (value == 0) {
			return;
		}
		if (!state[0]) {
			sb.append(' ');
		}
		if (state[1] && value > 0) {
			sb.append('+');
		}
		sb.append(value).append(' ').append(unit);
		if (value != 1) {
			sb.append('s');
		}
		state[1] = value < 0;
		state[0] = false;
	}

	private static void appendTwoDigits(StringBuilder sb, long value) {
		if (value < 10) {
			sb.append('0');
		}
		sb.append(value);
	}

	private static List<Object> decodeBinaryArray(int arrayOid, int elementOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		if (length < 12) {
			throw new ValueDecodingException(arrayOid, "binary array header truncated: " + length + " bytes");
		}
		int ndim = readInt(buf, offset);
		int flags = readInt(buf, offset + 4);
		int actualElementOid = readInt(buf, offset + 8);
		if (ndim < 0 || ndim > MAX_ARRAY_DIMS) {
			throw new ValueDecodingException(arrayOid, "invalid number of array dimensions: " + ndim);
		}
		if (flags != 0 && flags != 1) {
			throw new ValueDecodingException(arrayOid, "invalid array flags: " + flags);
		}
		if (actualElementOid != elementOid) {
			throw new ValueDecodingException(arrayOid,
					"array element type OID " + actualElementOid + " does not match expected " + elementOid);
		}
		int pos = offset + 12;
		if (ndim == 0) {
			if (pos != end) {
				throw new ValueDecodingException(arrayOid, "junk after empty binary array");
			}
			return new ArrayList<>(0);
		}
		if (end - pos < 8 * ndim) {
			throw new ValueDecodingException(arrayOid, "binary array dimensions truncated");
		}
		int[] dims = new int[ndim];
		boolean empty = false;
		for (int i = 0; i < ndim; i++) {
			int dim = readInt(buf, pos);
			int lowerBound = readInt(buf, pos + 4);
			pos += 8;
			if (dim < 0) {
				throw new ValueDecodingException(arrayOid, "negative array dimension: " + dim);
			}
			if ((long) lowerBound + dim - 1 > Integer.MAX_VALUE) {
				throw new ValueDecodingException(arrayOid, "array upper bound overflows");
			}
			dims[i] = dim;
			empty |= (dim == 0);
		}
		if (empty) {
			if (pos != end) {
				throw new ValueDecodingException(arrayOid, "junk after empty binary array");
			}
			return new ArrayList<>(0);
		}
		// each element takes at least its 4-byte length word: bound the count before allocating anything
		long maxElements = (end - pos) / 4;
		long count = 1;
		for (int dim : dims) {
			count *= dim;
			if (count > maxElements) {
				throw new ValueDecodingException(arrayOid,
						"array dimensions " + Arrays.toString(dims) + " exceed the " + (end - pos) + " bytes of data");
			}
		}
		BinaryArrayReader reader = new BinaryArrayReader(arrayOid, elementOid, buf, pos, end, dims);
		List<Object> result = reader.read(0);
		if (reader.pos != end) {
			throw new ValueDecodingException(arrayOid, (end - reader.pos) + " bytes of junk after binary array");
		}
		return result;
	}

	/** Reads the elements of a binary array into nested lists, one nesting level per dimension. */
	private static final class BinaryArrayReader {

		private final int arrayOid;

		private final int elementOid;

		private final byte[] buf;

		private final int end;

		private final int[] dims;

		private int pos;

		BinaryArrayReader(int arrayOid, int elementOid, byte[] buf, int pos, int end, int[] dims) {
			this.arrayOid = arrayOid;
			this.elementOid = elementOid;
			this.buf = buf;
			this.pos = pos;
			this.end = end;
			this.dims = dims;
		}

		List<Object> read(int level) {
			int n = this.dims[level];
			List<Object> list = new ArrayList<>(n);
			boolean innermost = level == this.dims.length - 1;
			for (int i = 0; i < n; i++) {
				list.add(innermost ? readElement() : read(level + 1));
			}
			return list;
		}

		Object readElement() {
			if (this.end - this.pos < 4) {
				throw new ValueDecodingException(this.arrayOid, "binary array truncated");
			}
			int length = readInt(this.buf, this.pos);
			this.pos += 4;
			if (length == -1) {
				return null;
			}
			if (length < 0 || length > this.end - this.pos) {
				throw new ValueDecodingException(this.arrayOid, "invalid binary array element length " + length
						+ " with " + (this.end - this.pos) + " bytes left");
			}
			Object value;
			try {
				value = decodeBinaryScalar(this.elementOid, this.buf, this.pos, length);
			}
			catch (ValueDecodingException ex) {
				throw new ValueDecodingException(this.arrayOid, "invalid array element: " + ex.getMessage(), ex);
			}
			this.pos += length;
			return value;
		}

	}

}
