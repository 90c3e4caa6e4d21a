package io.github.pglogrepl.reliability.app;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * The application under test: a plain Spring Boot application with the starter and one listener that records
 * every delivered row durably ({@link DurableRecorder}). The fault-injection tests run it in its own JVM
 * (to kill it with SIGKILL) or in the test JVM (when the fault is elsewhere).
 *
 * <p>Properties besides the starter's ({@code pglogrepl.*}):
 * <ul>
 * <li>{@code reliability.app.delivery-file}: the file every delivered row is appended to (fsync'd before the
 * listener returns);</li>
 * <li>{@code reliability.app.record}: {@code false} switches that listener off (the Kafka scenarios, where the
 * relay is what is under test and the records on the broker are what is checked);</li>
 * <li>{@code reliability.app.table}: only rows of this table are recorded (default: all tables);</li>
 * <li>{@code reliability.app.status-file}: a file rewritten every 100 ms with the stream's state (status,
 * reconnects, last error), read by the tests to see which instance streams;</li>
 * <li>{@code reliability.app.mirror-url}: switches on {@link MirrorApplier}, which applies every row event
 * (snapshot rows included) to a copy of the tables in this database (JDBC URL; {@code pglogrepl.username} and
 * {@code pglogrepl.password} are used for it too).</li>
 * </ul>
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class ReliabilityApp {

	@Bean
	@ConditionalOnProperty("reliability.app.delivery-file")
	@ConditionalOnBooleanProperty(name = "reliability.app.record", matchIfMissing = true)
	DurableRecorder durableRecorder(Environment environment) {
		return new DurableRecorder(java.nio.file.Path.of(environment.getRequiredProperty("reliability.app.delivery-file")),
				environment.getProperty("reliability.app.table"));
	}

	@Bean
	@ConditionalOnProperty("reliability.app.mirror-url")
	MirrorApplier mirrorApplier(Environment environment) {
		return new MirrorApplier(environment.getRequiredProperty("reliability.app.mirror-url"),
				environment.getProperty("pglogrepl.username"), environment.getProperty("pglogrepl.password"));
	}

	@Bean
	@ConditionalOnProperty("reliability.app.status-file")
	StatusFileWriter statusFileWriter(Environment environment, ReplicationStreamContainer container) {
		return new StatusFileWriter(java.nio.file.Path.of(environment.getRequiredProperty("reliability.app.status-file")),
				container);
	}

	/**
	 * Starts the application; it runs until the JVM is stopped (SIGTERM closes it gracefully) or killed.
	 * @param args Spring Boot arguments, e.g. {@code --pglogrepl.slot.name=s}
	 */
	public static void main(String[] args) {
		new SpringApplicationBuilder(ReliabilityApp.class).web(WebApplicationType.NONE).run(args);
	}

	/**
	 * Starts the application in this JVM.
	 * @param properties {@code key=value} properties
	 * @param extraSources further configuration classes (e.g. a test's own listener)
	 * @return the running context
	 */
	public static ConfigurableApplicationContext start(List<String> properties, Class<?>... extraSources) {
		List<Class<?>> sources = new ArrayList<>();
		sources.add(ReliabilityApp.class);
		sources.addAll(List.of(extraSources));
		return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

}
