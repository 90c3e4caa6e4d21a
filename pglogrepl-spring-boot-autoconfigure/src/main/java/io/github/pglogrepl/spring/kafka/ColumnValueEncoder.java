package io.github.pglogrepl.spring.kafka;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A decoded column value (the Java types of the starter's {@code ChangeRow}) as a value Jackson writes as the
 * documented JSON: booleans and integers as JSON booleans and numbers; {@code float4}/{@code float8} as numbers
 * ({@code NaN} and infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}); {@code numeric}
 * per {@link NumericEncoding}; dates and times per {@link TemporalEncoding}; {@code bytea} as base64; {@code uuid},
 * {@code json}, {@code jsonb}, {@code interval}, text types and anything else as strings; arrays as JSON arrays.
 * Immutable and thread-safe.
 */
public final class ColumnValueEncoder {

	/** What Debezium writes for a value the server did not send (an unchanged TOASTed value). */
	public static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

	private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_LOCAL_TIME;

	private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

	private final NumericEncoding numeric;

	private final TemporalEncoding temporal;

	/**
	 * @param numeric how numeric values are written
	 * @param temporal how dates and times are written
	 */
	public ColumnValueEncoder(NumericEncoding numeric, TemporalEncoding temporal) {
		this.numeric = numeric;
		this.temporal = temporal;
	}

	/**
	 * @param value a decoded column value, or {@code null}
	 * @return {@code null}, a {@link Boolean}, a {@link Number}, a {@link String} or a {@link List} of those
	 */
	public Object encode(Object value) {
		if (value == null || value instanceof Boolean || value instanceof Short || value instanceof Integer
				|| value instanceof Long || value instanceof String) {
			return value;
		}
		if (value instanceof BigDecimal decimal) {
			return (this.numeric == NumericEncoding.NUMBER) ? decimal : decimal.toPlainString();
		}
		if (value instanceof Double d) {
			return (d.isNaN() || d.isInfinite()) ? d.toString() : d;
		}
		if (value instanceof Float f) {
			return (f.isNaN() || f.isInfinite()) ? f.toString() : f;
		}
		if (value instanceof byte[] bytes) {
			return Base64.getEncoder().encodeToString(bytes);
		}
		if (value instanceof UUID) {
			return value.toString();
		}
		if (value instanceof LocalDate date) {
			return date(date);
		}
		if (value instanceof LocalTime time) {
			return (this.temporal == TemporalEncoding.ISO_8601) ? TIME.format(time) : time.toNanoOfDay() / 1000;
		}
		if (value instanceof OffsetTime time) {
			return DateTimeFormatter.ISO_OFFSET_TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC));
		}
		if (value instanceof LocalDateTime timestamp) {
			return timestamp(timestamp);
		}
		if (value instanceof OffsetDateTime timestamp) {
			return timestampWithTimeZone(timestamp);
		}
		if (value instanceof List<?> list) {
			List<Object> encoded = new ArrayList<>(list.size());
			for (Object element : list) {
				encoded.add(encode(element));
			}
			return encoded;
		}
		return value.toString();
	}

	private Object date(LocalDate date) {
		if (date.equals(LocalDate.MAX) || date.equals(LocalDate.MIN)) {
			return infinity(date.equals(LocalDate.MAX));
		}
		return (this.temporal == TemporalEncoding.ISO_8601) ? date.toString() : (Object) date.toEpochDay();
	}

	private Object timestamp(LocalDateTime timestamp) {
		if (timestamp.equals(LocalDateTime.MAX) || timestamp.equals(LocalDateTime.MIN)) {
			return infinity(timestamp.equals(LocalDateTime.MAX));
		}
		if (this.temporal == TemporalEncoding.ISO_8601) {
			return TIMESTAMP.format(timestamp);
		}
		return ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
				timestamp.atOffset(ZoneOffset.UTC));
	}

	private Object timestampWithTimeZone(OffsetDateTime timestamp) {
		if (timestamp.equals(OffsetDateTime.MAX) || timestamp.equals(OffsetDateTime.MIN)
				|| timestamp.toLocalDateTime().equals(LocalDateTime.MAX)
				|| timestamp.toLocalDateTime().equals(LocalDateTime.MIN)) {
			return infinity(timestamp.getYear() > 0);
		}
		if (this.temporal == TemporalEncoding.EPOCH_MICROS) {
			return ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), timestamp);
		}
		return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(timestamp.withOffsetSameInstant(ZoneOffset.UTC));
	}

	private static String infinity(boolean positive) {
		return positive ? "infinity" : "-infinity";
	}

}
