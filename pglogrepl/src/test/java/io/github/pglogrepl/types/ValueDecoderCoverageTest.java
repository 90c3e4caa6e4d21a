package io.github.pglogrepl.types;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins which type OIDs {@link ValueDecoder} decodes with a parser of their own in each format, and which fall
 * back to the format's default (text: the string; binary: a copy of the bytes). Told from the outside, by
 * decoding one probe value for every OID that fits in 16 bits, so that the sets hold whatever the dispatch
 * looks like inside.
 */
class ValueDecoderCoverageTest {

	private static final int[] ARRAYS = { PgTypeOids.BOOL_ARRAY, PgTypeOids.BYTEA_ARRAY, PgTypeOids.CHAR_ARRAY,
			PgTypeOids.NAME_ARRAY, PgTypeOids.INT2_ARRAY, PgTypeOids.INT4_ARRAY, PgTypeOids.TEXT_ARRAY,
			PgTypeOids.BPCHAR_ARRAY, PgTypeOids.VARCHAR_ARRAY, PgTypeOids.INT8_ARRAY, PgTypeOids.FLOAT4_ARRAY,
			PgTypeOids.FLOAT8_ARRAY, PgTypeOids.OID_ARRAY, PgTypeOids.TIMESTAMP_ARRAY, PgTypeOids.DATE_ARRAY,
			PgTypeOids.TIME_ARRAY, PgTypeOids.TIMESTAMPTZ_ARRAY, PgTypeOids.NUMERIC_ARRAY, PgTypeOids.UUID_ARRAY,
			PgTypeOids.JSON_ARRAY, PgTypeOids.JSONB_ARRAY };

	@Test
	void textFormatParsesTheseTypesAndReturnsAnyOtherAsItsText() {
		Set<Integer> expected = oids(ARRAYS, PgTypeOids.BOOL, PgTypeOids.INT2, PgTypeOids.INT4, PgTypeOids.INT8,
				PgTypeOids.OID, PgTypeOids.FLOAT4, PgTypeOids.FLOAT8, PgTypeOids.NUMERIC, PgTypeOids.BYTEA,
				PgTypeOids.UUID, PgTypeOids.DATE, PgTypeOids.TIME, PgTypeOids.TIMETZ, PgTypeOids.TIMESTAMP,
				PgTypeOids.TIMESTAMPTZ);
		byte[] probe = "x".getBytes(StandardCharsets.UTF_8);
		Set<Integer> parsed = new TreeSet<>();
		for (int oid : candidateOids()) {
			if (!"x".equals(decodeOrFailure(() -> ValueDecoder.decodeText(oid, probe, 0, probe.length)))) {
				parsed.add(oid);
			}
		}
		assertThat(parsed).isEqualTo(expected);
	}

	@Test
	void binaryFormatParsesTheseTypesAndReturnsAnyOtherAsItsBytes() {
		Set<Integer> expected = oids(ARRAYS, PgTypeOids.BOOL, PgTypeOids.INT2, PgTypeOids.INT4, PgTypeOids.INT8,
				PgTypeOids.OID, PgTypeOids.FLOAT4, PgTypeOids.FLOAT8, PgTypeOids.NUMERIC, PgTypeOids.CHAR,
				PgTypeOids.TEXT, PgTypeOids.VARCHAR, PgTypeOids.BPCHAR, PgTypeOids.NAME, PgTypeOids.JSON,
				PgTypeOids.XML, PgTypeOids.JSONB, PgTypeOids.UUID, PgTypeOids.DATE, PgTypeOids.TIME,
				PgTypeOids.TIMETZ, PgTypeOids.TIMESTAMP, PgTypeOids.TIMESTAMPTZ, PgTypeOids.INTERVAL);
		byte[] probe = { 1 };
		Set<Integer> parsed = new TreeSet<>();
		for (int oid : candidateOids()) {
			if (!(decodeOrFailure(() -> ValueDecoder.decodeBinary(oid, probe, 0, probe.length)) instanceof byte[])) {
				parsed.add(oid);
			}
		}
		assertThat(parsed).isEqualTo(expected);
	}

	@Test
	void everyTypeListedInPgTypeOidsHasAParserInOneFormatAtLeast() {
		byte[] text = "x".getBytes(StandardCharsets.UTF_8);
		byte[] binary = { 1 };
		for (int oid : candidateOids()) {
			boolean parsed = !"x".equals(decodeOrFailure(() -> ValueDecoder.decodeText(oid, text, 0, 1)))
					|| !(decodeOrFailure(() -> ValueDecoder.decodeBinary(oid, binary, 0, 1)) instanceof byte[]);
			assertThat(parsed).as("OID %d", oid).isEqualTo(PgTypeOids.isKnown(oid));
		}
	}

	private static int[] candidateOids() {
		return IntStream.concat(IntStream.range(0, 1 << 16),
				IntStream.of(-1, Integer.MIN_VALUE, 1 << 20, Integer.MAX_VALUE))
			.toArray();
	}

	private static Set<Integer> oids(int[] arrays, int... scalars) {
		Set<Integer> set = new TreeSet<>();
		IntStream.of(arrays).forEach(set::add);
		IntStream.of(scalars).forEach(set::add);
		return set;
	}

	/** The decoded value, or the exception's class: a parser of the type's own rejected the probe. */
	private static Object decodeOrFailure(Supplier<Object> decode) {
		try {
			return decode.get();
		}
		catch (ValueDecodingException ex) {
			return ex.getClass();
		}
	}

}
