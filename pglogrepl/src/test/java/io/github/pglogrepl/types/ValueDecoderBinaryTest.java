package io.github.pglogrepl.types;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ValueDecoderBinaryTest {

	/** Builds big-endian binary vectors. */
	private static final class Bytes {

		private final ByteBuffer buffer = ByteBuffer.allocate(4096);

		Bytes i8(int v) {
			this.buffer.put((byte) v);
			return this;
		}

		Bytes i16(int v) {
			this.buffer.putShort((short) v);
			return this;
		}

		Bytes i32(int v) {
			this.buffer.putInt(v);
			return this;
		}

		Bytes i64(long v) {
			this.buffer.putLong(v);
			return this;
		}

		Bytes raw(byte[] v) {
			this.buffer.put(v);
			return this;
		}

		Bytes utf8(String s) {
			return raw(s.getBytes(StandardCharsets.UTF_8));
		}

		/** Appends an array element: its int32 length, then its bytes. */
		Bytes element(byte[] v) {
			return i32(v.length).raw(v);
		}

		Bytes nullElement() {
			return i32(-1);
		}

		byte[] build() {
			return Arrays.copyOf(this.buffer.array(), this.buffer.position());
		}

	}

	private static Bytes b() {
		return new Bytes();
	}

	private static Object decode(int oid, byte[] bytes) {
		return ValueDecoder.decodeBinary(oid, bytes, 0, bytes.length);
	}

	private static Object decode(int oid, Bytes bytes) {
		return decode(oid, bytes.build());
	}

	private static void assertFails(int oid, ThrowingCallable call) {
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(call)
			.satisfies(ex -> assertThat(ex.typeOid()).isEqualTo(oid));
	}

	private static void assertFails(int oid, Bytes bytes) {
		byte[] data = bytes.build();
		assertFails(oid, () -> decode(oid, data));
	}

	/** Binary numeric: header and base-10000 digits. */
	private static Bytes numeric(int weight, int sign, int dscale, int... digits) {
		Bytes bytes = b().i16(digits.length).i16(weight).i16(sign).i16(dscale);
		for (int d : digits) {
			bytes.i16(d);
		}
		return bytes;
	}

	private static byte[] int4(int v) {
		return b().i32(v).build();
	}

	// ------------------------------------------------------------------------------------------------
	// Fixed-size scalars
	// ------------------------------------------------------------------------------------------------

	@Test
	void bool() {
		assertThat(decode(PgTypeOids.BOOL, b().i8(1))).isEqualTo(Boolean.TRUE);
		assertThat(decode(PgTypeOids.BOOL, b().i8(0))).isEqualTo(Boolean.FALSE);
		assertThat(decode(PgTypeOids.BOOL, b().i8(7))).isEqualTo(Boolean.TRUE);
		assertFails(PgTypeOids.BOOL, b());
		assertFails(PgTypeOids.BOOL, b().i16(1));
	}

	@Test
	void integers() {
		assertThat(decode(PgTypeOids.INT2, b().i16(-2))).isEqualTo((short) -2);
		assertThat(decode(PgTypeOids.INT2, b().i16(Short.MAX_VALUE))).isEqualTo(Short.MAX_VALUE);
		assertThat(decode(PgTypeOids.INT4, b().i32(0x01020304))).isEqualTo(0x01020304);
		assertThat(decode(PgTypeOids.INT4, b().i32(Integer.MIN_VALUE))).isEqualTo(Integer.MIN_VALUE);
		assertThat(decode(PgTypeOids.INT8, b().i64(-1234567890123L))).isEqualTo(-1234567890123L);
		assertThat(decode(PgTypeOids.INT8, b().i64(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
		assertThat(decode(PgTypeOids.OID, b().i32(0xFFFFFFFF))).isEqualTo(4294967295L);
		assertThat(decode(PgTypeOids.OID, b().i32(16384))).isEqualTo(16384L);
	}

	@Test
	void wrongLengthsForFixedSizeTypes() {
		assertFails(PgTypeOids.INT2, b().i8(1));
		assertFails(PgTypeOids.INT2, b().i32(1));
		assertFails(PgTypeOids.INT4, b().i16(1));
		assertFails(PgTypeOids.INT4, b().i64(1));
		assertFails(PgTypeOids.INT8, b().i32(1));
		assertFails(PgTypeOids.OID, b().i8(1).i16(1));
		assertFails(PgTypeOids.FLOAT4, b().i64(1));
		assertFails(PgTypeOids.FLOAT8, b().i32(1));
		assertFails(PgTypeOids.UUID, b().i64(1).i32(1));
		assertFails(PgTypeOids.DATE, b().i64(1));
		assertFails(PgTypeOids.TIME, b().i32(1));
		assertFails(PgTypeOids.TIMETZ, b().i64(1));
		assertFails(PgTypeOids.TIMESTAMP, b().i32(1));
		assertFails(PgTypeOids.TIMESTAMPTZ, b().i64(1).i8(0));
		assertFails(PgTypeOids.INTERVAL, b().i64(1).i32(1));
		assertFails(PgTypeOids.CHAR, b().i16(0x4142));
	}

	@Test
	void floats() {
		assertThat(decode(PgTypeOids.FLOAT4, b().i32(Float.floatToIntBits(1.5f)))).isEqualTo(1.5f);
		assertThat(decode(PgTypeOids.FLOAT4, b().i32(0x7FC00000))).isEqualTo(Float.NaN);
		assertThat(decode(PgTypeOids.FLOAT4, b().i32(0xFF800000))).isEqualTo(Float.NEGATIVE_INFINITY);
		assertThat(decode(PgTypeOids.FLOAT8, b().i64(Double.doubleToLongBits(-0.1d)))).isEqualTo(-0.1d);
		assertThat(decode(PgTypeOids.FLOAT8, b().i64(0x7FF0000000000000L))).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(decode(PgTypeOids.FLOAT8, b().i64(0x7FF8000000000000L))).isEqualTo(Double.NaN);
	}

	// ------------------------------------------------------------------------------------------------
	// numeric
	// ------------------------------------------------------------------------------------------------

	@Test
	void numeric() {
		assertThat(decode(PgTypeOids.NUMERIC, numeric(1, 0x0000, 3, 1, 2345, 6780)))
			.isEqualTo(new BigDecimal("12345.678"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(1, 0x4000, 3, 1, 2345, 6780)))
			.isEqualTo(new BigDecimal("-12345.678"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x0000, 0))).isEqualTo(BigDecimal.ZERO);
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x0000, 2))).isEqualTo(new BigDecimal("0.00"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x0000, 0, 42))).isEqualTo(new BigDecimal("42"));
		// 1000000 = 100 * 10000^1, trailing zero digit groups are not sent
		assertThat(decode(PgTypeOids.NUMERIC, numeric(1, 0x0000, 0, 100))).isEqualTo(new BigDecimal("1000000"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(2, 0x4000, 2, 1))).isEqualTo(new BigDecimal("-100000000.00"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x0000, 3, 1, 5000))).isEqualTo(new BigDecimal("1.500"));
	}

	@Test
	void numericWithNegativeWeight() {
		// 0.0001: the first digit group is at weight -1 (10000^-1)
		assertThat(decode(PgTypeOids.NUMERIC, numeric(-1, 0x0000, 4, 1))).isEqualTo(new BigDecimal("0.0001"));
		// 0.00012 = 0.0001|2000
		assertThat(decode(PgTypeOids.NUMERIC, numeric(-1, 0x0000, 5, 1, 2000))).isEqualTo(new BigDecimal("0.00012"));
		// 0.000000005 = 10000^-3 * 500 ... i.e. groups 0000|0000|5000 with leading zero groups dropped
		assertThat(decode(PgTypeOids.NUMERIC, numeric(-3, 0x4000, 9, 5000))).isEqualTo(new BigDecimal("-0.000000005"));
	}

	@Test
	void numericWithManyDigits() {
		// 123456789012345678901234567890.123456789: groups 0012|3456|7890|1234|5678|9012|3456|7890 . 1234|5678|9000
		Bytes big = numeric(7, 0x0000, 9, 12, 3456, 7890, 1234, 5678, 9012, 3456, 7890, 1234, 5678, 9000);
		assertThat(decode(PgTypeOids.NUMERIC, big)).isEqualTo(new BigDecimal("123456789012345678901234567890.123456789"));
		Bytes negative = numeric(7, 0x4000, 9, 12, 3456, 7890, 1234, 5678, 9012, 3456, 7890, 1234, 5678, 9000);
		assertThat(decode(PgTypeOids.NUMERIC, negative))
			.isEqualTo(new BigDecimal("-123456789012345678901234567890.123456789"));
		// five groups: just past the long fast path
		assertThat(decode(PgTypeOids.NUMERIC, numeric(4, 0x0000, 0, 9999, 9999, 9999, 9999, 9999)))
			.isEqualTo(new BigDecimal("99999999999999999999"));
	}

	@Test
	void numericSpecialValuesAndTruncation() {
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0xC000, 0))).isEqualTo(Double.NaN);
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0xD000, 0))).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0xF000, 0))).isEqualTo(Double.NEGATIVE_INFINITY);
		// digits beyond the display scale are truncated, as PostgreSQL's numeric_recv does
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x0000, 2, 1, 2345))).isEqualTo(new BigDecimal("1.23"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(0, 0x4000, 0, 7, 9999))).isEqualTo(new BigDecimal("-7"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(-2, 0x0000, 4, 1000))).isEqualTo(new BigDecimal("0.0000"));
		assertThat(decode(PgTypeOids.NUMERIC, numeric(-32768, 0x0000, 16383, 9999, 9999)))
			.isEqualTo(BigDecimal.valueOf(0, 16383));
	}

	@Test
	void malformedNumeric() {
		int oid = PgTypeOids.NUMERIC;
		assertFails(oid, b().i16(0).i16(0).i16(0));
		assertFails(oid, b().i16(2).i16(0).i16(0).i16(0).i16(1)); // declares 2 digits, has 1
		assertFails(oid, b().i16(1).i16(0).i16(0).i16(0).i16(1).i16(2)); // declares 1 digit, has 2
		assertFails(oid, b().i16(-1).i16(0).i16(0).i16(0));
		assertFails(oid, numeric(0, 0x0000, 0, 10000));
		assertFails(oid, numeric(0, 0x0000, 0, -5));
		assertFails(oid, numeric(0, 0x1234, 0, 1));
		assertFails(oid, numeric(0, 0x0000, 0x4000, 1));
		assertFails(oid, b().raw(new byte[] { (byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2, 3, 4, 5 }));
	}

	// ------------------------------------------------------------------------------------------------
	// Variable-length scalars
	// ------------------------------------------------------------------------------------------------

	@Test
	void textLikeTypes() {
		String s = "héllo € \uD83D\uDE00";
		for (int oid : new int[] { PgTypeOids.TEXT, PgTypeOids.VARCHAR, PgTypeOids.BPCHAR, PgTypeOids.NAME,
				PgTypeOids.JSON, PgTypeOids.XML }) {
			assertThat(decode(oid, b().utf8(s))).as("oid %d", oid).isEqualTo(s);
		}
		assertThat(decode(PgTypeOids.TEXT, b())).isEqualTo("");
		assertFails(PgTypeOids.TEXT, b().i8(0x61).i8(0xE2).i8(0x82));
		assertFails(PgTypeOids.JSON, b().i8(0xFF));
	}

	@Test
	void jsonbHasVersionByte() {
		assertThat(decode(PgTypeOids.JSONB, b().i8(1).utf8("{\"a\": [1, \"é\"]}"))).isEqualTo("{\"a\": [1, \"é\"]}");
		assertThat(decode(PgTypeOids.JSONB, b().i8(1))).isEqualTo("");
		assertFails(PgTypeOids.JSONB, b());
		assertFails(PgTypeOids.JSONB, b().i8(2).utf8("{}"));
		assertFails(PgTypeOids.JSONB, b().utf8("{}"));
	}

	@Test
	void charIsOneByteRenderedLikeCharout() {
		assertThat(decode(PgTypeOids.CHAR, b().i8('r'))).isEqualTo("r");
		assertThat(decode(PgTypeOids.CHAR, b().i8(0))).isEqualTo("");
		assertThat(decode(PgTypeOids.CHAR, b().i8(0xE9))).isEqualTo("\\351");
		assertFails(PgTypeOids.CHAR, b());
	}

	@Test
	void byteaAndUnknownTypesAreCopied() {
		byte[] data = { 0, 1, (byte) 0xFF, 0x7F };
		byte[] bytea = (byte[]) decode(PgTypeOids.BYTEA, data);
		assertThat(bytea).containsExactly(0, 1, 0xFF, 0x7F).isNotSameAs(data);
		data[0] = 9;
		assertThat(bytea[0]).isZero();
		assertThat((byte[]) decode(PgTypeOids.BYTEA, new byte[0])).isEmpty();
		byte[] unknown = (byte[]) ValueDecoder.decodeBinary(600, data, 1, 2); // point: not decoded
		assertThat(unknown).containsExactly(1, 0xFF);
	}

	@Test
	void uuid() {
		UUID expected = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
		assertThat(decode(PgTypeOids.UUID, b().i64(0xa0eebc999c0b4ef8L).i64(0xbb6d6bb9bd380a11L))).isEqualTo(expected);
		assertFails(PgTypeOids.UUID, b().i64(1));
	}

	// ------------------------------------------------------------------------------------------------
	// Date and time
	// ------------------------------------------------------------------------------------------------

	@Test
	void date() {
		assertThat(decode(PgTypeOids.DATE, b().i32(0))).isEqualTo(LocalDate.of(2000, 1, 1));
		assertThat(decode(PgTypeOids.DATE, b().i32(-1))).isEqualTo(LocalDate.of(1999, 12, 31));
		assertThat(decode(PgTypeOids.DATE, b().i32(8766))).isEqualTo(LocalDate.of(2024, 1, 1));
		assertThat(decode(PgTypeOids.DATE, b().i32(Integer.MAX_VALUE))).isEqualTo(LocalDate.MAX);
		assertThat(decode(PgTypeOids.DATE, b().i32(Integer.MIN_VALUE))).isEqualTo(LocalDate.MIN);
		int bcDays = (int) ChronoUnit.DAYS.between(LocalDate.of(2000, 1, 1), LocalDate.of(-43, 3, 15));
		assertThat(decode(PgTypeOids.DATE, b().i32(bcDays))).isEqualTo(LocalDate.of(-43, 3, 15));
	}

	@Test
	void time() {
		long micros = (13 * 3600 + 45 * 60 + 1) * 1_000_000L + 123_456;
		assertThat(decode(PgTypeOids.TIME, b().i64(micros))).isEqualTo(LocalTime.of(13, 45, 1, 123_456_000));
		assertThat(decode(PgTypeOids.TIME, b().i64(0))).isEqualTo(LocalTime.MIDNIGHT);
		assertThat(decode(PgTypeOids.TIME, b().i64(86_400_000_000L))).isEqualTo(LocalTime.MAX);
		assertFails(PgTypeOids.TIME, b().i64(-1));
		assertFails(PgTypeOids.TIME, b().i64(86_400_000_001L));
		assertFails(PgTypeOids.TIME, b().i64(Long.MIN_VALUE));
	}

	@Test
	void timetzZoneIsSecondsWestOfUtc() {
		long micros = (13 * 3600 + 45 * 60 + 1) * 1_000_000L;
		assertThat(decode(PgTypeOids.TIMETZ, b().i64(micros).i32(-19_800)))
			.isEqualTo(OffsetTime.of(13, 45, 1, 0, ZoneOffset.ofHoursMinutes(5, 30)));
		assertThat(decode(PgTypeOids.TIMETZ, b().i64(micros + 500_000).i32(28_800)))
			.isEqualTo(OffsetTime.of(13, 45, 1, 500_000_000, ZoneOffset.ofHours(-8)));
		assertThat(decode(PgTypeOids.TIMETZ, b().i64(0).i32(0))).isEqualTo(OffsetTime.of(0, 0, 0, 0, ZoneOffset.UTC));
		assertFails(PgTypeOids.TIMETZ, b().i64(0).i32(100_000));
		assertFails(PgTypeOids.TIMETZ, b().i64(0).i32(Integer.MIN_VALUE));
		assertFails(PgTypeOids.TIMETZ, b().i64(-5).i32(0));
	}

	@Test
	void timestamp() {
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(0))).isEqualTo(LocalDateTime.of(2000, 1, 1, 0, 0));
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(-1)))
			.isEqualTo(LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_000));
		// 2024-01-02 is 8767 days after 2000-01-01
		long micros = (8767L * 86_400 + 3 * 3600 + 4 * 60 + 5) * 1_000_000L + 123_456;
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(micros)))
			.isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(Long.MAX_VALUE))).isEqualTo(LocalDateTime.MAX);
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(Long.MIN_VALUE))).isEqualTo(LocalDateTime.MIN);
		long bc = ChronoUnit.MICROS.between(LocalDateTime.of(2000, 1, 1, 0, 0), LocalDateTime.of(-43, 3, 15, 12, 0));
		assertThat(decode(PgTypeOids.TIMESTAMP, b().i64(bc))).isEqualTo(LocalDateTime.of(-43, 3, 15, 12, 0));
	}

	@Test
	void timestamptzIsUtc() {
		long micros = (8767L * 86_400 + 3 * 3600 + 4 * 60 + 5) * 1_000_000L;
		OffsetDateTime value = (OffsetDateTime) decode(PgTypeOids.TIMESTAMPTZ, b().i64(micros));
		assertThat(value).isEqualTo(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC));
		assertThat(value.getOffset()).isEqualTo(ZoneOffset.UTC);
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, b().i64(-86_400_000_000L)))
			.isEqualTo(OffsetDateTime.of(1999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, b().i64(Long.MAX_VALUE))).isEqualTo(OffsetDateTime.MAX);
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, b().i64(Long.MIN_VALUE))).isEqualTo(OffsetDateTime.MIN);
	}

	@Test
	void intervalIsFormattedLikePostgresIntervalStyle() {
		long hms = (4 * 3600 + 5 * 60 + 6) * 1_000_000L + 789_000;
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(hms).i32(3).i32(14))).isEqualTo("1 year 2 mons 3 days 04:05:06.789");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(0).i32(0).i32(0))).isEqualTo("00:00:00");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(7_200_000_000L).i32(-1).i32(0))).isEqualTo("-1 days +02:00:00");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(-5_400_000_000L).i32(1).i32(0))).isEqualTo("1 day -01:30:00");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(0).i32(1).i32(1))).isEqualTo("1 mon 1 day");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(0).i32(0).i32(-13))).isEqualTo("-1 years -1 mons");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(0).i32(5).i32(-12))).isEqualTo("-1 years +5 days");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(360_000_000_000L).i32(0).i32(0))).isEqualTo("100:00:00");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(1).i32(0).i32(0))).isEqualTo("00:00:00.000001");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(-500_000).i32(0).i32(0))).isEqualTo("-00:00:00.5");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(Long.MAX_VALUE).i32(Integer.MAX_VALUE).i32(Integer.MAX_VALUE)))
			.isEqualTo("infinity");
		assertThat(decode(PgTypeOids.INTERVAL, b().i64(Long.MIN_VALUE).i32(Integer.MIN_VALUE).i32(Integer.MIN_VALUE)))
			.isEqualTo("-infinity");
	}

	// ------------------------------------------------------------------------------------------------
	// Arrays
	// ------------------------------------------------------------------------------------------------

	@Test
	void oneDimensionalArrayWithNull() {
		Bytes array = b().i32(1).i32(1).i32(PgTypeOids.INT4).i32(3).i32(1)
			.element(int4(1)).nullElement().element(int4(-3));
		assertThat(decode(PgTypeOids.INT4_ARRAY, array)).isEqualTo(Arrays.asList(1, null, -3));
		Bytes texts = b().i32(1).i32(0).i32(PgTypeOids.TEXT).i32(2).i32(0)
			.element("a,\"b\"".getBytes(StandardCharsets.UTF_8)).element(new byte[0]);
		assertThat(decode(PgTypeOids.TEXT_ARRAY, texts)).isEqualTo(List.of("a,\"b\"", ""));
	}

	@Test
	void multiDimensionalArray() {
		Bytes array = b().i32(2).i32(0).i32(PgTypeOids.TEXT).i32(2).i32(1).i32(3).i32(1);
		for (String s : new String[] { "a", "b", "c", "d", "e", "f" }) {
			array.element(s.getBytes(StandardCharsets.UTF_8));
		}
		assertThat(decode(PgTypeOids.TEXT_ARRAY, array))
			.isEqualTo(List.of(List.of("a", "b", "c"), List.of("d", "e", "f")));
		Bytes cube = b().i32(3).i32(0).i32(PgTypeOids.INT2).i32(2).i32(1).i32(1).i32(1).i32(2).i32(-5);
		for (int i = 1; i <= 4; i++) {
			cube.element(b().i16(i).build());
		}
		assertThat(decode(PgTypeOids.INT2_ARRAY, cube)).isEqualTo(
				List.of(List.of(List.of((short) 1, (short) 2)), List.of(List.of((short) 3, (short) 4))));
	}

	@Test
	void emptyArrays() {
		assertThat(decode(PgTypeOids.INT4_ARRAY, b().i32(0).i32(0).i32(PgTypeOids.INT4))).isEqualTo(List.of());
		assertThat(decode(PgTypeOids.INT4_ARRAY, b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(0).i32(1))).isEqualTo(List.of());
		assertThat(decode(PgTypeOids.TEXT_ARRAY, b().i32(2).i32(0).i32(PgTypeOids.TEXT).i32(0).i32(1).i32(1_000_000_000).i32(1)))
			.isEqualTo(List.of());
	}

	@Test
	void arraysOfOtherElementTypes() {
		Bytes numerics = b().i32(1).i32(1).i32(PgTypeOids.NUMERIC).i32(3).i32(1)
			.element(numeric(-1, 0x0000, 4, 1).build())
			.element(numeric(0, 0xC000, 0).build())
			.nullElement();
		assertThat(decode(PgTypeOids.NUMERIC_ARRAY, numerics)).isEqualTo(Arrays.asList(new BigDecimal("0.0001"), Double.NaN, null));
		Bytes jsonb = b().i32(1).i32(0).i32(PgTypeOids.JSONB).i32(1).i32(1).element(b().i8(1).utf8("[1]").build());
		assertThat(decode(PgTypeOids.JSONB_ARRAY, jsonb)).isEqualTo(List.of("[1]"));
		Bytes timestamps = b().i32(1).i32(0).i32(PgTypeOids.TIMESTAMPTZ).i32(2).i32(1)
			.element(b().i64(0).build()).element(b().i64(Long.MAX_VALUE).build());
		assertThat(decode(PgTypeOids.TIMESTAMPTZ_ARRAY, timestamps))
			.isEqualTo(List.of(OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), OffsetDateTime.MAX));
		Bytes oids = b().i32(1).i32(0).i32(PgTypeOids.OID).i32(1).i32(1).element(int4(-1));
		assertThat(decode(PgTypeOids.OID_ARRAY, oids)).isEqualTo(List.of(4294967295L));
		List<?> bytea = (List<?>) decode(PgTypeOids.BYTEA_ARRAY,
				b().i32(1).i32(1).i32(PgTypeOids.BYTEA).i32(2).i32(1).element(new byte[] { 1, 2 }).nullElement());
		assertThat((byte[]) bytea.get(0)).containsExactly(1, 2);
		assertThat(bytea.get(1)).isNull();
	}

	@Test
	void malformedArrayHeaders() {
		int oid = PgTypeOids.INT4_ARRAY;
		assertFails(oid, b());
		assertFails(oid, b().i32(1).i32(0).i16(0));
		assertFails(oid, b().i32(7).i32(0).i32(PgTypeOids.INT4));
		assertFails(oid, b().i32(-1).i32(0).i32(PgTypeOids.INT4));
		assertFails(oid, b().i32(1).i32(2).i32(PgTypeOids.INT4).i32(1).i32(1).element(int4(1)));
		assertFails(oid, b().i32(1).i32(0).i32(PgTypeOids.INT8).i32(1).i32(1).element(int4(1)));
		assertFails(oid, b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(-1).i32(1));
		assertFails(oid, b().i32(2).i32(0).i32(PgTypeOids.INT4).i32(1).i32(1)); // second dimension missing
		assertFails(oid, b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(2).i32(Integer.MAX_VALUE).element(int4(1)).element(int4(2)));
		assertFails(oid, b().i32(0).i32(0).i32(PgTypeOids.INT4).i32(0)); // junk after empty array
	}

	@Test
	void absurdArrayDimensionsAreRejectedBeforeAllocating() {
		int oid = PgTypeOids.INT4_ARRAY;
		// 2^30 elements announced in a 40-byte buffer
		Bytes huge = b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(1 << 30).i32(1).element(int4(1)).element(int4(2))
			.nullElement();
		assertThat(huge.build()).hasSize(40);
		assertFails(oid, huge);
		assertFails(oid, b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(Integer.MAX_VALUE).i32(1));
		// the product overflows 64 bits if computed naively
		Bytes overflow = b().i32(6).i32(0).i32(PgTypeOids.INT4);
		for (int i = 0; i < 6; i++) {
			overflow.i32(Integer.MAX_VALUE).i32(1);
		}
		assertFails(oid, overflow.element(int4(1)));
		// 65536 x 65536 elements
		assertFails(oid, b().i32(2).i32(0).i32(PgTypeOids.INT4).i32(65536).i32(1).i32(65536).i32(1).element(int4(1)));
		// 3 elements announced but only room for 2 length words
		assertFails(oid, b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(3).i32(1).nullElement().nullElement());
	}

	@Test
	void malformedArrayElements() {
		int oid = PgTypeOids.INT4_ARRAY;
		Bytes header = b().i32(1).i32(0).i32(PgTypeOids.INT4).i32(2).i32(1);
		assertFails(oid, b().raw(header.build()).element(int4(1))); // second element missing
		assertFails(oid, b().raw(header.build()).element(int4(1)).i32(4).i16(0)); // truncated element bytes
		assertFails(oid, b().raw(header.build()).element(int4(1)).i32(1_000_000)); // length beyond buffer
		assertFails(oid, b().raw(header.build()).element(int4(1)).i32(-2).i32(0)); // negative length
		assertFails(oid, b().raw(header.build()).element(int4(1)).nullElement().i8(0)); // trailing junk
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> decode(oid, b().raw(header.build()).element(int4(1)).element(new byte[] { 1, 2 })))
			.satisfies(ex -> {
				assertThat(ex.typeOid()).isEqualTo(oid);
				assertThat(ex.getCause()).isInstanceOf(ValueDecodingException.class);
				assertThat(((ValueDecodingException) ex.getCause()).typeOid()).isEqualTo(PgTypeOids.INT4);
			});
	}

	@Test
	void garbageBytesNeverEscapeAsOtherExceptions() {
		java.util.Random random = new java.util.Random(42);
		int[] oids = { PgTypeOids.INT4_ARRAY, PgTypeOids.TEXT_ARRAY, PgTypeOids.NUMERIC_ARRAY, PgTypeOids.NUMERIC,
				PgTypeOids.TIMETZ, PgTypeOids.JSONB, PgTypeOids.TEXT, PgTypeOids.DATE_ARRAY, PgTypeOids.INTERVAL };
		for (int round = 0; round < 2000; round++) {
			byte[] data = new byte[random.nextInt(48)];
			random.nextBytes(data);
			if (data.length >= 12 && random.nextBoolean()) {
				// plausible header so that the element/dimension code paths are reached
				ByteBuffer.wrap(data).putInt(random.nextInt(3)).putInt(random.nextInt(2));
			}
			for (int oid : oids) {
				try {
					decode(oid, data);
					ValueDecoder.decodeText(oid, data, 0, data.length);
				}
				catch (ValueDecodingException ex) {
					assertThat(ex.typeOid()).isEqualTo(oid);
				}
			}
		}
	}

	// ------------------------------------------------------------------------------------------------
	// Buffer slices
	// ------------------------------------------------------------------------------------------------

	@Test
	void decodesSliceOfLargerBuffer() {
		byte[] buf = b().i8(0xAA).i32(0x01020304).i64(42).i8(0xBB).build();
		assertThat(ValueDecoder.decodeBinary(PgTypeOids.INT4, buf, 1, 4)).isEqualTo(0x01020304);
		assertThat(ValueDecoder.decodeBinary(PgTypeOids.INT8, buf, 5, 8)).isEqualTo(42L);
		assertThat(ValueDecoder.decodeBinary(PgTypeOids.INT2, buf, 3, 2)).isEqualTo((short) 0x0304);
		byte[] arrayInMiddle = b().i16(0x7777).i32(1).i32(0).i32(PgTypeOids.INT4).i32(1).i32(1).element(int4(9)).i16(0x7777)
			.build();
		assertThat(ValueDecoder.decodeBinary(PgTypeOids.INT4_ARRAY, arrayInMiddle, 2, arrayInMiddle.length - 4))
			.isEqualTo(List.of(9));
	}

	@Test
	void outOfBoundsSliceIsRejected() {
		byte[] buf = new byte[8];
		assertFails(PgTypeOids.INT8, () -> ValueDecoder.decodeBinary(PgTypeOids.INT8, buf, 1, 8));
		assertFails(PgTypeOids.INT8, () -> ValueDecoder.decodeBinary(PgTypeOids.INT8, buf, -1, 8));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeBinary(PgTypeOids.INT4, buf, 0, -4));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeBinary(PgTypeOids.INT4, buf, 9, 0));
		assertFails(PgTypeOids.INT4_ARRAY,
				() -> ValueDecoder.decodeBinary(PgTypeOids.INT4_ARRAY, buf, 4, Integer.MAX_VALUE));
		assertFails(PgTypeOids.BYTEA,
				() -> ValueDecoder.decodeBinary(PgTypeOids.BYTEA, buf, Integer.MAX_VALUE, Integer.MAX_VALUE));
		assertThatNullPointerException().isThrownBy(() -> ValueDecoder.decodeBinary(PgTypeOids.INT4, null, 0, 4));
	}

}
