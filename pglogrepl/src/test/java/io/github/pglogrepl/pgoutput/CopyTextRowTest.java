package io.github.pglogrepl.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link TupleData#fromCopyText}: every value of a {@code COPY ... TO STDOUT} row reads back as the server's
 * text output of that value (what pgoutput sends in text mode), compared with the values of the same query read
 * through pgjdbc in text format.
 */
@RealPostgres
@Tag("all-versions")
class CopyTextRowTest {

	private final TestPostgres pg;

	CopyTextRowTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Test
	void copyRowsReadBackAsTheServersTextOutput() throws Exception {
		String table = TestPostgres.uniqueName("copy_text");
		this.pg.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, t text, b bytea, j jsonb, a text[], "
				+ "ts timestamptz, n numeric, c char(4), e text)",
				"INSERT INTO " + table + " VALUES "
						+ "(1, E'tab\\there\\nnew line\\\\ back\\rcr', '\\x00ff5c', '{\"k\": \"v\\\\t\"}', "
						+ "'{\"a,b\",NULL,\"c\\\\\\\\d\"}', '2024-02-29 13:45:01.5+02', 'NaN', 'ab', ''),"
						+ "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
						+ "(3, E'\\\\N', E'\\\\x', 'null', '{}', 'infinity', '-0.000100', 'abcd', E'\\u00e9\\u20ac\\U0001F600 \\x01\\x0b\\x0c\\x08')");
		String query = "SELECT * FROM " + table + " ORDER BY id";
		List<byte[]> lines = new ArrayList<>();
		Properties text = new Properties();
		text.putAll(this.pg.properties());
		text.setProperty("binaryTransfer", "false");
		try (Connection c = java.sql.DriverManager.getConnection(this.pg.jdbcUrl(), text)) {
			CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT");
			byte[] row;
			while ((row = copy.readFromCopy()) != null) {
				lines.add(row);
			}
			try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
				int columns = rs.getMetaData().getColumnCount();
				int n = 0;
				while (rs.next()) {
					TupleData tuple = TupleData.fromCopyText(lines.get(n++), columns);
					for (int i = 0; i < columns; i++) {
						String expected = rs.getString(i + 1);
						assertThat(tuple.isNull(i)).as("NULL in row %d column %d", n, i + 1).isEqualTo(expected == null);
						assertThat(tuple.text(i)).as("row %d column %d", n, i + 1).isEqualTo(expected);
					}
				}
				assertThat(n).isEqualTo(lines.size()).isEqualTo(3);
			}
		}
	}

	@Test
	void malformedRowsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> TupleData.fromCopyText(bytes("1\t2\n"), 3))
			.withMessageContaining("2 values, expected 3");
		assertThatIllegalArgumentException().isThrownBy(() -> TupleData.fromCopyText(bytes("1\t2\t3\n"), 2))
			.withMessageContaining("more than 2");
		assertThatIllegalArgumentException().isThrownBy(() -> TupleData.fromCopyText(bytes("a\\"), 1))
			.withMessageContaining("backslash");
		TupleData tuple = TupleData.fromCopyText(bytes("\\N\t\t\\101\\x41\\q"), 3);
		assertThat(tuple.isNull(0)).isTrue();
		assertThat(tuple.text(1)).isEmpty();
		assertThat(tuple.text(2)).isEqualTo("AAq");
	}

	private static byte[] bytes(String s) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

}
