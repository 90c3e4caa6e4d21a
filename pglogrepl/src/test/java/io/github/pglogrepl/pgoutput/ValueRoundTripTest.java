package io.github.pglogrepl.pgoutput;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.pglogrepl.test.LogicalStream;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Column values written with SQL come back as the documented Java types, in text and in binary mode.
 */
@RealPostgres
class ValueRoundTripTest {

	private final TestPostgres pg;

	ValueRoundTripTest(TestPostgres pg) {
		this.pg = pg;
	}

	static Stream<Arguments> values() {
		List<Object[]> cases = List.of(
				new Object[] { "bool", "true", Boolean.TRUE },
				new Object[] { "int2", "-32768", (short) -32768 },
				new Object[] { "int4", "2147483647", 2147483647 },
				new Object[] { "int8", "-9223372036854775808", Long.MIN_VALUE },
				new Object[] { "float4", "1.5", 1.5f },
				new Object[] { "float8", "-1.25e300", -1.25e300 },
				new Object[] { "float8", "'NaN'", Double.NaN },
				new Object[] { "numeric(12,3)", "12345.678", new BigDecimal("12345.678") },
				new Object[] { "numeric", "-0.0001", new BigDecimal("-0.0001") },
				new Object[] { "numeric", "'NaN'", Double.NaN },
				new Object[] { "text", "'héllo \"q\" ''s'", "héllo \"q\" 's" },
				new Object[] { "varchar(10)", "'abc'", "abc" },
				new Object[] { "char(5)", "'ab'", "ab   " },
				new Object[] { "bytea", "'\\x00ff10'", new byte[] { 0, -1, 16 } },
				new Object[] { "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11") },
				new Object[] { "date", "'2024-02-29'", LocalDate.of(2024, 2, 29) },
				new Object[] { "date", "'infinity'", LocalDate.MAX },
				new Object[] { "time", "'13:45:01.123456'", LocalTime.of(13, 45, 1, 123_456_000) },
				new Object[] { "timestamp", "'2024-02-29 13:45:01.5'", LocalDateTime.of(2024, 2, 29, 13, 45, 1, 500_000_000) },
				new Object[] { "timestamptz", "'2024-02-29 13:45:01.5+02'", OffsetDateTime.parse("2024-02-29T11:45:01.5Z") },
				new Object[] { "json", "'{\"a\": [1, 2]}'", "{\"a\": [1, 2]}" },
				new Object[] { "jsonb", "'{\"a\":[1,2]}'", "{\"a\": [1, 2]}" },
				new Object[] { "int4[]", "'{1,NULL,3}'", Arrays.asList(1, null, 3) },
				new Object[] { "text[]", "ARRAY['a b', 'c\"d', NULL, 'NULL']", Arrays.asList("a b", "c\"d", null, "NULL") },
				new Object[] { "int8[]", "'{{1,2},{3,4}}'", List.of(List.of(1L, 2L), List.of(3L, 4L)) },
				new Object[] { "numeric[]", "'{1.5,-2}'", List.of(new BigDecimal("1.5"), new BigDecimal("-2")) },
				new Object[] { "int4", "NULL", null });
		return cases.stream()
			.flatMap((c) -> Stream.of(Arguments.of(c[0], c[1], c[2], false), Arguments.of(c[0], c[1], c[2], true)));
	}

	@ParameterizedTest(name = "{0} {1} binary={3}")
	@MethodSource("values")
	void valueIsDecodedToItsJavaType(String type, String literal, Object expected, boolean binary) throws SQLException {
		String table = TestPostgres.uniqueName("v");
		String pub = TestPostgres.uniqueName("pub");
		this.pg.execute("CREATE TABLE " + table + " (id int primary key, v " + type + ")",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table);
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("INSERT INTO " + table + " VALUES (1, " + literal + ")");
			s.start(PgOutputOptions.builder().protoVersion(1).publications(pub).binary(binary).build());
			List<PgOutputMessage> messages = s.collectUntil(CommitMessage.class::isInstance, Duration.ofSeconds(20));
			InsertMessage insert = (InsertMessage) messages.get(2);
			TupleData.Kind kind = insert.newTuple().kind(1);
			if (expected == null) {
				assertThat(kind).isEqualTo(TupleData.Kind.NULL);
			}
			else {
				assertThat(kind).isEqualTo(binary ? TupleData.Kind.BINARY : TupleData.Kind.TEXT);
			}
			Object actual = insert.newRow().get("v");
			if (expected instanceof OffsetDateTime odt) {
				assertThat(actual).isInstanceOf(OffsetDateTime.class);
				assertThat(((OffsetDateTime) actual).toInstant()).isEqualTo(odt.toInstant());
			}
			else {
				assertThat(actual).isEqualTo(expected);
			}
		}
	}

}
