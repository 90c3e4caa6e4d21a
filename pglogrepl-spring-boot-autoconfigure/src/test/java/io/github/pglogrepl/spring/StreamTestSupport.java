package io.github.pglogrepl.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.test.TestPostgres;

/**
 * Helpers for tests that run full application contexts against the real test server.
 */
public final class StreamTestSupport {

	private StreamTestSupport() {
	}

	/** A minimal Boot application. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class TestApp {

	}

	/** Records every replication event. */
	public static class Recorder {

		public final List<ReplicationEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		public void on(ReplicationEvent event) {
			this.events.add(event);
		}

		public <E> List<E> of(Class<E> type) {
			List<E> result = new ArrayList<>();
			for (ReplicationEvent event : this.events) {
				if (type.isInstance(event)) {
					result.add(type.cast(event));
				}
			}
			return result;
		}

	}

	/**
	 * Creates a table and a publication for it.
	 * @param pg the server
	 * @param columns column definitions
	 * @return table and publication names
	 */
	public static String[] tableWithPublication(TestPostgres pg, String columns) {
		String table = TestPostgres.uniqueName("t");
		String pub = TestPostgres.uniqueName("pub");
		pg.execute("CREATE TABLE " + table + " (" + columns + ")", "CREATE PUBLICATION " + pub + " FOR TABLE " + table);
		return new String[] { table, pub };
	}

	/**
	 * @param pg the server
	 * @param slot slot name
	 * @param publication publication name
	 * @return base properties for a stream
	 */
	public static List<String> properties(TestPostgres pg, String slot, String publication) {
		List<String> props = dataSourceProperties(pg);
		props.add("pglogrepl.slot.name=" + slot);
		props.add("pglogrepl.publication.names=" + publication);
		props.add("pglogrepl.reconnect.initial-interval=200ms");
		props.add("pglogrepl.reconnect.max-interval=1s");
		props.add("spring.main.banner-mode=off");
		return props;
	}

	/**
	 * @param pg the server
	 * @return the DataSource properties of the test server (the stream connects there unless told otherwise)
	 */
	public static List<String> dataSourceProperties(TestPostgres pg) {
		List<String> props = new ArrayList<>();
		props.add("spring.datasource.url=" + pg.jdbcUrl());
		if (pg.user() != null) {
			props.add("spring.datasource.username=" + pg.user());
		}
		if (pg.password() != null) {
			props.add("spring.datasource.password=" + pg.password());
		}
		return props;
	}

	/**
	 * Starts a context.
	 * @param properties properties
	 * @param sources configuration classes (besides {@link TestApp})
	 * @return the running context
	 */
	public static ConfigurableApplicationContext start(List<String> properties, Class<?>... sources) {
		List<Class<?>> all = new ArrayList<>(List.of(sources));
		all.add(0, TestApp.class);
		return new SpringApplicationBuilder(all.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	/**
	 * Waits for a condition.
	 * @param what description for the failure
	 * @param condition the condition
	 * @param timeout how long
	 */
	public static void await(String what, BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

	/**
	 * Sleeps, turning an interrupt into a test failure.
	 * @param millis how long
	 */
	public static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * @param pg the server
	 * @param slot a slot
	 * @return the slot's row in pg_replication_slots as text, or null
	 */
	public static Map<String, String> slotRow(TestPostgres pg, String slot) {
		String active = pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
		if (active == null) {
			return null;
		}
		String confirmed = pg.queryString(
				"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
		return Map.of("active", active, "confirmed_flush_lsn", (confirmed != null) ? confirmed : "");
	}

}
