package io.github.pglogrepl.reliability.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Short (default, part of {@code ./mvnw verify}) or long ({@code -Dreliability.long=true}) runs, and the
 * module's work directory.
 */
public final class Soak {

	/** Whether this is the long soak. */
	public static final boolean LONG = Boolean.getBoolean("reliability.long");

	private Soak() {
	}

	/**
	 * @param shortRun value for the short run
	 * @param longRun value for the long soak
	 * @return the one for this run
	 */
	public static int pick(int shortRun, int longRun) {
		return LONG ? longRun : shortRun;
	}

	/**
	 * @param name a sub directory
	 * @return a fresh (emptied) directory under {@code target/reliability}
	 */
	public static Path workDir(String name) {
		Path dir = Path.of(System.getProperty("reliability.work", "target/reliability")).toAbsolutePath().resolve(name);
		try {
			if (Files.exists(dir)) {
				try (var paths = Files.walk(dir)) {
					paths.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
				}
			}
			Files.createDirectories(dir);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return dir;
	}

	/**
	 * Waits for a condition, polling every 20 ms.
	 * @param what description for the failure
	 * @param timeout how long at most
	 * @param condition the condition
	 */
	public static void await(String what, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
			}
			sleep(20);
		}
	}

	/**
	 * @param millis how long to sleep
	 */
	public static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
	}

}
