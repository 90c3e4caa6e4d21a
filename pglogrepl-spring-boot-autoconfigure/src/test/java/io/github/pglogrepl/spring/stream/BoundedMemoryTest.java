package io.github.pglogrepl.spring.stream;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transaction far larger than the heap flows through: the application runs in its own JVM with
 * {@code -Xmx48m} and receives every row of a 400,000-row transaction (about 90 MB of pgoutput data, which
 * would not fit if buffered whole).
 */
@RealPostgres
@SuppressWarnings("try") // resources held open by try-with-resources (and closed early where the test needs it)
class BoundedMemoryTest {

	static final int ROWS = 400_000;

	@Test
	void aTransactionLargerThanTheHeapFlowsThrough(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key, payload text");
		String slot = TestPostgres.uniqueName("slot");
		pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
		pg.execute("INSERT INTO " + tp[0] + " SELECT g, repeat('x', 200) FROM generate_series(1, " + ROWS + ") g");
		Path out = Files.createTempFile("bounded", ".txt");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-Xmx48m", "-XX:+ExitOnOutOfMemoryError", "-cp",
				System.getProperty("java.class.path"), Consumer.class.getName(), pg.jdbcUrl(), slot, tp[1], out.toString())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolveSibling(out.getFileName() + ".log").toFile()));
		Process process = builder.start();
		try {
			assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("consumer finished").isTrue();
			String log = Files.readString(out.resolveSibling(out.getFileName() + ".log"));
			assertThat(process.exitValue()).as("consumer exit code; log:%n%s", log).isZero();
			List<String> result = Files.readAllLines(out);
			assertThat(result).containsExactly("rows=" + ROWS, "commits=1");
		}
		finally {
			process.destroyForcibly();
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
			Files.deleteIfExists(out);
		}
	}

	/** The application under test, run in a JVM with a small heap. */
	public static final class Consumer {

		static final AtomicLong rows = new AtomicLong();

		static final AtomicLong commits = new AtomicLong();

		@Configuration(proxyBeanMethods = false)
		static class Listener {

			@Bean
			Object counter() {
				return new Object() {
					@EventListener
					void on(InsertEvent<ChangeRow> event) {
						rows.incrementAndGet();
					}

					@EventListener
					void on(CommitEvent event) {
						commits.incrementAndGet();
					}
				};
			}

		}

		public static void main(String[] args) throws Exception {
			List<String> props = new java.util.ArrayList<>(List.of("spring.datasource.url=" + args[0],
					"pglogrepl.slot.name=" + args[1], "pglogrepl.slot.create=never", "pglogrepl.publication.names=" + args[2],
					"spring.main.banner-mode=off", "logging.level.root=WARN"));
			try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Listener.class)) {
				long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
				while (commits.get() < 1 && System.nanoTime() < deadline) {
					Thread.sleep(50);
				}
			}
			Files.write(new File(args[3]).toPath(), List.of("rows=" + rows.get(), "commits=" + commits.get()));
			System.exit(0);
		}

	}

}
