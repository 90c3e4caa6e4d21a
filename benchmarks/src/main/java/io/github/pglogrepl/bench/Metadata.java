package io.github.pglogrepl.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.springframework.boot.SpringBootVersion;

/**
 * The machine and software a run was made on.
 */
final class Metadata {

	static Metadata last;

	final Map<String, String> machine = new LinkedHashMap<>();

	final Map<String, String> software = new LinkedHashMap<>();

	String options;

	static Metadata collect(Server server, Harness harness, Bench.Options options) throws Exception {
		Metadata m = new Metadata();
		m.machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
		m.machine.put("CPU", ProcFs.cpuModel());
		m.machine.put("RAM", String.format(Locale.ROOT, "%.1f GiB", ProcFs.memTotalGib()));
		m.machine.put("kernel", ProcFs.kernel());
		m.software.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		m.software.put("PostgreSQL", server.queryString("SHOW server_version") + " (embedded, zonky binaries)");
		m.software.put("pg_recvlogical",
				(harness.recvlogical != null) ? command(harness.recvlogical, "--version") : "not found");
		m.software.put("pgjdbc", org.postgresql.util.DriverInfo.DRIVER_VERSION);
		m.software.put("Spring Boot", SpringBootVersion.getVersion());
		Properties versions = new Properties();
		try (InputStream in = Metadata.class.getResourceAsStream("/bench-versions.properties")) {
			if (in != null) {
				versions.load(in);
			}
		}
		m.software.put("Debezium", versions.getProperty("debezium.version", "?"));
		m.software.put("Kafka", "broker " + versions.getProperty("kafka.broker.version", "?")
				+ " (KRaft, spring-kafka-test's EmbeddedKafkaKraftBroker, own JVM), kafka-clients "
				+ versions.getProperty("kafka.clients.version", "?") + " in both Kafka consumers");
		String commit = command("git", "-C", harness.moduleDir.toString(), "rev-parse", "--short", "HEAD");
		m.software.put("pglogrepl commit", commit);
		m.options = options.describe();
		last = m;
		return m;
	}

	static String command(String... cmd) {
		try {
			Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
			String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			p.waitFor();
			return (p.exitValue() == 0) ? out : "?";
		}
		catch (IOException | InterruptedException ex) {
			return "?";
		}
	}

	String oneLine() {
		return this.machine + " " + this.software;
	}

}
