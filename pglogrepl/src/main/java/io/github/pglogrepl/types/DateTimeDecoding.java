package io.github.pglogrepl.types;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Decodes the date/time types to {@code java.time}: {@code date} to {@link LocalDate}, {@code time} to
 * {@link LocalTime}, {@code timetz} to {@link OffsetTime}, {@code timestamp} to {@link LocalDateTime} and
 * {@code timestamptz} to {@link OffsetDateTime} ({@code interval} is {@link IntervalDecoding}'s). The
 * infinite dates and timestamps become the types' {@code MAX}/{@code MIN}; {@code 24:00:00}, a valid time of
 * day in PostgreSQL, becomes {@link LocalTime#MAX}.
 * <p>
 * Text format: the ISO {@code DateStyle}, read by {@link DateTimeCursor}; a text {@code timestamptz} keeps
 * the offset it was printed with (the server's {@code TimeZone}).
 * <p>
 * Binary format (integer date/times, the only kind since PostgreSQL 10), big-endian:
 * <pre>
 * date         int32 days since 2000-01-01           (INT32_MAX/MIN: +/-infinity)
 * time         int64 microseconds since midnight
 * timetz       int64 microseconds, int32 zone offset in seconds WEST of UTC
 * timestamp    int64 microseconds since 2000-01-01 00:00 (INT64_MAX/MIN: +/-infinity)
 * timestamptz  the same, counted in UTC; the value comes back at offset UTC
 * </pre>
 */
final class DateTimeDecoding {

	/** Days from 1970-01-01 to 2000-01-01, the PostgreSQL epoch. */
	private static final long PG_EPOCH_DAY = 10_957L;

	/** Seconds from 1970-01-01T00:00Z to 2000-01-01T00:00Z. */
	private static final long PG_EPOCH_SECOND = PG_EPOCH_DAY * 86_400L;

	static final long MICROS_PER_SECOND = 1_000_000L;

	static final long MICROS_PER_MINUTE = 60L * MICROS_PER_SECOND;

	static final long MICROS_PER_HOUR = 60L * MICROS_PER_MINUTE;

	private static final long MICROS_PER_DAY = 24L * MICROS_PER_HOUR;

	private DateTimeDecoding() {
	}

	// ------------------------------------------------------------------------------------------------
	// Text format
	// ------------------------------------------------------------------------------------------------

	static LocalDate textDate(int typeOid, byte[] buf, int offset, int length) {
		if (PgBytes.equalsAscii(buf, offset, length, "infinity")) {
			return LocalDate.MAX;
		}
		if (PgBytes.equalsAscii(buf, offset, length, "-infinity")) {
			return LocalDate.MIN;
		}
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseDate();
		c.parseEra();
		c.expectEnd();
		return c.toDate();
	}

	static LocalTime textTime(int typeOid, byte[] buf, int offset, int length) {
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseTime();
		c.expectEnd();
		return c.toTime(true);
	}

	static OffsetTime textTimeTz(int typeOid, byte[] buf, int offset, int length) {
		DateTimeCursor c = new DateTimeCursor(typeOid, buf, offset, length);
		c.parseTime();
		c.parseOffset();
		c.expectEnd();
		return OffsetTime.of(c.toTime(true), c.toOffset());
	}

	static LocalDateTime textTimestamp(int typeOid, byte[] buf, int offset, int length) {
		if (PgBytes.equalsAscii(buf, offset, length, "infinity")) {
			return LocalDateTime.MAX;
		}
		if (PgBytes.equalsAscii(buf, offset, length, "-infinity")) {
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

	static OffsetDateTime textTimestampTz(int typeOid, byte[] buf, int offset, int length) {
		if (PgBytes.equalsAscii(buf, offset, length, "infinity")) {
			return OffsetDateTime.MAX;
		}
		if (PgBytes.equalsAscii(buf, offset, length, "-infinity")) {
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

	// ------------------------------------------------------------------------------------------------
	// Binary format
	// ------------------------------------------------------------------------------------------------

	static LocalDate binaryDate(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 4);
		int days = PgBytes.readInt(buf, offset);
		if (days == Integer.MAX_VALUE) {
			return LocalDate.MAX;
		}
		if (days == Integer.MIN_VALUE) {
			return LocalDate.MIN;
		}
		return LocalDate.ofEpochDay(PG_EPOCH_DAY + days);
	}

	static LocalTime binaryTime(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 8);
		return timeOfDay(typeOid, PgBytes.readLong(buf, offset));
	}

	static OffsetTime binaryTimeTz(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 12);
		LocalTime time = timeOfDay(typeOid, PgBytes.readLong(buf, offset));
		int zoneSecondsWest = PgBytes.readInt(buf, offset + 8);
		try {
			return OffsetTime.of(time, ZoneOffset.ofTotalSeconds(-zoneSecondsWest));
		}
		catch (DateTimeException ex) {
			throw new ValueDecodingException(typeOid, "time zone offset out of range: " + zoneSecondsWest, ex);
		}
	}

	static LocalDateTime binaryTimestamp(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 8);
		return timestamp(typeOid, PgBytes.readLong(buf, offset));
	}

	static OffsetDateTime binaryTimestampTz(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 8);
		long micros = PgBytes.readLong(buf, offset);
		if (micros == Long.MAX_VALUE) {
			return OffsetDateTime.MAX;
		}
		if (micros == Long.MIN_VALUE) {
			return OffsetDateTime.MIN;
		}
		return OffsetDateTime.of(timestamp(typeOid, micros), ZoneOffset.UTC);
	}

	private static LocalTime timeOfDay(int typeOid, long micros) {
		if (micros < 0 || micros > MICROS_PER_DAY) {
			throw new ValueDecodingException(typeOid, "time of day out of range: " + micros + " microseconds");
		}
		if (micros == MICROS_PER_DAY) {
			return LocalTime.MAX;
		}
		return LocalTime.ofNanoOfDay(micros * 1000L);
	}

	private static LocalDateTime timestamp(int typeOid, long micros) {
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

}
