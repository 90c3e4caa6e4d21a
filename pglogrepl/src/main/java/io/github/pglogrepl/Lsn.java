package io.github.pglogrepl;

/**
 * A PostgreSQL write-ahead log location (LSN): an unsigned 64-bit byte position in the WAL.
 *
 * <p>Its text form is two hexadecimal numbers separated by a slash, the high and low 32 bits, e.g.
 * {@code 16/B374D848}, as printed by {@code pg_current_wal_lsn()}. Instances are immutable; comparison is
 * unsigned, so LSNs above {@code 8000000000000000} order correctly.
 */
public final class Lsn implements Comparable<Lsn> {

	/** The invalid LSN {@code 0/0}, used by the server for "no position". */
	public static final Lsn INVALID = new Lsn(0L);

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private final long value;

	private Lsn(long value) {
		this.value = value;
	}

	/**
	 * Returns the LSN with the given 64-bit value (interpreted as unsigned).
	 * @param value the position as a raw 64-bit value
	 * @return the LSN
	 */
	public static Lsn of(long value) {
		return (value == 0L) ? INVALID : new Lsn(value);
	}

	/**
	 * Parses the text form {@code XXXXXXXX/XXXXXXXX} (one to eight hex digits on each side, either case).
	 * @param text the text to parse
	 * @return the LSN
	 * @throws IllegalArgumentException if the text is null or not a valid LSN, with the offending text in
	 * the message
	 */
	public static Lsn parse(CharSequence text) {
		if (text == null) {
			throw new IllegalArgumentException("LSN must not be null");
		}
		int length = text.length();
		int slash = -1;
		for (int i = 0; i < length; i++) {
			if (text.charAt(i) == '/') {
				if (slash >= 0) {
					throw invalid(text, "more than one '/'");
				}
				slash = i;
			}
		}
		if (slash < 0) {
			throw invalid(text, "missing '/'");
		}
		long high = parseHexWord(text, 0, slash);
		long low = parseHexWord(text, slash + 1, length);
		return of((high << 32) | low);
	}

	private static long parseHexWord(CharSequence text, int from, int to) {
		int digits = to - from;
		if (digits < 1 || digits > 8) {
			throw invalid(text, "each side of '/' must have 1 to 8 hex digits");
		}
		long result = 0;
		for (int i = from; i < to; i++) {
			int d = Character.digit(text.charAt(i), 16);
			if (d < 0 || text.charAt(i) > 'f') {
				throw invalid(text, "'" + text.charAt(i) + "' is not a hex digit");
			}
			result = (result << 4) | d;
		}
		return result;
	}

	private static IllegalArgumentException invalid(CharSequence text, String reason) {
		return new IllegalArgumentException("Invalid LSN '" + text + "': " + reason
				+ " (expected the form XXXXXXXX/XXXXXXXX, e.g. 16/B374D848)");
	}

	/**
	 * @return the position as a raw 64-bit value (unsigned)
	 */
	public long asLong() {
		return this.value;
	}

	/**
	 * @return whether this is a valid position, i.e. not {@code 0/0}
	 */
	public boolean isValid() {
		return this.value != 0L;
	}

	/**
	 * Returns the LSN {@code bytes} further in the WAL.
	 * @param bytes the number of bytes to add (may be negative)
	 * @return the new LSN
	 */
	public Lsn plus(long bytes) {
		return of(this.value + bytes);
	}

	/**
	 * Returns the LSN {@code bytes} earlier in the WAL.
	 * @param bytes the number of bytes to subtract (may be negative)
	 * @return the new LSN
	 */
	public Lsn minus(long bytes) {
		return of(this.value - bytes);
	}

	/**
	 * Returns the distance in bytes from {@code other} to this LSN, like {@code pg_wal_lsn_diff(this, other)}:
	 * positive when this LSN is ahead of {@code other}.
	 * @param other the LSN to measure from
	 * @return the difference in bytes
	 */
	public long bytesSince(Lsn other) {
		return this.value - other.value;
	}

	/**
	 * @param other the LSN to compare with
	 * @return whether this LSN is strictly after {@code other}
	 */
	public boolean isAfter(Lsn other) {
		return compareTo(other) > 0;
	}

	/**
	 * @param other the LSN to compare with
	 * @return whether this LSN is strictly before {@code other}
	 */
	public boolean isBefore(Lsn other) {
		return compareTo(other) < 0;
	}

	/**
	 * @param a one LSN
	 * @param b another LSN
	 * @return the later of the two
	 */
	public static Lsn max(Lsn a, Lsn b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	@Override
	public int compareTo(Lsn other) {
		return Long.compareUnsigned(this.value, other.value);
	}

	@Override
	public boolean equals(Object obj) {
		return (obj instanceof Lsn other) && other.value == this.value;
	}

	@Override
	public int hashCode() {
		return Long.hashCode(this.value);
	}

	/**
	 * @return the text form, e.g. {@code 16/B374D848}, as PostgreSQL prints it
	 */
	@Override
	public String toString() {
		char[] out = new char[17];
		int pos = appendHex(out, 0, (int) (this.value >>> 32));
		out[pos++] = '/';
		pos = appendHex(out, pos, (int) this.value);
		return new String(out, 0, pos);
	}

	private static int appendHex(char[] out, int pos, int word) {
		int shift = 28;
		while (shift > 0 && ((word >>> shift) & 0xF) == 0) {
			shift -= 4;
		}
		for (; shift >= 0; shift -= 4) {
			out[pos++] = HEX[(word >>> shift) & 0xF];
		}
		return pos;
	}

}
