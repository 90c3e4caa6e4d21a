package io.github.pglogrepl.sample;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample on PostgreSQL in a Docker container (Testcontainers, {@link ContainerConfiguration}) with the
 * load generator on:
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run -Dspring-boot.run.main-class=io.github.pglogrepl.sample.TestcontainersSampleApplication}.
 */
public final class TestcontainersSampleApplication {

	private TestcontainersSampleApplication() {
	}

	/**
	 * @param args arguments
	 */
	public static void main(String[] args) {
		CleanExitOnTerm.register(start(args).getApplicationContext());
	}

	/**
	 * Starts the sample on a container.
	 * @param args arguments
	 * @return the running application
	 */
	static SpringApplication.Running start(String... args) {
		return SpringApplication.from(SampleApplication::main)
			.with(ContainerConfiguration.class)
			.withAdditionalProfiles("demo")
			.run(args);
	}

}
