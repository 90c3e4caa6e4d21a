package io.github.pglogrepl.spring.kafka;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented JSON value of each column type in each encoding (README "Kafka relay", value encoding table).
 */
class ColumnValueEncoderTest {

	private static final OffsetDateTime TIMESTAMPTZ = OffsetDateTime.of(2024, 1, 31, 13, 45, 0, 123456000,
			ZoneOffset.ofHours(2));

	private static final LocalDateTime TIMESTAMP = LocalDateTime.of(2024, 1, 31, 13, 45, 0, 123456000);

	/** 2024-01-31T11:45:00.123456Z in microseconds since the epoch. */
	private static final long TIMESTAMPTZ_MICROS = 1706701500123456L;

	@Test
	void isoStringsAndExactDecimalsByDefault() {
		ColumnValueEncoder encoder = new ColumnValueEncoder(NumericEncoding.STRING, TemporalEncoding.ISO_8601);
		assertThat(encoder.encode(true)).isEqualTo(true);
		assertThat(encoder.encode((short) 7)).isEqualTo((short) 7);
		assertThat(encoder.encode(42L)).isEqualTo(42L);
		assertThat(encoder.encode(new BigDecimal("1E+3"))).isEqualTo("1000");
		assertThat(encoder.encode(new BigDecimal("19.90"))).isEqualTo("19.90");
		assertThat(encoder.encode(Double.NaN)).isEqualTo("NaN");
		assertThat(encoder.encode(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
		assertThat(encoder.encode(1.5d)).isEqualTo(1.5d);
		assertThat(encoder.encode(new byte[] { 1, 2 })).isEqualTo("AQI=");
		UUID uuid = UUID.randomUUID();
		assertThat(encoder.encode(uuid)).isEqualTo(uuid.toString());
		assertThat(encoder.encode(LocalDate.of(2024, 1, 31))).isEqualTo("2024-01-31");
		assertThat(encoder.encode(LocalTime.of(13, 45))).isEqualTo("13:45:00");
		assertThat(encoder.encode(OffsetTime.of(13, 45, 0, 0, ZoneOffset.ofHours(2)))).isEqualTo("11:45:00Z");
		assertThat(encoder.encode(TIMESTAMP)).isEqualTo("2024-01-31T13:45:00.123456");
		assertThat(encoder.encode(TIMESTAMPTZ)).isEqualTo("2024-01-31T11:45:00.123456Z");
		assertThat(encoder.encode(LocalDate.MAX)).isEqualTo("infinity");
		assertThat(encoder.encode(LocalDateTime.MIN)).isEqualTo("-infinity");
		assertThat(encoder.encode(Arrays.asList(List.of(1, 2), Arrays.asList(3, null))))
			.isEqualTo(List.of(List.of(1, 2), Arrays.asList(3, null)));
		assertThat(encoder.encode("1 day 02:00:00")).isEqualTo("1 day 02:00:00");
	}

	@Test
	void numbersWhenAskedFor() {
		ColumnValueEncoder encoder = new ColumnValueEncoder(NumericEncoding.NUMBER, TemporalEncoding.EPOCH_MICROS);
		assertThat(encoder.encode(new BigDecimal("19.90"))).isEqualTo(new BigDecimal("19.90"));
		assertThat(encoder.encode(LocalDate.of(1970, 1, 11))).isEqualTo(10L);
		assertThat(encoder.encode(LocalTime.of(0, 0, 1, 500000))).isEqualTo(1000500L);
		assertThat(encoder.encode(TIMESTAMPTZ)).isEqualTo(TIMESTAMPTZ_MICROS);
		assertThat(encoder.encode(TIMESTAMPTZ.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()))
			.isEqualTo(TIMESTAMPTZ_MICROS);
		assertThat(encoder.encode(LocalDate.MIN)).isEqualTo("-infinity");
	}

	@Test
	void debeziumAdaptiveTimePrecision() {
		ColumnValueEncoder encoder = new ColumnValueEncoder(NumericEncoding.STRING, TemporalEncoding.DEBEZIUM);
		assertThat(encoder.encode(LocalDate.of(1970, 1, 11))).isEqualTo(10L);
		assertThat(encoder.encode(TIMESTAMP)).isEqualTo(TIMESTAMPTZ_MICROS + 2 * 3600 * 1_000_000L);
		// timestamptz stays a string at UTC (io.debezium.time.ZonedTimestamp)
		assertThat(encoder.encode(TIMESTAMPTZ)).isEqualTo("2024-01-31T11:45:00.123456Z");
	}

}
