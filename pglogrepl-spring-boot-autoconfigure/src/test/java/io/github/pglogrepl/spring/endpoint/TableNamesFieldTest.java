package io.github.pglogrepl.spring.endpoint;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code tables} field of {@code POST /actuator/pglogrepl/snapshots}: one string of names separated by commas,
 * the names kept as written for the server to resolve.
 */
class TableNamesFieldTest {

	@Test
	void namesAreSeparatedByCommasOutsideDoubleQuotes() {
		assertThat(PgLogReplEndpoint.tableNames("orders")).containsExactly("orders");
		assertThat(PgLogReplEndpoint.tableNames(" orders , public.lines,")).containsExactly("orders", "public.lines");
		assertThat(PgLogReplEndpoint.tableNames("\"a,b\", \"x\"\"y, z\".\"q\"")).containsExactly("\"a,b\"",
				"\"x\"\"y, z\".\"q\"");
		assertThat(PgLogReplEndpoint.tableNames("public.t; DROP TABLE x, t")).containsExactly("public.t; DROP TABLE x",
				"t");
	}

	@Test
	void aFieldWithoutANameIsRefused() {
		assertThatExceptionOfType(SnapshotRequestException.class).isThrownBy(() -> PgLogReplEndpoint.tableNames(" , "))
			.withMessageContaining("leave \"tables\" out to read every published table");
	}

}
