package io.github.pglogrepl.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The sample: orders written to PostgreSQL come back as Spring events through the pglogrepl starter and are
 * shown live on the page at {@code /}.
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

	/**
	 * Starts the application against the configured database ({@code spring.datasource.*}).
	 * @param args arguments
	 */
	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
