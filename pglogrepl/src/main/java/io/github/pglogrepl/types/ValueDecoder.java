package io.github.pglogrepl.types;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Converts column values sent by the {@code pgoutput} plugin into Java objects, from either of PostgreSQL's
 * two wire formats: the text output format ({@link #decodeText}) and the binary send format
 * ({@link #decodeBinary}, used when the subscription is started with {@code binary 'true'}).
 * <p>
 * Mapping of the types listed in {@link PgTypeOids}:
 * <table>
 * <caption>Java types produced</caption>
 * <tr><th>PostgreSQL type</th><th>Java type</th></tr>
 * <tr><td>bool</td><td>{@link Boolean}</td></tr>
 * <tr><td>int2</td><td>{@link Short}</td></tr>
 * <tr><td>int4</td><td>{@link Integer}</td></tr>
 * <tr><td>int8, oid (unsigned 32-bit)</td><td>{@link Long}</td></tr>
 * <tr><td>float4</td><td>{@link Float}</td></tr>
 * <tr><td>float8</td><td>{@link Double}</td></tr>
 * <tr><td>numeric</td><td>{@link BigDecimal}; the special values {@code NaN}, {@code Infinity} and
 * {@code -Infinity} become {@link Double#NaN}, {@link Double#POSITIVE_INFINITY} and
 * {@link Double#NEGATIVE_INFINITY}</td></tr>
 * <tr><td>text, varchar, bpchar, name, "char", json, jsonb, xml</td><td>{@link String}</td></tr>
 * <tr><td>bytea</td><td>{@code byte[]}</td></tr>
 * <tr><td>uuid</td><td>{@link UUID}</td></tr>
 * <tr><td>date</td><td>{@link LocalDate}; {@code infinity}/{@code -infinity} become {@link LocalDate#MAX}/
 * {@link LocalDate#MIN}</td></tr>
 * <tr><td>time</td><td>{@link LocalTime}; {@code 24:00:00} becomes {@link LocalTime#MAX}</td></tr>
 * <tr><td>timetz</td><td>{@link OffsetTime}</td></tr>
 * <tr><td>timestamp</td><td>{@link LocalDateTime}; infinities become {@link LocalDateTime#MAX}/
 * {@link LocalDateTime#MIN}</td></tr>
 * <tr><td>timestamptz</td><td>{@link OffsetDateTime}; infinities become {@link OffsetDateTime#MAX}/
 * {@link OffsetDateTime#MIN}</td></tr>
 * <tr><td>interval</td><td>{@link String} in PostgreSQL's default ({@code IntervalStyle = postgres})
 * output form, e.g. {@code 1 year 2 mons 3 days 04:05:06.789}</td></tr>
 * <tr><td>the array types</td><td>{@link List}{@code <Object>} (a new, mutable {@link ArrayList}) of the
 * element values; SQL NULL elements are {@code null}; a multidimensional array is a list of lists; an
 * empty array is an empty list</td></tr>
 * </table>
 * Dates and timestamps before the Christian era are mapped to the ISO proleptic calendar, which has a
 * year zero: {@code 0044-03-15 BC} becomes year {@code -43}.
 * <p>
 * Any value that does not conform to the format of its type (wrong length, bad syntax, out-of-range
 * fields, invalid UTF-8, a slice outside the buffer) is rejected with a {@link ValueDecodingException} carrying
 * the type OID passed by the caller (for an array, the array type's OID, with the element's failure as
 * the cause). No other exception escapes, except {@link NullPointerException} for a {@code null} buffer.
 * <p>
 * The class is stateless and thread-safe.
 */
public final class ValueDecoder {

	/**
	 * Built-in types have OIDs below PostgreSQL's {@code FirstGenbkiObjectId} (10000); a type above has no
	 * parser here.
	 */
	private static final int BUILT_IN_OIDS = 10_000;

	// The parsers live with their kind of value (PrimitiveDecoding, NumericDecoding, StringDecoding,
	// ByteaDecoding, UuidDecoding, DateTimeDecoding, IntervalDecoding, ArrayDecoding); these tables, one per
	// format, map each type OID to its parser. A type without an entry gets the format's default, which is
	// inline in decodeText/decodeBinary rather than an entry: text and varchar are the most common columns,
	// and a null check costs less than a call through the table.

	/** Text format parsers by type OID; {@code null}: the value is its text, as a {@link String}. */
	private static final TypeDecoder[] TEXT_DECODERS = textDecoders();

	/** Binary format parsers by type OID; {@code null}: the value is a copy of its bytes. */
	private static final TypeDecoder[] BINARY_DECODERS = binaryDecoders();

	private ValueDecoder() {
	}

	// ------------------------------------------------------------------------------------------------
	// Public API
	// ------------------------------------------------------------------------------------------------

	/**
	 * Decodes a value in PostgreSQL's text output format, as sent by {@code pgoutput} in text mode. The
	 * bytes are UTF-8 and date/time values are expected in the ISO {@code DateStyle}.
	 * <p>
	 * Types not listed in {@link PgTypeOids} are returned as a {@link String} holding the text unchanged;
	 * {@code interval} is returned as its text unchanged. See the class description for the other types.
	 * @param typeOid the PostgreSQL type OID of the column
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the slice lies outside {@code buf} or does not hold a valid value of
	 * the type
	 * @throws NullPointerException if {@code buf} is {@code null}
	 */
	public static Object decodeText(int typeOid, byte[] buf, int offset, int length) {
		checkBounds(typeOid, buf, offset, length);
		TypeDecoder decoder = decoderFor(TEXT_DECODERS, typeOid);
		if (decoder == null) {
			// text, varchar, bpchar, name, "char", json, jsonb, xml, interval and unknown types
			return StringDecoding.utf8(typeOid, buf, offset, length);
		}
		return decoder.decode(typeOid, buf, offset, length);
	}

	/**
	 * Decodes a value in PostgreSQL's binary send format, as sent by {@code pgoutput} when the
	 * subscription uses {@code binary 'true'}.
	 * <p>
	 * Types not listed in {@link PgTypeOids} are returned as a copy of the bytes ({@code byte[]}). A binary
	 * {@code interval} is rendered as a {@link String} exactly as PostgreSQL prints it with the default
	 * {@code IntervalStyle = postgres} (for example {@code 1 year 2 mons -3 days +04:05:06.5},
	 * {@code 00:00:00}, and {@code infinity}/{@code -infinity} for the infinite intervals of PostgreSQL 17),
	 * so that text and binary mode give the same string for servers with the default setting. A
	 * {@code bool} byte other than zero is {@code true}, as in PostgreSQL. A binary {@code numeric} whose
	 * digits exceed its display scale is truncated to that scale, as PostgreSQL's own receive function does.
	 * See the class description for the other types.
	 * @param typeOid the PostgreSQL type OID of the column
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the slice lies outside {@code buf} or does not hold a valid value of
	 * the type, including a length that does not fit the type
	 * @throws NullPointerException if {@code buf} is {@code null}
	 */
	public static Object decodeBinary(int typeOid, byte[] buf, int offset, int length) {
		checkBounds(typeOid, buf, offset, length);
		TypeDecoder decoder = decoderFor(BINARY_DECODERS, typeOid);
		if (decoder == null) {
			// bytea and unknown types
			return ByteaDecoding.binary(buf, offset, length);
		}
		return decoder.decode(typeOid, buf, offset, length);
	}

	// ------------------------------------------------------------------------------------------------
	// Dispatch
	// ------------------------------------------------------------------------------------------------

	private static void checkBounds(int typeOid, byte[] buf, int offset, int length) {
		Objects.requireNonNull(buf, "buf");
		if (offset < 0 || length < 0 || offset > buf.length - length) {
			throw new ValueDecodingException(typeOid, "slice [offset " + offset + ", length " + length
					+ "] is outside the buffer of " + buf.length + " bytes");
		}
	}

	private static TypeDecoder decoderFor(TypeDecoder[] decoders, int typeOid) {
		return (typeOid >= 0 && typeOid < decoders.length) ? decoders[typeOid] : null;
	}

	// ------------------------------------------------------------------------------------------------
	// The tables, built once
	// ------------------------------------------------------------------------------------------------

	private static TypeDecoder[] textDecoders() {
		TypeDecoder[] decoders = new TypeDecoder[BUILT_IN_OIDS];
		decoders[PgTypeOids.BOOL] = PrimitiveDecoding::textBool;
		decoders[PgTypeOids.INT2] = PrimitiveDecoding::textInt2;
		decoders[PgTypeOids.INT4] = PrimitiveDecoding::textInt4;
		decoders[PgTypeOids.INT8] = PrimitiveDecoding::textInt8;
		decoders[PgTypeOids.OID] = PrimitiveDecoding::textOid;
		decoders[PgTypeOids.FLOAT4] = PrimitiveDecoding::textFloat4;
		decoders[PgTypeOids.FLOAT8] = PrimitiveDecoding::textFloat8;
		decoders[PgTypeOids.NUMERIC] = NumericDecoding::text;
		decoders[PgTypeOids.BYTEA] = ByteaDecoding::text;
		decoders[PgTypeOids.UUID] = UuidDecoding::text;
		decoders[PgTypeOids.DATE] = DateTimeDecoding::textDate;
		decoders[PgTypeOids.TIME] = DateTimeDecoding::textTime;
		decoders[PgTypeOids.TIMETZ] = DateTimeDecoding::textTimeTz;
		decoders[PgTypeOids.TIMESTAMP] = DateTimeDecoding::textTimestamp;
		decoders[PgTypeOids.TIMESTAMPTZ] = DateTimeDecoding::textTimestampTz;
		// the string types and interval: their text is the value
		return withArrays(decoders, ArrayDecoding::text);
	}

	private static TypeDecoder[] binaryDecoders() {
		TypeDecoder[] decoders = new TypeDecoder[BUILT_IN_OIDS];
		decoders[PgTypeOids.BOOL] = PrimitiveDecoding::binaryBool;
		decoders[PgTypeOids.INT2] = PrimitiveDecoding::binaryInt2;
		decoders[PgTypeOids.INT4] = PrimitiveDecoding::binaryInt4;
		decoders[PgTypeOids.INT8] = PrimitiveDecoding::binaryInt8;
		decoders[PgTypeOids.OID] = PrimitiveDecoding::binaryOid;
		decoders[PgTypeOids.FLOAT4] = PrimitiveDecoding::binaryFloat4;
		decoders[PgTypeOids.FLOAT8] = PrimitiveDecoding::binaryFloat8;
		decoders[PgTypeOids.NUMERIC] = NumericDecoding::binary;
		decoders[PgTypeOids.TEXT] = StringDecoding::utf8;
		decoders[PgTypeOids.VARCHAR] = StringDecoding::utf8;
		decoders[PgTypeOids.BPCHAR] = StringDecoding::utf8;
		decoders[PgTypeOids.NAME] = StringDecoding::utf8;
		decoders[PgTypeOids.CHAR] = StringDecoding::binaryChar;
		decoders[PgTypeOids.JSON] = StringDecoding::utf8;
		decoders[PgTypeOids.JSONB] = StringDecoding::binaryJsonb;
		decoders[PgTypeOids.XML] = StringDecoding::utf8;
		// bytea: its bytes are the value
		decoders[PgTypeOids.UUID] = UuidDecoding::binary;
		decoders[PgTypeOids.DATE] = DateTimeDecoding::binaryDate;
		decoders[PgTypeOids.TIME] = DateTimeDecoding::binaryTime;
		decoders[PgTypeOids.TIMETZ] = DateTimeDecoding::binaryTimeTz;
		decoders[PgTypeOids.TIMESTAMP] = DateTimeDecoding::binaryTimestamp;
		decoders[PgTypeOids.TIMESTAMPTZ] = DateTimeDecoding::binaryTimestampTz;
		decoders[PgTypeOids.INTERVAL] = IntervalDecoding::binary;
		return withArrays(decoders, ArrayDecoding::binary);
	}

	/**
	 * Adds the decoder of every array type {@link PgTypeOids#elementTypeOf} knows, and cuts the table after its
	 * last entry.
	 */
	private static TypeDecoder[] withArrays(TypeDecoder[] decoders, IntFunction<TypeDecoder> arrayOfElement) {
		int last = 0;
		for (int oid = 0; oid < decoders.length; oid++) {
			int elementOid = PgTypeOids.elementTypeOf(oid);
			if (elementOid != 0) {
				decoders[oid] = arrayOfElement.apply(elementOid);
			}
			if (decoders[oid] != null) {
				last = oid;
			}
		}
		return Arrays.copyOf(decoders, last + 1);
	}

}
