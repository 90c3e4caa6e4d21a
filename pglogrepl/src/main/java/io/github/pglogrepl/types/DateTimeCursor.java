package io.github.pglogrepl.types;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * Reads the fields of a date/time printed in PostgreSQL's ISO {@code DateStyle} ({@code YYYY-MM-DD},
 * {@code HH:MM:SS[.ffffff]}, {@code ±HH[:MM[:SS]]}, a trailing {@code  BC}) and builds {@code java.time} values
 * from them. {@link DateTimeDecoding} calls the parse steps in the order of each type's format; a cursor
 * holds the position and the fields read so far, so each value gets a new one.
 * <p>
 * Years before the Christian era map to the ISO proleptic calendar, which has a year zero: {@code 0044 BC}
 * is year {@code -43}.
 */
final class DateTimeCursor {

	/** Powers of ten: a fraction of n digits is worth {@code fraction * POW10[9 - n]} nanoseconds. */
	private static final int[] POW10 = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
			100_000_000, 1_000_000_000 };

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

	private ValueDecodingException error(String what) {
		return ValueDecodingException.invalid(this.typeOid, what, this.buf, this.start, this.end - this.start);
	}

	private int number(int minDigits, int maxDigits) {
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

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private boolean accept(char ch) {
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

	// toDate, toTime and toOffset build their messages in place: the same three handlers calling one helper
	// measured about 10 ns slower per timestamptz (the JIT compiled the parse steps apart from the caller)

	LocalDate toDate() {
		if (this.year == 0) {
			throw error("year zero does not exist");
		}
		try {
			return LocalDate.of(this.bc ? 1 - this.year : this.year, this.month, this.day);
		}
		catch (DateTimeException ex) {
			throw new ValueDecodingException(this.typeOid, "invalid date: \""
					+ ValueDecodingException.excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
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
					+ ValueDecodingException.excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
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
					+ ValueDecodingException.excerpt(this.buf, this.start, this.end - this.start) + "\"", ex);
		}
	}

}
