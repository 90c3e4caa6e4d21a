package io.github.pglogrepl.spring.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SnapshotCondition}: the lexical check of a backfill's condition, without a server. What it lets through
 * must be one parenthesised expression as PostgreSQL's lexer reads it; the server-side checks (a prepared
 * statement, a read-only transaction) are tested in {@code SnapshotBadInputTest}.
 */
class SnapshotConditionTest {

	@ParameterizedTest
	@ValueSource(strings = { "id > 5", "created_at > now() - interval '1 day'", "name = 'O''Brien'",
			"\"Weird; Col\" = 1", "\"a'b\" = 'c\"d'", "name = ';' OR name = '--' OR name = '/*'",
			"name = $$a; b -- c$$", "name = $q$it's ); drop table t; --$q$", "name = $é$ ; $é$",
			"x$a$ = 1", "id IN (SELECT id FROM other WHERE v = 'a')", "name = E'abc'",
			"name = U&'d!0061t' UESCAPE '!'", "(a AND (b OR c))", "v ~ '^[a-z]+$'", "v = $1" })
	void acceptsOneBalancedExpression(String condition) {
		assertThat(SnapshotCondition.check(condition)).isEqualTo(condition);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			true); DROP TABLE t; --                            | a ')' without its '('
			1=1) OR (1=1                                       | a ')' without its '('
			(1=1) OR (1=1                                      | a '(' without its ')'
			id = 1; DROP TABLE t                               | a ';'
			(id = 1); (DROP TABLE t)                           | a ';'
			id = 1 -- and the rest                             | a comment
			id = 1 /* ) */                                     | a comment
			id = 1 /**/ OR true                                | a comment
			id =-- x                                           | a comment
			`E'\\'') ; DROP TABLE t; --`                       | a backslash in a string literal
			`name = '\\' OR true`                              | a backslash in a string literal
			x$a$ = 1) ; drop table t; select ($a$              | a ')' without its '('
			(x$a$ = 1) ; drop table t; select ($a$)            | a ';'
			name = $a$ never closed                            | an unterminated dollar-quoted string
			name = 'never closed                               | an unterminated string literal
			"never closed = 1                                  | an unterminated quoted identifier
			name = $€$ ; $€$                                   | a ';'
			name = $1a$ ; $1a$                                 | a ';'
			""")
	void refusesAnythingElseNamingWhat(String condition, String what) {
		assertThatExceptionOfType(SnapshotRequestException.class).isThrownBy(() -> SnapshotCondition.check(condition))
			.withMessageStartingWith("Invalid snapshot condition: it contains " + what + ";")
			.withMessageContaining("give one boolean expression on the table's columns");
	}

	@Test
	void refusesANulCharacter() {
		assertThatExceptionOfType(SnapshotRequestException.class)
			.isThrownBy(() -> SnapshotCondition.check("id = 1\0; DROP TABLE t"))
			.withMessageContaining("a NUL character");
	}

	@Test
	void aDollarAfterAnIdentifierDoesNotOpenAQuote() {
		// as in PostgreSQL, "x$a$" is one identifier: the ';' after it is outside any quote
		assertThatExceptionOfType(SnapshotRequestException.class)
			.isThrownBy(() -> SnapshotCondition.check("x$a$ = 1 ; select $a$"))
			.withMessageContaining("a ';'");
		// after a space it opens one, as in PostgreSQL
		assertThat(SnapshotCondition.check("x = $a$ ; select $a$")).isNotNull();
	}

	@Test
	void aDollarQuoteEndsAtTheFirstCopyOfItsTag() {
		assertThatExceptionOfType(SnapshotRequestException.class)
			.isThrownBy(() -> SnapshotCondition.check("x = $a$ $b$ $a$ ; $b$"))
			.withMessageContaining("a ';'");
	}

}
