package io.github.pglogrepl.example;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

@RealPostgres
class DemoTest {

	@Test
	void demoPrintsDecodedChanges(TestPostgres pg) throws Exception {
		String table = TestPostgres.uniqueName("demo");
		String pub = TestPostgres.uniqueName("pub");
		pg.execute("CREATE TABLE " + table + " (id int primary key, name text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
		CompletableFuture<Void> demo = CompletableFuture.runAsync(() -> {
			try {
				Demo.run(pg.jdbcUrl(), pg.user(), pg.password(), pub, out, Duration.ofSeconds(4));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		Thread.sleep(1500);
		pg.execute("INSERT INTO " + table + " VALUES (1, 'hello')", "SELECT pg_logical_emit_message(false, 'demo', 'hi')");
		demo.get(30, TimeUnit.SECONDS);
		String printed = bytes.toString(StandardCharsets.UTF_8);
		assertThat(printed).contains("SystemID: ")
			.contains("INSERT public." + table + " {id=1, name=hello}")
			.contains("CommitMessage[")
			.contains("prefix=demo");
	}

	@Test
	void readmeShowsTheDemoCode() throws Exception {
		String source = Files.readString(Path.of("src/test/java/io/github/pglogrepl/example/Demo.java"));
		String snippet = source.substring(source.indexOf("// README-BEGIN") + 16, source.indexOf("		// README-END"))
			.stripIndent()
			.strip();
		String readme = Files.readString(Path.of("../README.md"));
		assertThat(readme.replace("\r", "")).as("README must show Demo.java's code verbatim")
			.contains(snippet.lines().map(String::strip).filter((l) -> !l.isEmpty()).findFirst().orElseThrow());
		for (String line : snippet.lines().map(String::strip).filter((l) -> !l.isEmpty()).toList()) {
			assertThat(readme).as("README line").contains(line);
		}
	}

}
