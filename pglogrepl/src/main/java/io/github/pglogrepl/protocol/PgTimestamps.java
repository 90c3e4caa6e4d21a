package io.github.pglogrepl.protocol;

import java.time.Instant;

/**
 * Conversion between {@link Instant} and the wire timestamps of the replication protocol: microseconds since
 * the PostgreSQL epoch, 2000-01-01 00:00:00 UTC.
 */
public final class PgTimestamps {

	/** Seconds between the Unix epoch (1970-01-01) and the PostgreSQL epoch (2000-01-01). */
	public static final long POSTGRES_EPOCH_UNIX_SECONDS = 946_684_800L;

	private static final long POSTGRES_EPOCH_UNIX_MICROS = POSTGRES_EPOCH_UNIX_SECONDS * 1_000_000L;

	private PgTimestamps() {
	}

	/**
	 * @param pgMicros microseconds since 2000-01-01 00:00:00 UTC
	 * @return the instant
	 */
	public static Instant toInstant(long pgMicros) {
		long unixMicros = pgMicros + POSTGRES_EPOCH_UNIX_MICROS;
		return Instant.ofEpochSecond(Math.floorDiv(unixMicros, 1_000_000L),
				Math.floorMod(unixMicros, 1_000_000L) * 1_000L);
	}

	/**
	 * @param instant an instant (sub-microsecond precision is truncated)
	 * @return microseconds since 2000-01-01 00:00:00 UTC
	 */
	public static long toPgMicros(Instant instant) {
		return (instant.getEpochSecond() - POSTGRES_EPOCH_UNIX_SECONDS) * 1_000_000L + instant.getNano() / 1_000;
	}

	/**
	 * @return the current time as microseconds since the PostgreSQL epoch
	 */
	public static long nowPgMicros() {
		return toPgMicros(Instant.now());
	}

}
