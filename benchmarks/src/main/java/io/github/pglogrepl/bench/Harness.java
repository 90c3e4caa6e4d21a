package io.github.pglogrepl.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are: the JVM to start consumers with, pg_recvlogical, the consumers' classpaths (written by the
 * build into {@code target/}), the log directory.
 */
final class Harness {

	final String java;

	final String recvlogical;

	final String appClasspath;

	final String debeziumClasspath;

	final Path moduleDir;

	final Path logDir;

	Harness(String recvlogical) throws IOException, URISyntaxException {
		this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.recvlogical = recvlogical;
		Path classes = Path.of(Harness.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		Path target = classes.getParent();
		this.moduleDir = target.getParent();
		this.appClasspath = classes + File.pathSeparator
				+ Files.readString(target.resolve("classpath-app.txt"), StandardCharsets.UTF_8).trim();
		this.debeziumClasspath = classes + File.pathSeparator
				+ Files.readString(target.resolve("classpath-debezium.txt"), StandardCharsets.UTF_8).trim();
		if (this.appClasspath.contains("/io/github/pglogrepl/pglogrepl")) {
			Bench.log("WARNING: the consumers' classpath takes the project's modules from the local Maven repository, "
					+ "not from this checkout; build with -am (benchmarks/run.sh does)");
		}
		this.logDir = target.resolve("bench-logs");
		Files.createDirectories(this.logDir);
	}

}
