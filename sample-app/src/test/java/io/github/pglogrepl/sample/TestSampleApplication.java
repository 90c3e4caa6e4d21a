package io.github.pglogrepl.sample;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample on an embedded PostgreSQL with the load generator on:
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}. Set {@code SPRING_DATASOURCE_URL}
 * (and user/password) to use your own server instead.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	/**
	 * @param args arguments
	 */
	public static void main(String[] args) {
		SpringApplication.Running running = SpringApplication.from(SampleApplication::main)
			.with(EmbeddedPostgresConfiguration.class)
			.withAdditionalProfiles("demo")
			.run(args);
		CleanExitOnTerm.register(running.getApplicationContext());
	}

}
