package io.github.pglogrepl.spring.snapshot;

import java.util.List;

/**
 * What a backfill reads.
 *
 * @param tables the tables ({@code orders}, {@code public.orders}, {@code "My Table"}: names as SQL writes them,
 * resolved with the search path); empty for every table the stream's publications publish
 * @param condition an optional SQL boolean expression on the table's columns, e.g. {@code created_at > now() -
 * interval '1 day'}, for a partial backfill; {@code null} for every row. It runs in a read-only transaction,
 * with the stream's database role, inside parentheses: it must be one balanced expression (no {@code ;}, no
 * comments, no unbalanced parenthesis, no backslash in a string literal); the server checks it on each table before
 * anything starts. Subqueries that read are allowed; a function that writes ({@code nextval(...)}, a function
 * running an {@code INSERT}) is accepted at start, since the check only plans the query, but fails the table at
 * its first chunk: "cannot execute nextval() in a read-only transaction".
 */
public record SnapshotRequest(List<String> tables, String condition) {

	/**
	 * Normalises a request: {@code null} tables mean all, a blank condition none.
	 */
	public SnapshotRequest {
		tables = (tables != null) ? List.copyOf(tables) : List.of();
		condition = (condition != null && !condition.isBlank()) ? condition.strip() : null;
	}

	/**
	 * @param tables the tables
	 * @return a request for every row of these tables
	 */
	public static SnapshotRequest of(String... tables) {
		return new SnapshotRequest(List.of(tables), null);
	}

}
