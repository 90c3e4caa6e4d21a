package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicatedTable;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * NULL never silently becomes 0: a NULL (or unsent) value for a primitive is a mapping error naming table,
 * column and type unless primitives are defaulted; a real NULL and a value the server did not send (key-only old
 * row, unchanged TOAST) can be told apart. On rows as the server sends them.
 */
@RealPostgres
class NullMappingTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/** A payment with a primitive amount. */
	@ReplicatedTable("payments_nm")
	public record Payment(long id, double amount, String note) {
	}

	static class Listeners {

		final List<InsertEvent<Payment>> inserts = new CopyOnWriteArrayList<>();

		final List<UpdateEvent<Payment>> updates = new CopyOnWriteArrayList<>();

		final List<DeleteEvent<Payment>> deletes = new CopyOnWriteArrayList<>();

		@EventListener
		void inserted(InsertEvent<Payment> event) {
			this.inserts.add(event);
		}

		@EventListener
		void updated(UpdateEvent<Payment> event) {
			this.updates.add(event);
		}

		@EventListener
		void deleted(DeleteEvent<Payment> event) {
			this.deletes.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

	}

	private static String[] payments(TestPostgres pg) {
		String pub = TestPostgres.uniqueName("pub");
		pg.execute("DROP TABLE IF EXISTS payments_nm",
				"CREATE TABLE payments_nm (id bigint PRIMARY KEY, amount double precision, note text)",
				"ALTER TABLE payments_nm ALTER COLUMN note SET STORAGE EXTERNAL",
				"CREATE PUBLICATION " + pub + " FOR TABLE payments_nm");
		return new String[] { "payments_nm", pub };
	}

	@Test
	void nullForAPrimitiveIsAnErrorAndUnsentValuesAreToldFromNulls(TestPostgres pg) {
		String[] tp = payments(pg);
		String slot = TestPostgres.uniqueName("slot");
		try (ConfigurableApplicationContext context = StreamTestSupport
			.start(StreamTestSupport.properties(pg, slot, tp[1]), Config.class)) {
			Listeners listeners = context.getBean(Listeners.class);
			String big = "x".repeat(10_000);
			pg.execute("INSERT INTO payments_nm VALUES (1, NULL, 'first')",
					"INSERT INTO payments_nm VALUES (2, 9.5, '" + big + "')",
					"UPDATE payments_nm SET amount = 10.5 WHERE id = 2", "DELETE FROM payments_nm WHERE id = 2");
			StreamTestSupport.await("delete", () -> !listeners.deletes.isEmpty(), TIMEOUT);

			InsertEvent<Payment> withNull = listeners.inserts.get(0);
			assertThat(withNull.newRow().isNull("amount")).isTrue();
			assertThatIllegalArgumentException().isThrownBy(withNull::newValue)
				.withMessageContaining("public.payments_nm")
				.withMessageContaining(Payment.class.getName())
				.withMessageContaining("column amount is NULL but amount is a primitive double")
				.withMessageContaining("use Double");

			// an unchanged TOASTed value is not sent with the update
			UpdateEvent<Payment> update = listeners.updates.get(0);
			assertThat(update.newRow().isUnchangedToast("note")).isTrue();
			assertThat(update.newRow().isSent("note")).isFalse();
			assertThat(update.newRow().isNull("note")).isFalse();
			assertThat(update.newRow().unsentColumns()).containsExactly("note");
			assertThat(update.newValue().amount()).isEqualTo(10.5);
			assertThat(update.newValue().note()).isNull();

			// the old row of a delete is its key
			DeleteEvent<Payment> delete = listeners.deletes.get(0);
			assertThat(delete.oldRow().isKeyOnly()).isTrue();
			assertThat(delete.oldRow().unsentColumns()).containsExactly("amount", "note");
			assertThat(delete.oldRow().isNull("amount")).isFalse();
			assertThatIllegalArgumentException().isThrownBy(delete::oldValue)
				.withMessageContaining("column amount was not sent by the server (a key-only old row");
		}
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.mapping.primitives-defaulted-for-null-value=true");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Listeners listeners = context.getBean(Listeners.class);
			pg.execute("INSERT INTO payments_nm VALUES (3, NULL, 'third')");
			StreamTestSupport.await("insert", () -> !listeners.inserts.isEmpty(), TIMEOUT);
			assertThat(listeners.inserts.get(0).newValue()).isEqualTo(new Payment(3, 0.0, "third"));
		}
		finally {
			pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
		}
	}

}
