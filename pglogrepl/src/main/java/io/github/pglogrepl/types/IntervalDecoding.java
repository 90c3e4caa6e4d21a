package io.github.pglogrepl.types;

/**
 * Decodes {@code interval} to a {@link String} in PostgreSQL's default output form
 * ({@code IntervalStyle = postgres}), e.g. {@code 1 year 2 mons -3 days +04:05:06.5}: no {@code java.time}
 * type holds months, days and a time together, and a string keeps what the server printed.
 * <p>
 * Text format: the string as it is (so this class has no text decoder). Binary format
 * ({@code interval_send}), big-endian: int64 microseconds, int32 days, int32 months; it is formatted here the
 * way {@code interval_out} prints it with the default style, so that text and binary mode give the same
 * string for a server with the default setting.
 */
final class IntervalDecoding {

	private IntervalDecoding() {
	}

	static String binary(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 16);
		return format(PgBytes.readInt(buf, offset + 12), PgBytes.readInt(buf, offset + 8),
				PgBytes.readLong(buf, offset));
	}

	/**
	 * Formats an interval like PostgreSQL's {@code interval_out} with {@code IntervalStyle = postgres}: years,
	 * {@code mons} and days as signed counts, then a signed {@code HH:MM:SS[.ffffff]} time part when non-zero
	 * (or when everything is zero); a {@code +} marks a positive field that follows a negative one.
	 */
	private static String format(int months, int days, long micros) {
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
		long hour = micros / DateTimeDecoding.MICROS_PER_HOUR;
		long rest = micros - hour * DateTimeDecoding.MICROS_PER_HOUR;
		long minute = rest / DateTimeDecoding.MICROS_PER_MINUTE;
		rest -= minute * DateTimeDecoding.MICROS_PER_MINUTE;
		long second = rest / DateTimeDecoding.MICROS_PER_SECOND;
		long fraction = rest - second * DateTimeDecoding.MICROS_PER_SECOND;
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


}
