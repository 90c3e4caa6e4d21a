package io.github.pglogrepl.types;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ValueDecoderTextTest {

	private static Object decode(int oid, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		return ValueDecoder.decodeText(oid, bytes, 0, bytes.length);
	}

	private static void assertFails(int oid, ThrowingCallable call) {
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(call)
			.satisfies(ex -> assertThat(ex.typeOid()).isEqualTo(oid));
	}

	private static void assertFails(int oid, String text) {
		assertFails(oid, () -> decode(oid, text));
	}

	// ------------------------------------------------------------------------------------------------
	// PgTypeOids
	// ------------------------------------------------------------------------------------------------

	@Test
	void typeOidsMapArraysToElementsAndKnowTheirTypes() {
		assertThat(PgTypeOids.elementTypeOf(PgTypeOids.INT4_ARRAY)).isEqualTo(PgTypeOids.INT4);
		assertThat(PgTypeOids.elementTypeOf(PgTypeOids.JSONB_ARRAY)).isEqualTo(PgTypeOids.JSONB);
		assertThat(PgTypeOids.elementTypeOf(PgTypeOids.JSON_ARRAY)).isEqualTo(PgTypeOids.JSON);
		assertThat(PgTypeOids.elementTypeOf(PgTypeOids.TIMESTAMPTZ_ARRAY)).isEqualTo(PgTypeOids.TIMESTAMPTZ);
		assertThat(PgTypeOids.elementTypeOf(PgTypeOids.INT4)).isZero();
		assertThat(PgTypeOids.elementTypeOf(12345)).isZero();
		assertThat(PgTypeOids.isKnown(PgTypeOids.INTERVAL)).isTrue();
		assertThat(PgTypeOids.isKnown(PgTypeOids.XML)).isTrue();
		assertThat(PgTypeOids.isKnown(PgTypeOids.UUID_ARRAY)).isTrue();
		assertThat(PgTypeOids.isKnown(0)).isFalse();
		assertThat(PgTypeOids.isKnown(600)).isFalse(); // point
	}

	// ------------------------------------------------------------------------------------------------
	// Scalars
	// ------------------------------------------------------------------------------------------------

	@Test
	void bool() {
		assertThat(decode(PgTypeOids.BOOL, "t")).isEqualTo(Boolean.TRUE);
		assertThat(decode(PgTypeOids.BOOL, "f")).isEqualTo(Boolean.FALSE);
		assertFails(PgTypeOids.BOOL, "true");
		assertFails(PgTypeOids.BOOL, "x");
		assertFails(PgTypeOids.BOOL, "");
	}

	@Test
	void integers() {
		assertThat(decode(PgTypeOids.INT2, "-32768")).isEqualTo((short) -32768);
		assertThat(decode(PgTypeOids.INT2, "32767")).isEqualTo((short) 32767);
		assertThat(decode(PgTypeOids.INT4, "0")).isEqualTo(0);
		assertThat(decode(PgTypeOids.INT4, "-2147483648")).isEqualTo(Integer.MIN_VALUE);
		assertThat(decode(PgTypeOids.INT4, "2147483647")).isEqualTo(Integer.MAX_VALUE);
		assertThat(decode(PgTypeOids.INT8, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
		assertThat(decode(PgTypeOids.INT8, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
		assertThat(decode(PgTypeOids.INT8, "42")).isInstanceOf(Long.class);
	}

	@Test
	void integerOverflowAndGarbage() {
		assertFails(PgTypeOids.INT2, "32768");
		assertFails(PgTypeOids.INT2, "-32769");
		assertFails(PgTypeOids.INT4, "2147483648");
		assertFails(PgTypeOids.INT4, "-2147483649");
		assertFails(PgTypeOids.INT8, "9223372036854775808");
		assertFails(PgTypeOids.INT8, "-9223372036854775809");
		assertFails(PgTypeOids.INT8, "99999999999999999999999");
		assertFails(PgTypeOids.INT4, "12a");
		assertFails(PgTypeOids.INT4, "-");
		assertFails(PgTypeOids.INT4, "");
		assertFails(PgTypeOids.INT4, "+1");
		assertFails(PgTypeOids.INT4, " 1");
		assertFails(PgTypeOids.INT4, "1.0");
	}

	@Test
	void oidIsUnsigned() {
		assertThat(decode(PgTypeOids.OID, "4294967295")).isEqualTo(4294967295L);
		assertThat(decode(PgTypeOids.OID, "16384")).isEqualTo(16384L);
		assertFails(PgTypeOids.OID, "4294967296");
		assertFails(PgTypeOids.OID, "-1");
	}

	@Test
	void floats() {
		assertThat(decode(PgTypeOids.FLOAT4, "1.5")).isEqualTo(1.5f);
		assertThat(decode(PgTypeOids.FLOAT4, "-3.4028235e+38")).isEqualTo(-Float.MAX_VALUE);
		assertThat(decode(PgTypeOids.FLOAT4, "NaN")).isEqualTo(Float.NaN);
		assertThat(decode(PgTypeOids.FLOAT4, "Infinity")).isEqualTo(Float.POSITIVE_INFINITY);
		assertThat(decode(PgTypeOids.FLOAT4, "-Infinity")).isEqualTo(Float.NEGATIVE_INFINITY);
		assertThat(decode(PgTypeOids.FLOAT8, "0.1")).isEqualTo(0.1d);
		assertThat(decode(PgTypeOids.FLOAT8, "1e+30")).isEqualTo(1e30d);
		assertThat(decode(PgTypeOids.FLOAT8, "1.23456789e-05")).isEqualTo(1.23456789e-05d);
		assertThat(decode(PgTypeOids.FLOAT8, "-0")).isEqualTo(-0.0d);
		assertThat(decode(PgTypeOids.FLOAT8, "NaN")).isEqualTo(Double.NaN);
		assertThat(decode(PgTypeOids.FLOAT8, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(decode(PgTypeOids.FLOAT8, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
	}

	@Test
	void malformedFloats() {
		assertFails(PgTypeOids.FLOAT8, "1.5d");
		assertFails(PgTypeOids.FLOAT8, "0x1p3");
		assertFails(PgTypeOids.FLOAT8, " 1");
		assertFails(PgTypeOids.FLOAT8, "1e");
		assertFails(PgTypeOids.FLOAT8, "-");
		assertFails(PgTypeOids.FLOAT8, "");
		assertFails(PgTypeOids.FLOAT8, "inf");
		assertFails(PgTypeOids.FLOAT4, "1..2");
		assertFails(PgTypeOids.FLOAT4, "nan");
	}

	@Test
	void numeric() {
		assertThat(decode(PgTypeOids.NUMERIC, "12345.678")).isEqualTo(new BigDecimal("12345.678"));
		assertThat(decode(PgTypeOids.NUMERIC, "-12345.678")).isEqualTo(new BigDecimal("-12345.678"));
		assertThat(decode(PgTypeOids.NUMERIC, "0")).isEqualTo(BigDecimal.ZERO);
		assertThat(decode(PgTypeOids.NUMERIC, "0.00")).isEqualTo(new BigDecimal("0.00"));
		assertThat(decode(PgTypeOids.NUMERIC, "1.500")).isEqualTo(new BigDecimal("1.500"));
		assertThat(((BigDecimal) decode(PgTypeOids.NUMERIC, "1.500")).scale()).isEqualTo(3);
		assertThat(decode(PgTypeOids.NUMERIC, "-0.0001")).isEqualTo(new BigDecimal("-0.0001"));
		assertThat(decode(PgTypeOids.NUMERIC, "123456789012345678")).isEqualTo(new BigDecimal("123456789012345678"));
		String big = "-123456789012345678901234567890.123456789012345678901234567890";
		assertThat(decode(PgTypeOids.NUMERIC, big)).isEqualTo(new BigDecimal(big));
		assertThat(decode(PgTypeOids.NUMERIC, "NaN")).isEqualTo(Double.NaN);
		assertThat(decode(PgTypeOids.NUMERIC, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(decode(PgTypeOids.NUMERIC, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
	}

	@Test
	void malformedNumeric() {
		assertFails(PgTypeOids.NUMERIC, "");
		assertFails(PgTypeOids.NUMERIC, "-");
		assertFails(PgTypeOids.NUMERIC, "1e5");
		assertFails(PgTypeOids.NUMERIC, "1.");
		assertFails(PgTypeOids.NUMERIC, "1.2.3");
		assertFails(PgTypeOids.NUMERIC, "--1");
		assertFails(PgTypeOids.NUMERIC, "12,5");
		assertFails(PgTypeOids.NUMERIC, "nan");
		assertFails(PgTypeOids.NUMERIC, "1234567890123456789012345x");
	}

	@Test
	void textLikeTypesAreStrings() {
		String s = "héllo wörld € \uD83D\uDE00";
		for (int oid : new int[] { PgTypeOids.TEXT, PgTypeOids.VARCHAR, PgTypeOids.BPCHAR, PgTypeOids.NAME,
				PgTypeOids.CHAR, PgTypeOids.JSON, PgTypeOids.JSONB, PgTypeOids.XML }) {
			assertThat(decode(oid, s)).as("oid %d", oid).isEqualTo(s);
		}
		assertThat(decode(PgTypeOids.JSONB, "{\"a\": [1, 2]}")).isEqualTo("{\"a\": [1, 2]}");
		assertThat(decode(PgTypeOids.TEXT, "")).isEqualTo("");
		assertThat(decode(PgTypeOids.INTERVAL, "1 year 2 mons -3 days +04:05:06.5"))
			.isEqualTo("1 year 2 mons -3 days +04:05:06.5");
		assertThat(decode(987654, "whatever (1,2)")).isEqualTo("whatever (1,2)");
	}

	@Test
	void invalidUtf8IsRejected() {
		byte[] bad = { 'a', (byte) 0xC3 }; // truncated 2-byte sequence
		assertFails(PgTypeOids.TEXT, () -> ValueDecoder.decodeText(PgTypeOids.TEXT, bad, 0, 2));
		byte[] overlong = { (byte) 0xC0, (byte) 0x80 };
		assertFails(PgTypeOids.VARCHAR, () -> ValueDecoder.decodeText(PgTypeOids.VARCHAR, overlong, 0, 2));
		assertFails(4242, () -> ValueDecoder.decodeText(4242, new byte[] { (byte) 0xFF }, 0, 1));
	}

	@Test
	void byteaHex() {
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "\\x0a1bff")).containsExactly(0x0a, 0x1b, 0xff);
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "\\xDEADbeef")).containsExactly(0xde, 0xad, 0xbe, 0xef);
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "\\x")).isEmpty();
		assertFails(PgTypeOids.BYTEA, "\\x0a1");
		assertFails(PgTypeOids.BYTEA, "\\x0g");
		assertFails(PgTypeOids.BYTEA, "\\x0a 1b");
	}

	@Test
	void byteaEscape() {
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "abc")).containsExactly('a', 'b', 'c');
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "a\\\\b\\000\\377\\012z"))
			.containsExactly('a', '\\', 'b', 0x00, 0xff, 0x0a, 'z');
		assertThat((byte[]) decode(PgTypeOids.BYTEA, "")).isEmpty();
		assertFails(PgTypeOids.BYTEA, "\\");
		assertFails(PgTypeOids.BYTEA, "\\9");
		assertFails(PgTypeOids.BYTEA, "\\12");
		assertFails(PgTypeOids.BYTEA, "\\400");
		assertFails(PgTypeOids.BYTEA, "ab\\0");
	}

	@Test
	void uuid() {
		assertThat(decode(PgTypeOids.UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
			.isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
		assertThat(decode(PgTypeOids.UUID, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")).isEqualTo(new UUID(-1L, -1L));
		assertThat(decode(PgTypeOids.UUID, "00000000-0000-0000-0000-000000000000")).isEqualTo(new UUID(0L, 0L));
		assertFails(PgTypeOids.UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1");
		assertFails(PgTypeOids.UUID, "a0eebc999c0b-4ef8-bb6d-6bb9bd380a11x");
		assertFails(PgTypeOids.UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g");
		assertFails(PgTypeOids.UUID, "");
	}

	@Test
	void date() {
		assertThat(decode(PgTypeOids.DATE, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
		assertThat(decode(PgTypeOids.DATE, "infinity")).isEqualTo(LocalDate.MAX);
		assertThat(decode(PgTypeOids.DATE, "-infinity")).isEqualTo(LocalDate.MIN);
		assertThat(decode(PgTypeOids.DATE, "0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
		assertThat(decode(PgTypeOids.DATE, "0001-01-01 BC")).isEqualTo(LocalDate.of(0, 1, 1));
		assertThat(decode(PgTypeOids.DATE, "4714-11-24 BC")).isEqualTo(LocalDate.of(-4713, 11, 24));
		assertThat(decode(PgTypeOids.DATE, "5874897-12-31")).isEqualTo(LocalDate.of(5874897, 12, 31));
	}

	@Test
	void malformedDate() {
		assertFails(PgTypeOids.DATE, "2023-02-29");
		assertFails(PgTypeOids.DATE, "2024-13-01");
		assertFails(PgTypeOids.DATE, "2024-1-01");
		assertFails(PgTypeOids.DATE, "0000-01-01");
		assertFails(PgTypeOids.DATE, "2024-01-01x");
		assertFails(PgTypeOids.DATE, "2024-01-01 AD");
		assertFails(PgTypeOids.DATE, "Infinity");
		assertFails(PgTypeOids.DATE, "");
	}

	@Test
	void time() {
		assertThat(decode(PgTypeOids.TIME, "13:45:01.123456")).isEqualTo(LocalTime.of(13, 45, 1, 123_456_000));
		assertThat(decode(PgTypeOids.TIME, "00:00:00")).isEqualTo(LocalTime.MIDNIGHT);
		assertThat(decode(PgTypeOids.TIME, "23:59:59.5")).isEqualTo(LocalTime.of(23, 59, 59, 500_000_000));
		assertThat(decode(PgTypeOids.TIME, "24:00:00")).isEqualTo(LocalTime.MAX);
		assertFails(PgTypeOids.TIME, "25:00:00");
		assertFails(PgTypeOids.TIME, "24:00:01");
		assertFails(PgTypeOids.TIME, "13:45");
		assertFails(PgTypeOids.TIME, "13:45:01.");
		assertFails(PgTypeOids.TIME, "13:60:00");
		assertFails(PgTypeOids.TIME, "13:45:01+01");
	}

	@Test
	void timetz() {
		assertThat(decode(PgTypeOids.TIMETZ, "13:45:01+05:30"))
			.isEqualTo(OffsetTime.of(13, 45, 1, 0, ZoneOffset.ofHoursMinutes(5, 30)));
		assertThat(decode(PgTypeOids.TIMETZ, "13:45:01.5-08"))
			.isEqualTo(OffsetTime.of(13, 45, 1, 500_000_000, ZoneOffset.ofHours(-8)));
		assertThat(decode(PgTypeOids.TIMETZ, "00:00:00+00")).isEqualTo(OffsetTime.of(0, 0, 0, 0, ZoneOffset.UTC));
		assertThat(decode(PgTypeOids.TIMETZ, "12:00:00-03:30:15"))
			.isEqualTo(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(-3, -30, -15)));
		assertFails(PgTypeOids.TIMETZ, "13:45:01");
		assertFails(PgTypeOids.TIMETZ, "13:45:01+5");
		assertFails(PgTypeOids.TIMETZ, "13:45:01+05:60");
		assertFails(PgTypeOids.TIMETZ, "13:45:01+19");
	}

	@Test
	void timestamp() {
		assertThat(decode(PgTypeOids.TIMESTAMP, "2024-01-02 03:04:05.123456"))
			.isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
		assertThat(decode(PgTypeOids.TIMESTAMP, "2024-01-02 03:04:05"))
			.isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
		assertThat(decode(PgTypeOids.TIMESTAMP, "infinity")).isEqualTo(LocalDateTime.MAX);
		assertThat(decode(PgTypeOids.TIMESTAMP, "-infinity")).isEqualTo(LocalDateTime.MIN);
		assertThat(decode(PgTypeOids.TIMESTAMP, "0044-03-15 12:30:00 BC"))
			.isEqualTo(LocalDateTime.of(-43, 3, 15, 12, 30));
		assertThat(decode(PgTypeOids.TIMESTAMP, "294276-12-31 23:59:59.999999"))
			.isEqualTo(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000));
		assertFails(PgTypeOids.TIMESTAMP, "2024-01-02T03:04:05");
		assertFails(PgTypeOids.TIMESTAMP, "2024-01-02");
		assertFails(PgTypeOids.TIMESTAMP, "2024-01-02 24:00:00");
		assertFails(PgTypeOids.TIMESTAMP, "2024-01-02 03:04:05+01");
		assertFails(PgTypeOids.TIMESTAMP, "2024-01-02 03:04:05.1234567890");
	}

	@Test
	void timestamptz() {
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05.123456+01"))
			.isEqualTo(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000, ZoneOffset.ofHours(1)));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05+05:30"))
			.isEqualTo(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHoursMinutes(5, 30)));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "1850-06-01 00:00:00+05:30:15"))
			.isEqualTo(OffsetDateTime.of(1850, 6, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(5, 30, 15)));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "1883-11-18 11:59:59-04:56:02"))
			.isEqualTo(OffsetDateTime.of(1883, 11, 18, 11, 59, 59, 0, ZoneOffset.ofHoursMinutesSeconds(-4, -56, -2)));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "0044-03-15 12:00:00+00 BC"))
			.isEqualTo(OffsetDateTime.of(-43, 3, 15, 12, 0, 0, 0, ZoneOffset.UTC));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "infinity")).isEqualTo(OffsetDateTime.MAX);
		assertThat(decode(PgTypeOids.TIMESTAMPTZ, "-infinity")).isEqualTo(OffsetDateTime.MIN);
	}

	@Test
	void malformedTimestamptz() {
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05 BC");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05+01 AD");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05+1");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05+01:");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-02-30 03:04:05+01");
		assertFails(PgTypeOids.TIMESTAMPTZ, "2024-01-02 03:04:05Z");
	}

	// ------------------------------------------------------------------------------------------------
	// Arrays
	// ------------------------------------------------------------------------------------------------

	@Test
	void intArrayWithNulls() {
		assertThat(decode(PgTypeOids.INT4_ARRAY, "{1,-2,NULL,null,NuLl,3}"))
			.isEqualTo(Arrays.asList(1, -2, null, null, null, 3));
		assertThat(decode(PgTypeOids.INT2_ARRAY, "{7}")).isEqualTo(List.of((short) 7));
		assertThat(decode(PgTypeOids.INT8_ARRAY, "{9223372036854775807}")).isEqualTo(List.of(Long.MAX_VALUE));
		assertThat(decode(PgTypeOids.OID_ARRAY, "{4294967295,1}")).isEqualTo(List.of(4294967295L, 1L));
	}

	@Test
	void textArrayWithQuotesAndEscapes() {
		Object value = decode(PgTypeOids.TEXT_ARRAY,
				"{\"a,b\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"NULL\",NULL,\"\",plain,\"{x}\",\" sp \",\"héllo\"}");
		assertThat(value).isEqualTo(Arrays.asList("a,b", "say \"hi\"", "back\\slash", "NULL", null, "", "plain", "{x}",
				" sp ", "héllo"));
		assertThat(decode(PgTypeOids.VARCHAR_ARRAY, "{ a , b }")).isEqualTo(List.of("a", "b"));
		assertThat(decode(PgTypeOids.NAME_ARRAY, "{a\\,b,c}")).isEqualTo(List.of("a,b", "c"));
		assertThat(decode(PgTypeOids.BPCHAR_ARRAY, "{N\\ULL}")).isEqualTo(List.of("NULL"));
		assertThat(decode(PgTypeOids.CHAR_ARRAY, "{a,\"\\\\\"}")).isEqualTo(List.of("a", "\\"));
	}

	@Test
	void nestedArraysAndDimensionDecoration() {
		assertThat(decode(PgTypeOids.INT4_ARRAY, "{{1,2},{3,4}}")).isEqualTo(List.of(List.of(1, 2), List.of(3, 4)));
		assertThat(decode(PgTypeOids.TEXT_ARRAY, "{{{a}},{{\"b\"}}}"))
			.isEqualTo(List.of(List.of(List.of("a")), List.of(List.of("b"))));
		assertThat(decode(PgTypeOids.INT4_ARRAY, "[0:1]={1,2}")).isEqualTo(List.of(1, 2));
		assertThat(decode(PgTypeOids.INT4_ARRAY, "[-2:-1][1:2]={{1,NULL},{3,4}}"))
			.isEqualTo(List.of(Arrays.asList(1, null), List.of(3, 4)));
		assertThat(decode(PgTypeOids.INT4_ARRAY, "[3]={5,6,7}")).isEqualTo(List.of(5, 6, 7));
		assertThat(decode(PgTypeOids.INT4_ARRAY, "{}")).isEqualTo(List.of());
		assertThat((List<?>) decode(PgTypeOids.TEXT_ARRAY, " { } ")).isEmpty();
		assertThat(((List<?>) decode(PgTypeOids.INT4_ARRAY, "{{1,2},{3,4}}")).get(0)).isInstanceOf(List.class);
	}

	@Test
	void arraysOfOtherElementTypes() {
		List<?> bytea = (List<?>) decode(PgTypeOids.BYTEA_ARRAY, "{\"\\\\x0102\",NULL,\"\\\\x\"}");
		assertThat((byte[]) bytea.get(0)).containsExactly(1, 2);
		assertThat(bytea.get(1)).isNull();
		assertThat((byte[]) bytea.get(2)).isEmpty();
		assertThat(decode(PgTypeOids.BOOL_ARRAY, "{t,f,NULL}")).isEqualTo(Arrays.asList(true, false, null));
		assertThat(decode(PgTypeOids.NUMERIC_ARRAY, "{1.50,-2,NaN,Infinity}"))
			.isEqualTo(List.of(new BigDecimal("1.50"), new BigDecimal("-2"), Double.NaN, Double.POSITIVE_INFINITY));
		assertThat(decode(PgTypeOids.FLOAT8_ARRAY, "{1.5,-Infinity}")).isEqualTo(List.of(1.5d, Double.NEGATIVE_INFINITY));
		assertThat(decode(PgTypeOids.FLOAT4_ARRAY, "{0.25}")).isEqualTo(List.of(0.25f));
		assertThat(decode(PgTypeOids.DATE_ARRAY, "{2024-01-02,infinity,\"0044-03-15 BC\"}"))
			.isEqualTo(List.of(LocalDate.of(2024, 1, 2), LocalDate.MAX, LocalDate.of(-43, 3, 15)));
		assertThat(decode(PgTypeOids.TIME_ARRAY, "{13:45:01,24:00:00}")).isEqualTo(List.of(LocalTime.of(13, 45, 1), LocalTime.MAX));
		assertThat(decode(PgTypeOids.TIMESTAMP_ARRAY, "{\"2024-01-02 03:04:05\",-infinity}"))
			.isEqualTo(List.of(LocalDateTime.of(2024, 1, 2, 3, 4, 5), LocalDateTime.MIN));
		assertThat(decode(PgTypeOids.TIMESTAMPTZ_ARRAY, "{\"2024-01-02 03:04:05+01\",NULL}"))
			.isEqualTo(Arrays.asList(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(1)), null));
		assertThat(decode(PgTypeOids.UUID_ARRAY, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"))
			.isEqualTo(List.of(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")));
		assertThat(decode(PgTypeOids.JSON_ARRAY, "{\"{\\\"a\\\": 1}\",\"[1,2]\"}")).isEqualTo(List.of("{\"a\": 1}", "[1,2]"));
		assertThat(decode(PgTypeOids.JSONB_ARRAY, "{\"{\\\"k\\\": \\\"v\\\"}\"}")).isEqualTo(List.of("{\"k\": \"v\"}"));
	}

	@Test
	void malformedArrays() {
		int oid = PgTypeOids.INT4_ARRAY;
		assertFails(oid, "");
		assertFails(oid, "1,2");
		assertFails(oid, "{1,2");
		assertFails(oid, "{1,2,");
		assertFails(oid, "{1,,2}");
		assertFails(oid, "{,}");
		assertFails(oid, "{1,2}x");
		assertFails(oid, "{{1},2}");
		assertFails(oid, "{1,{2}}");
		assertFails(oid, "{1 2}");
		assertFails(oid, "[0:1]{1,2}");
		assertFails(oid, "[a:1]={1}");
		assertFails(oid, "[0:1={1}");
		assertFails(oid, "{{{{{{{1}}}}}}}");
		assertFails(PgTypeOids.TEXT_ARRAY, "{\"abc}");
		assertFails(PgTypeOids.TEXT_ARRAY, "{\"abc\\\"}");
		assertFails(PgTypeOids.TEXT_ARRAY, "{ab\"c}");
		assertFails(PgTypeOids.TEXT_ARRAY, "{abc\\");
		assertThat(decode(oid, "{{{{{{1}}}}}}")).isEqualTo(List.of(List.of(List.of(List.of(List.of(List.of(1)))))));
	}

	@Test
	void badArrayElementReportsArrayOidWithElementCause() {
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> decode(PgTypeOids.INT4_ARRAY, "{1,x}"))
			.satisfies(ex -> {
				assertThat(ex.typeOid()).isEqualTo(PgTypeOids.INT4_ARRAY);
				assertThat(ex.getCause()).isInstanceOf(ValueDecodingException.class);
				assertThat(((ValueDecodingException) ex.getCause()).typeOid()).isEqualTo(PgTypeOids.INT4);
			});
		assertFails(PgTypeOids.INT2_ARRAY, "{40000}");
		assertFails(PgTypeOids.DATE_ARRAY, "{2024-02-30}");
		assertFails(PgTypeOids.BYTEA_ARRAY, "{\"\\\\x1\"}");
	}

	// ------------------------------------------------------------------------------------------------
	// Buffer slices
	// ------------------------------------------------------------------------------------------------

	@Test
	void decodesSliceOfLargerBuffer() {
		byte[] buf = "xx-12345yy{1,2}zz2024-01-02ww".getBytes(StandardCharsets.US_ASCII);
		assertThat(ValueDecoder.decodeText(PgTypeOids.INT4, buf, 2, 6)).isEqualTo(-12345);
		assertThat(ValueDecoder.decodeText(PgTypeOids.INT4, buf, 3, 2)).isEqualTo(12);
		assertThat(ValueDecoder.decodeText(PgTypeOids.INT4_ARRAY, buf, 10, 5)).isEqualTo(List.of(1, 2));
		assertThat(ValueDecoder.decodeText(PgTypeOids.DATE, buf, 17, 10)).isEqualTo(LocalDate.of(2024, 1, 2));
		assertThat(ValueDecoder.decodeText(PgTypeOids.TEXT, buf, 0, 0)).isEqualTo("");
		assertThat(ValueDecoder.decodeText(PgTypeOids.TEXT, buf, buf.length, 0)).isEqualTo("");
	}

	@Test
	void outOfBoundsSliceIsRejected() {
		byte[] buf = "12345".getBytes(StandardCharsets.US_ASCII);
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeText(PgTypeOids.INT4, buf, -1, 2));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeText(PgTypeOids.INT4, buf, 0, -1));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeText(PgTypeOids.INT4, buf, 0, 6));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeText(PgTypeOids.INT4, buf, 4, 2));
		assertFails(PgTypeOids.INT4, () -> ValueDecoder.decodeText(PgTypeOids.INT4, buf, 6, 0));
		assertFails(PgTypeOids.TEXT_ARRAY,
				() -> ValueDecoder.decodeText(PgTypeOids.TEXT_ARRAY, buf, 1, Integer.MAX_VALUE));
		assertFails(PgTypeOids.TEXT,
				() -> ValueDecoder.decodeText(PgTypeOids.TEXT, buf, Integer.MAX_VALUE, Integer.MAX_VALUE));
		assertThatNullPointerException().isThrownBy(() -> ValueDecoder.decodeText(PgTypeOids.INT4, null, 0, 0));
	}

}
