package io.github.pglogrepl.spring.snapshot;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * With the defaults ({@code snapshot.mode=never}) the progress table is created by the first backfill, not at
 * every start: an application that never snapshots, or whose role may not create tables, is left alone.
 */
@RealPostgres
class ProgressTableTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final TestPostgres pg;

	ProgressTableTest(TestPostgres pg) {
		this.pg = pg;
	}

	@Test
	void theProgressTableIsCreatedByTheFirstBackfill() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id int PRIMARY KEY");
		this.pg.execute("INSERT INTO " + t[0] + " SELECT generate_series(1, 10)");
		String progress = t[0] + "_progress";
		List<String> props = StreamTestSupport.properties(this.pg, t[1], t[1]);
		props.add("pglogrepl.snapshot.progress-table=" + progress);
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props)) {
			Snapshots snapshots = context.getBean(Snapshots.class);
			// a request waits until the progress store was looked at; a refused one writes nothing
			assertThatExceptionOfType(SnapshotRequestException.class)
				.isThrownBy(() -> snapshots.start(SnapshotRequest.of("no_such_table")));
			assertThat(this.pg.queryString("SELECT to_regclass('" + progress + "') IS NULL")).isEqualTo("t");
			SnapshotProgress started = snapshots.start(SnapshotRequest.of(t[0]));
			assertThat(this.pg.queryString("SELECT to_regclass('" + progress + "') IS NULL")).isEqualTo("f");
			StreamTestSupport.await("the backfill", () -> snapshots.get(started.id())
				.map((p) -> p.status() == SnapshotStatus.COMPLETED)
				.orElse(false), TIMEOUT);
			assertThat(this.pg.queryString("SELECT rows_delivered FROM " + progress)).isEqualTo("10");
		}
	}

}
