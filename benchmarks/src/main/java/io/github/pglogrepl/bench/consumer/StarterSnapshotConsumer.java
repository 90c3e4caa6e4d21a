package io.github.pglogrepl.bench.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.SnapshotTableCompletedEvent;
import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.Snapshots;

/**
 * The starter reading snapshots: a Spring Boot application (no web server) with a typed
 * {@code @EventListener} on {@code SnapshotEvent<SnapRow>} that maps every row to the record ({@code newValue()})
 * and counts it, and one on {@link SnapshotTableCompletedEvent}.
 *
 * <p>Mode {@code snapshot} (S1): {@code pglogrepl.snapshot.mode=initial} with {@code --threads} reader threads and
 * the progress store {@code --progress-store} (default {@code table}); ends when {@code --tables} tables completed,
 * reporting the rows, the first and last row's time and the completion time.
 *
 * <p>Mode {@code backfill} (S2): {@code snapshot.mode=never}; streams live, with {@link StarterConsumer.Listeners}
 * measuring commit-to-listener latency of {@code InsertEvent<BenchRow>}; on {@code backfill <table>} from the
 * harness it starts a backfill through the {@link Snapshots} bean ({@code @bench backfill-started}), reports
 * {@code @bench snapshot-completed} when the table completed, and ends once the harness's {@code expect} rows of
 * live changes arrived.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StarterSnapshotConsumer {

	static volatile Snapshots snapshots;

	static final CountDownLatch contextReady = new CountDownLatch(1);

	public static void main(String[] argv) {
		ChildIo.main(argv, StarterSnapshotConsumer::command, StarterSnapshotConsumer::run);
	}

	static void command(String line) {
		if (line.startsWith("backfill ")) {
			String table = line.substring("backfill ".length()).trim();
			try {
				contextReady.await();
				long at = System.nanoTime();
				long micros = StarterConsumer.nowMicros();
				SnapshotProgress progress = snapshots.start(SnapshotRequest.of(table));
				ChildIo.report("backfill-started", "at", at, "micros", micros, "id", progress.id());
			}
			catch (Exception ex) {
				ChildIo.fail(ex);
			}
			return;
		}
		StarterConsumer.command(line);
	}

	static void run(ChildIo io) throws Exception {
		boolean backfill = "backfill".equals(io.get("mode", "snapshot"));
		SnapshotListeners.tablesExpected = Integer.parseInt(io.get("tables", "1"));
		List<String> props = new ArrayList<>(List.of("pglogrepl.url=" + io.get("url"),
				"pglogrepl.username=" + io.get("user"), "pglogrepl.slot.name=" + io.get("slot"),
				"pglogrepl.slot.create=never", "pglogrepl.publication.names=" + io.get("publication"),
				"pglogrepl.snapshot.mode=" + (backfill ? "never" : "initial"),
				"pglogrepl.snapshot.threads=" + io.get("threads", "1"),
				"pglogrepl.snapshot.progress-store=" + io.get("progress-store", "table"),
				"spring.main.banner-mode=off", "logging.level.root=WARN",
				"spring.autoconfigure.exclude=org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration", 
				"logging.level.io.github.pglogrepl.spring.stream.TableSnapshot=INFO",
				"spring.application.name=bench-starter-snapshot"));
		if (io.get("chunk-size", null) != null) {
			props.add("pglogrepl.snapshot.chunk-size=" + io.get("chunk-size"));
		}
		long start = System.nanoTime();
		List<Class<?>> sources = new ArrayList<>(List.of(StarterSnapshotConsumer.class, SnapshotListeners.class));
		if (backfill) {
			StarterConsumer.latencyMode = true;
			sources.add(StarterConsumer.Listeners.class);
		}
		long timeoutSeconds = Long.parseLong(io.get("timeout", "1800"));
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
			.web(WebApplicationType.NONE)
			.properties(props.toArray(String[]::new))
			.run()) {
			snapshots = context.getBean(Snapshots.class);
			contextReady.countDown();
			ChildIo.report("ready", "at", System.nanoTime());
			if (!backfill) {
				if (!SnapshotListeners.completed.await(timeoutSeconds, TimeUnit.SECONDS)) {
					throw new IllegalStateException("timed out with " + SnapshotListeners.rows + " snapshot rows");
				}
				io.done("rows", SnapshotListeners.rows, "start", start, "first", SnapshotListeners.first, "last",
						SnapshotListeners.last, "completed", SnapshotListeners.completedAt, "checksum",
						SnapshotListeners.checksum, "snap_event_rows", SnapshotListeners.eventRows, "snap_chunks",
						chunks(false), "snap_chunks_read_again", chunks(true));
				return;
			}
			StarterConsumer.LagSampler lag = StarterConsumer.LagSampler
				.start(context.getBean(io.github.pglogrepl.spring.stream.ReplicationStreamContainer.class));
			if (!StarterConsumer.finished.await(timeoutSeconds, TimeUnit.SECONDS)) {
				throw new IllegalStateException("timed out with " + StarterConsumer.Listeners.rows + " live rows");
			}
			lag.stop();
			List<Object> result = new ArrayList<>(List.of("rows", StarterConsumer.Listeners.rows, "start", start,
					"first", StarterConsumer.Listeners.first, "last", StarterConsumer.Listeners.last, "snap_rows",
					SnapshotListeners.rows, "snap_first", SnapshotListeners.first, "snap_last", SnapshotListeners.last,
					"snap_completed", SnapshotListeners.completedAt, "snap_event_rows", SnapshotListeners.eventRows,
					"snap_chunks", chunks(false), "snap_chunks_read_again", chunks(true)));
			result.addAll(StarterConsumer.Listeners.latencyStats());
			result.addAll(lag.stats(StarterConsumer.measureFromMicros));
			io.done(result.toArray());
		}
	}

	/** @return chunks delivered (or read again) over all snapshots and tables */
	static long chunks(boolean readAgain) {
		long n = 0;
		for (SnapshotProgress p : snapshots.list()) {
			for (SnapshotProgress.TableProgress t : p.tables()) {
				n += readAgain ? t.chunksReadAgain() : t.chunks();
			}
		}
		return n;
	}

	/** The snapshot listeners. */
	public static class SnapshotListeners {

		static volatile int tablesExpected = 1;

		static volatile long rows;

		static volatile long first;

		static volatile long last;

		static volatile long completedAt;

		static long checksum;

		static int tablesCompleted;

		/** rows the SnapshotTableCompletedEvents reported */
		static volatile long eventRows;

		static final CountDownLatch completed = new CountDownLatch(1);

		@EventListener
		public void row(SnapshotEvent<SnapRow> event) {
			SnapRow row = event.newValue();
			long now = System.nanoTime();
			checksum += row.id() + row.qty();
			if (rows == 0) {
				first = now;
			}
			last = now;
			rows = rows + 1;
		}

		@EventListener
		public void tableCompleted(SnapshotTableCompletedEvent event) {
			long now = System.nanoTime();
			eventRows += event.rows();
			ChildIo.report("snapshot-table-completed", "at", now, "table", event.table(), "rows", event.rows(),
					"ms", event.duration().toMillis());
			if (++tablesCompleted >= tablesExpected) {
				completedAt = now;
				ChildIo.report("snapshot-completed", "at", now, "rows", rows);
				completed.countDown();
			}
		}

	}

}
