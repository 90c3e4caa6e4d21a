package io.github.pglogrepl.spring.kafka;

/**
 * How the relay writes date and time values into the JSON envelope. In every mode {@code timetz} is an ISO-8601
 * string at UTC ({@code "11:45:00Z"}), {@code interval} is PostgreSQL's text output, and {@code infinity} /
 * {@code -infinity} dates and timestamps are the strings {@code "infinity"} / {@code "-infinity"}.
 */
public enum TemporalEncoding {

	/**
	 * ISO-8601 strings: {@code date} {@code "2024-01-31"}, {@code time} {@code "13:45:00.123456"}, {@code timestamp}
	 * {@code "2024-01-31T13:45:00.123456"}, {@code timestamptz} at UTC {@code "2024-01-31T11:45:00.123456Z"}. The
	 * default.
	 */
	ISO_8601,

	/**
	 * Numbers: {@code date} days since 1970-01-01, {@code time} microseconds since midnight, {@code timestamp} and
	 * {@code timestamptz} microseconds since 1970-01-01T00:00Z ({@code timestamp} read as UTC).
	 */
	EPOCH_MICROS,

	/**
	 * Debezium's PostgreSQL default ({@code time.precision.mode=adaptive}): {@code date} days since the epoch,
	 * {@code time} microseconds since midnight, {@code timestamp} microseconds since the epoch, {@code timestamptz}
	 * an ISO-8601 string at UTC ({@code io.debezium.time.ZonedTimestamp}).
	 */
	DEBEZIUM

}
