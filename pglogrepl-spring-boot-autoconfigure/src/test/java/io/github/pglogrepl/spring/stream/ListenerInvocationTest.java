package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.context.event.EventListener;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.annotation.Order;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @EventListener} methods taking a pglogrepl event get Spring's own method adapter with the target
 * bean kept when it is a singleton: ordering, conditions and scopes behave as with any Spring listener.
 */
@RealPostgres
class ListenerInvocationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	static final AtomicInteger prototypes = new AtomicInteger();

	/** A singleton listener; records the order in which listeners ran. */
	public static class SingletonListener {

		static final CopyOnWriteArrayList<String> calls = new CopyOnWriteArrayList<>();

		@EventListener
		@Order(2)
		public void second(InsertEvent<ChangeRow> event) {
			calls.add("second:" + event.newRow().get("id"));
		}

		@EventListener
		@Order(1)
		public void first(InsertEvent<ChangeRow> event) {
			calls.add("first:" + event.newRow().get("id"));
		}

		@EventListener(condition = "#event.newRow().get('id') == 2")
		public void onlyTwo(InsertEvent<ChangeRow> event) {
			calls.add("condition:" + event.newRow().get("id"));
		}

	}

	/** A prototype-scoped listener: a new instance for every event, as with Spring's default adapter. */
	public static class PrototypeListener {

		static final Set<Integer> instances = ConcurrentHashMap.newKeySet();

		static final AtomicInteger calls = new AtomicInteger();

		PrototypeListener() {
			prototypes.incrementAndGet();
		}

		@EventListener
		public void on(InsertEvent<ChangeRow> event) {
			instances.add(System.identityHashCode(this));
			calls.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		SingletonListener singletonListener() {
			return new SingletonListener();
		}

		@Bean
		@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
		PrototypeListener prototypeListener() {
			return new PrototypeListener();
		}

	}

	@Test
	void listenersKeepSpringSemanticsAndSingletonsAreLookedUpOnce(TestPostgres pg) {
		String table = TestPostgres.uniqueName("t");
		String pub = TestPostgres.uniqueName("pub");
		pg.execute("CREATE TABLE " + table + " (id int primary key)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + table);
		String slot = TestPostgres.uniqueName("slot");
		try (ConfigurableApplicationContext context = StreamTestSupport
			.start(StreamTestSupport.properties(pg, slot, pub), Config.class)) {
			// the listeners of pglogrepl events are Spring's adapter, in our singleton-keeping form
			long adapters = ((AbstractApplicationContext) context).getApplicationListeners()
				.stream()
				.filter(ApplicationListenerMethodAdapter.class::isInstance)
				.map(Object::getClass)
				.filter((c) -> c.getName().endsWith("ReplicationEventListenerFactory$SingletonTargetListener"))
				.count();
			assertThat(adapters).isEqualTo(4);
			int prototypesBefore = prototypes.get();
			pg.execute("INSERT INTO " + table + " VALUES (1)", "INSERT INTO " + table + " VALUES (2)",
					"INSERT INTO " + table + " VALUES (3)");
			StreamTestSupport.await("three inserts", () -> PrototypeListener.calls.get() == 3
					&& SingletonListener.calls.size() == 7, TIMEOUT);
			// @Order and conditions hold
			assertThat(SingletonListener.calls).containsExactly("first:1", "second:1", "first:2", "second:2",
					"condition:2", "first:3", "second:3");
			// a prototype bean is still created for every event
			assertThat(PrototypeListener.instances).hasSize(3);
			assertThat(prototypes.get() - prototypesBefore).isEqualTo(3);
		}
	}

}
