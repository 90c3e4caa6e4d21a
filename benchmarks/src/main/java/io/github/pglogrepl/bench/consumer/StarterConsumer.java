package io.github.pglogrepl.bench.consumer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * The full starter: a Spring Boot application (no web server) with typed {@code @EventListener} methods for
 * {@code InsertEvent<BenchRow>} and {@code UpdateEvent<BenchRow>} that map every row to the record
 * ({@code newValue()}, so every column is decoded and converted) and count it; {@code ack-mode: auto}.
 * With {@code --listener untyped}: {@link UntypedListeners} instead (for comparison).
 *
 * <p>Mode {@code throughput}: ends after {@code --rows} rows. Mode {@code latency}: measures commit-to-listener
 * latency of every row (the transaction's commit time, from the server's clock, against the listener's
 * clock) and samples {@code pglogrepl.lag} ({@link StreamState#lagBytes()}) every 100 ms until the harness
 * says how many rows to expect ({@code expect <rows> <measure-from-epoch-micros>} on stdin).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StarterConsumer {

	static volatile long expected = Long.MAX_VALUE;

	static volatile long measureFromMicros;

	static final CountDownLatch finished = new CountDownLatch(1);

	static volatile boolean latencyMode;

	public static void main(String[] argv) {
		ChildIo.main(argv, StarterConsumer::command, StarterConsumer::run);
	}

	static void command(String line) {
		String[] parts = line.split(" ");
		if (parts.length == 3 && parts[0].equals("expect")) {
			measureFromMicros = Long.parseLong(parts[2]);
			expected = Long.parseLong(parts[1]);
			Listeners.check();
		}
	}

	static void run(ChildIo io) throws Exception {
		latencyMode = "latency".equals(io.get("mode", "throughput"));
		if (!latencyMode) {
			expected = io.getLong("rows");
		}
		List<String> props = new ArrayList<>(List.of("pglogrepl.url=" + io.get("url"),
				"pglogrepl.username=" + io.get("user"), "pglogrepl.slot.name=" + io.get("slot"),
				"pglogrepl.slot.create=never", "pglogrepl.publication.names=" + io.get("publication"),
				"pglogrepl.pgoutput.proto-version=" + io.get("proto", "1"),
				"pglogrepl.pgoutput.streaming=" + io.get("streaming", "off"), "spring.main.banner-mode=off",
				"logging.level.root=WARN", "spring.application.name=bench-starter",
				// the Kafka starter is on the classpath for K1/K2: this consumer stays as it was
				"spring.autoconfigure.exclude=org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"));
		long start = System.nanoTime();
		boolean untyped = "untyped".equals(io.get("listener", "typed"));
		Class<?> listeners = untyped ? UntypedListeners.class : Listeners.class;
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(StarterConsumer.class, listeners)
			.web(WebApplicationType.NONE)
			.properties(props.toArray(String[]::new))
			.run()) {
			ChildIo.report("ready", "at", System.nanoTime());
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			LagSampler lag = latencyMode ? LagSampler.start(container) : null;
			long timeoutSeconds = Long.parseLong(io.get("timeout", "1800"));
			if (!finished.await(timeoutSeconds, TimeUnit.SECONDS)) {
				throw new IllegalStateException("timed out with " + Listeners.rows + " rows");
			}
			List<Object> result = new ArrayList<>(List.of("rows", Listeners.rows, "commits", Listeners.commits,
					"start", start, "first", Listeners.first, "last", Listeners.last, "checksum", Listeners.checksum));
			if (lag != null) {
				lag.stop();
				result.addAll(Listeners.latencyStats());
				result.addAll(lag.stats(measureFromMicros));
			}
			io.done(result.toArray());
		}
	}

	static long nowMicros() {
		Instant now = Instant.now();
		return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
	}

	static long micros(Instant instant) {
		return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
	}

	/**
	 * Listeners without a row type (for comparison, not the default): {@code InsertEvent<ChangeRow>}, values read
	 * by column index from the core library's {@code Row}, no record mapping.
	 */
	public static class UntypedListeners {

		@EventListener
		public void inserted(InsertEvent<ChangeRow> event) {
			values(event.newRow(), event.commitTime());
		}

		@EventListener
		public void updated(UpdateEvent<ChangeRow> event) {
			values(event.newRow(), event.commitTime());
		}

		@EventListener
		public void committed(CommitEvent event) {
			Listeners.commits++;
		}

		private static void values(ChangeRow changeRow, Instant commitTime) {
			Row row = changeRow.row();
			long hash = 0;
			for (int i = 0; i < row.size(); i++) {
				Object value = row.get(i);
				hash += (value != null) ? value.hashCode() : 0;
			}
			Listeners.row(((Long) row.get(0)), hash, commitTime);
		}

	}

	/** The application's listeners. */
	public static class Listeners {

		static volatile long rows;

		static long commits;

		static long first;

		static volatile long last;

		static long checksum;

		static long[] commitMicros = new long[1024];

		static long[] latencyMicros = new long[1024];

		@EventListener
		public void inserted(InsertEvent<BenchRow> event) {
			BenchRow row = event.newValue();
			row(row.id(), row.qty(), event.commitTime());
		}

		@EventListener
		public void updated(UpdateEvent<BenchRow> event) {
			BenchRow row = event.newValue();
			row(row.id(), row.qty(), event.commitTime());
		}

		@EventListener
		public void committed(CommitEvent event) {
			commits++;
		}

		static void row(long id, long hash, Instant commitTime) {
			long now = System.nanoTime();
			checksum += id + hash;
			if (latencyMode) {
				int n = (int) rows;
				if (n == latencyMicros.length) {
					latencyMicros = Arrays.copyOf(latencyMicros, n * 2);
					commitMicros = Arrays.copyOf(commitMicros, n * 2);
				}
				long commit = micros(commitTime);
				commitMicros[n] = commit;
				latencyMicros[n] = nowMicros() - commit;
			}
			if (rows == 0) {
				first = now;
			}
			last = now;
			rows = rows + 1;
			check();
		}

		static synchronized void check() {
			if (rows >= expected) {
				finished.countDown();
			}
		}

		static List<Object> latencyStats() {
			return LatencyStats.of(commitMicros, latencyMicros, (int) rows, measureFromMicros);
		}

	}

	static long percentile(long[] sorted, double p) {
		return LatencyStats.percentile(sorted, p);
	}

	/** Samples the container's lag every 100 ms. */
	static final class LagSampler {

		private final ReplicationStreamContainer container;

		private final List<long[]> samples = new ArrayList<>();

		private volatile boolean running = true;

		private Thread thread;

		private LagSampler(ReplicationStreamContainer container) {
			this.container = container;
		}

		static LagSampler start(ReplicationStreamContainer container) {
			LagSampler sampler = new LagSampler(container);
			sampler.thread = new Thread(sampler::loop, "bench-lag");
			sampler.thread.setDaemon(true);
			sampler.thread.start();
			return sampler;
		}

		private void loop() {
			while (this.running) {
				StreamState state = this.container.state();
				synchronized (this.samples) {
					this.samples.add(new long[] { nowMicros(), state.lagBytes(), Math.round(state.lagSeconds() * 1000) });
				}
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		void stop() throws InterruptedException {
			this.running = false;
			this.thread.interrupt();
			this.thread.join();
		}

		List<Object> stats(long fromMicros) {
			List<long[]> window = new ArrayList<>();
			for (long[] s : this.samples) {
				if (s[0] >= fromMicros) {
					window.add(s);
				}
			}
			long[] bytes = window.stream().mapToLong((s) -> s[1]).sorted().toArray();
			long[] millis = window.stream().mapToLong((s) -> s[2]).sorted().toArray();
			return List.of("lag_samples", bytes.length, "lag_bytes_p50", percentile(bytes, 50), "lag_bytes_p99",
					percentile(bytes, 99), "lag_bytes_max", (bytes.length > 0) ? bytes[bytes.length - 1] : 0,
					"lag_time_ms_max", (millis.length > 0) ? millis[millis.length - 1] : 0);
		}

	}

}
