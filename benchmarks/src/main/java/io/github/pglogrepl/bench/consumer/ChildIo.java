package io.github.pglogrepl.bench.consumer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The consumer side of the harness protocol. A consumer process gets its parameters as {@code --key value}
 * arguments, reports with lines {@code @bench <event> key=value ...} on stdout (times are
 * {@link System#nanoTime()} values, which on Linux share one clock across processes), and after its final
 * report waits until the harness closes its stdin: the harness reads the process's CPU time and peak RSS from
 * {@code /proc} while it is still alive, and the walsender's while the replication connection is still open.
 * Lines the harness sends on stdin (e.g. {@code expect 60000 1700000000000000}) go to a listener.
 */
public final class ChildIo {

	private final Map<String, String> args = new HashMap<>();

	private final Object lock = new Object();

	private boolean released;

	/**
	 * Parses arguments and starts reading stdin.
	 * @param argv {@code --key value} pairs
	 * @param commands receives each line from the harness other than the end of input
	 */
	public ChildIo(String[] argv, Consumer<String> commands) {
		for (int i = 0; i + 1 < argv.length; i += 2) {
			if (!argv[i].startsWith("--")) {
				throw new IllegalArgumentException("expected --key value, got " + argv[i]);
			}
			this.args.put(argv[i].substring(2), argv[i + 1]);
		}
		Thread stdin = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
				String line;
				while ((line = in.readLine()) != null) {
					if (commands != null) {
						commands.accept(line.trim());
					}
				}
			}
			catch (IOException ex) {
				// treated as release
			}
			synchronized (this.lock) {
				this.released = true;
				this.lock.notifyAll();
			}
		}, "bench-stdin");
		stdin.setDaemon(true);
		stdin.start();
		report("started", "main", System.nanoTime());
	}

	/**
	 * @param key argument name without dashes
	 * @return its value
	 */
	public String get(String key) {
		String value = this.args.get(key);
		if (value == null) {
			throw new IllegalArgumentException("missing --" + key);
		}
		return value;
	}

	/**
	 * @param key argument name
	 * @param fallback default
	 * @return its value or the default
	 */
	public String get(String key, String fallback) {
		return this.args.getOrDefault(key, fallback);
	}

	/**
	 * @param key argument name
	 * @return the value as a long
	 */
	public long getLong(String key) {
		return Long.parseLong(get(key));
	}

	/**
	 * Prints one report line.
	 * @param event what happened
	 * @param keyValues alternating keys and values
	 */
	public static void report(String event, Object... keyValues) {
		StringBuilder sb = new StringBuilder("@bench ").append(event);
		for (int i = 0; i + 1 < keyValues.length; i += 2) {
			sb.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
		}
		synchronized (System.out) {
			System.out.println(sb);
			System.out.flush();
		}
	}

	/**
	 * Reports the final result and blocks until the harness has taken its measurements.
	 * @param keyValues alternating keys and values
	 */
	public void done(Object... keyValues) {
		// the heap the JVM committed (most of its RSS), after the last row
		long committed = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
		Object[] all = java.util.Arrays.copyOf(keyValues, keyValues.length + 2);
		all[keyValues.length] = "heap_committed_kb";
		all[keyValues.length + 1] = committed / 1024;
		report("done", all);
		synchronized (this.lock) {
			while (!this.released) {
				try {
					this.lock.wait();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	/**
	 * Reports a failure and exits.
	 * @param ex the failure
	 */
	/** A consumer's body. */
	@FunctionalInterface
	public interface Body {

		void run(ChildIo io) throws Exception;

	}

	/**
	 * A consumer's {@code main}: parses the arguments, runs the body, reports a failure and exits.
	 * @param argv the command line
	 * @param commands handles lines the harness writes to stdin, or {@code null}
	 * @param body the consumer
	 */
	public static void main(String[] argv, Consumer<String> commands, Body body) {
		ChildIo io = new ChildIo(argv, commands);
		try {
			body.run(io);
		}
		catch (Throwable ex) {
			fail(ex);
		}
		System.exit(0);
	}

	public static void fail(Throwable ex) {
		ex.printStackTrace(System.out);
		report("failed", "error", String.valueOf(ex).replace('\n', ' ').replace(' ', '_'));
		System.exit(2);
	}

}
