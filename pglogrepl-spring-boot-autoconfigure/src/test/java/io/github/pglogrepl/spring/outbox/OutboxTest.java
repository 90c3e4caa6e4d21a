package io.github.pglogrepl.spring.outbox;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.LogicalMessageEvent;
import io.github.pglogrepl.spring.event.OutboxEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The outbox end to end: an event written in a transaction arrives as a typed {@code OutboxEvent} in commit
 * order with the transaction's rows, only if it committed; outside a transaction writing fails; a message with
 * the outbox prefix that Outbox did not write is delivered as a logical message, not dropped.
 */
@RealPostgres
@Tag("all-versions")
class OutboxTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final TestPostgres pg;

	OutboxTest(TestPostgres pg) {
		this.pg = pg;
	}

	/** A payload. */
	public record OrderPlaced(long orderId, BigDecimal total, List<String> items) {
	}

	/** A payload under another event type name. */
	@OutboxEventType("OrderShipped")
	public record Shipment(long orderId, String carrier) {
	}

	/** Records what arrives, in order. */
	public static class Listener {

		final List<ReplicationEvent> events = new CopyOnWriteArrayList<>();

		final List<OrderPlaced> placed = new CopyOnWriteArrayList<>();

		final List<Shipment> shipped = new CopyOnWriteArrayList<>();

		@EventListener
		public void on(OutboxEvent<OrderPlaced> event) {
			this.placed.add(event.payload());
		}

		@EventListener
		public void onShipped(OutboxEvent<Shipment> event) {
			this.shipped.add(event.payload());
		}

		@EventListener
		public void any(ReplicationEvent event) {
			if (event instanceof OutboxEvent<?> || event instanceof InsertEvent<?> || event instanceof CommitEvent
					|| event instanceof LogicalMessageEvent) {
				this.events.add(event);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

	@Test
	void anEventWrittenInACommittedTransactionArrivesTypedAndInCommitOrder() {
		String[] t = StreamTestSupport.tableWithPublication(this.pg, "id bigint PRIMARY KEY, total numeric");
		List<String> props = StreamTestSupport.properties(this.pg, t[1], t[1]);
		props.add("pglogrepl.snapshot.enabled=false");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			Outbox outbox = context.getBean(Outbox.class);
			Listener listener = context.getBean(Listener.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
			TransactionTemplate tx = new TransactionTemplate(new org.springframework.jdbc.datasource.DataSourceTransactionManager(
					context.getBean(javax.sql.DataSource.class)));

			assertThatIllegalStateException()
				.isThrownBy(() -> outbox.publish("Order", "1", "OrderPlaced", new OrderPlaced(1, BigDecimal.ONE, List.of())))
				.withMessageContaining("must be called inside a transaction");

			// rolled back: neither the row nor the event
			try {
				tx.executeWithoutResult((status) -> {
					jdbc.update("INSERT INTO " + t[0] + " VALUES (1, 1)");
					outbox.publish("Order", "1", "OrderPlaced", new OrderPlaced(1, BigDecimal.ONE, List.of("lost")));
					throw new IllegalStateException("roll back");
				});
			}
			catch (IllegalStateException expected) {
				// rolled back
			}
			tx.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO " + t[0] + " VALUES (2, 19.90)");
				outbox.publish("Order", "2", "OrderPlaced",
						new OrderPlaced(2, new BigDecimal("19.90"), List.of("book", "pen")));
			});
			tx.executeWithoutResult((status) -> outbox.publish("Order", "2", "OrderShipped", new Shipment(2, "DHL")));
			tx.executeWithoutResult((status) -> outbox.publish("Invoice", "7", "InvoiceSent", Map.of("amount", 3)));
			// not written by Outbox, same prefix: delivered as a logical message; another prefix: not published
			this.pg.execute("SELECT pg_logical_emit_message(true, 'pglogrepl.outbox', 'not json')",
					"SELECT pg_logical_emit_message(true, 'other.prefix', 'x')");
			StreamTestSupport.await("the events", () -> listener.events.stream()
				.filter((e) -> e instanceof CommitEvent).count() == 5, TIMEOUT);

			assertThat(listener.placed).containsExactly(new OrderPlaced(2, new BigDecimal("19.90"), List.of("book", "pen")));
			assertThat(listener.shipped).containsExactly(new Shipment(2, "DHL"));
			List<String> order = listener.events.stream().map((e) -> (e instanceof OutboxEvent<?> o)
					? "outbox " + o.eventType() + " " + o.aggregateType() + "/" + o.aggregateId()
					: (e instanceof InsertEvent<?> i) ? "insert " + i.newRow().get("id")
							: (e instanceof LogicalMessageEvent m) ? "message " + m.prefix() + " " + m.contentAsString()
									: "commit")
				.toList();
			assertThat(order).containsExactly("insert 2", "outbox OrderPlaced Order/2", "commit",
					"outbox OrderShipped Order/2", "commit", "outbox InvoiceSent Invoice/7", "commit",
					"message pglogrepl.outbox not json", "commit",
					// the other prefix's message is not published (pgoutput.messages is off); its transaction is
					"commit");
			OutboxEvent<?> placed = (OutboxEvent<?>) listener.events.get(1);
			InsertEvent<?> insert = (InsertEvent<?>) listener.events.get(0);
			assertThat(placed.transaction().xid()).isEqualTo(insert.xid());
			assertThat(placed.transaction().commitLsn()).isEqualTo(insert.commitLsn());
			OutboxEvent<?> invoice = (OutboxEvent<?>) listener.events.get(5);
			assertThat(invoice.payloadType()).isEqualTo(Object.class);
			assertThat(invoice.payload()).isEqualTo(Map.of("amount", 3));
			assertThat(invoice.toString()).doesNotContain("amount");
		}
	}

}
