package io.github.pglogrepl.sample;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * For the sample's development runners ({@code spring-boot:test-run}): a SIGTERM — what the Maven plugin sends
 * the application when Maven itself is stopped — ends the run with exit status 0 once the application has shut
 * down gracefully, instead of the JVM's 143, which the plugin reports as a BUILD FAILURE.
 */
final class CleanExitOnTerm {

	private CleanExitOnTerm() {
	}

	/**
	 * @param context the running application
	 */
	static void register(ConfigurableApplicationContext context) {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			// waits for Spring's own shutdown hook if it is closing the context already (close is synchronized)
			context.close();
			Runtime.getRuntime().halt(0);
		}, "sample-clean-exit"));
	}

}
