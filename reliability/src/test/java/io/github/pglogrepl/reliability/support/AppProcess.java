package io.github.pglogrepl.reliability.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.pglogrepl.reliability.app.ReliabilityApp;

/**
 * The application under test ({@link ReliabilityApp}) in its own JVM, on the test classpath, so that it can
 * be killed with SIGKILL. Its rows go to {@code <name>.deliveries}, its state to {@code <name>.status}, its
 * output to {@code <name>.log}, all in the given directory.
 */
public final class AppProcess implements AutoCloseable {

	private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
				"reliability-app-reaper"));
	}

	private final String name;

	private final Process process;

	private final Path deliveryFile;

	private final Path statusFile;

	private final Path logFile;

	private AppProcess(String name, Process process, Path deliveryFile, Path statusFile, Path logFile) {
		this.name = name;
		this.process = process;
		this.deliveryFile = deliveryFile;
		this.statusFile = statusFile;
		this.logFile = logFile;
	}

	/**
	 * Starts the application.
	 * @param name instance name (file names, application_name)
	 * @param dir where its files go
	 * @param properties {@code key=value} application properties
	 * @return the running process
	 */
	public static AppProcess start(String name, Path dir, List<String> properties) {
		Path deliveries = dir.resolve(name + ".deliveries");
		Path status = dir.resolve(name + ".status");
		Path log = dir.resolve(name + ".log");
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-cp",
				System.getProperty("java.class.path"), ReliabilityApp.class.getName()));
		for (String property : properties) {
			command.add("--" + property);
		}
		command.add("--reliability.app.delivery-file=" + deliveries);
		command.add("--reliability.app.status-file=" + status);
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			RUNNING.add(process);
			return new AppProcess(name, process, deliveries, status, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * @return the instance name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * @return its delivery file
	 */
	public Path deliveryFile() {
		return this.deliveryFile;
	}

	/**
	 * @return whether the JVM runs
	 */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * @return the stream's state as last written by the application (empty before it started)
	 */
	public Map<String, String> status() {
		Properties props = new Properties();
		try {
			if (Files.exists(this.statusFile)) {
				try (var reader = Files.newBufferedReader(this.statusFile)) {
					props.load(reader);
				}
			}
		}
		catch (IOException ex) {
			// being replaced: read again next time
		}
		Map<String, String> result = new java.util.HashMap<>();
		props.forEach((k, v) -> result.put((String) k, (String) v));
		return result;
	}

	/**
	 * @return the status ({@code STREAMING}, {@code STANDBY}, ...), or {@code null}
	 */
	public String streamStatus() {
		return status().get("status");
	}

	/**
	 * Kills the JVM with SIGKILL and waits until it is gone.
	 */
	public void kill() {
		this.process.destroyForcibly();
		waitFor();
	}

	/**
	 * Stops the JVM with SIGTERM (a graceful Spring shutdown), killing it after 30 s.
	 */
	public void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		waitFor();
	}

	private void waitFor() {
		try {
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		RUNNING.remove(this.process);
	}

	/**
	 * @return the last lines of its output, for failure messages
	 */
	public String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.logFile);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			waitFor();
		}
	}

}
