package io.github.pglogrepl.spring.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * The transactional outbox, without an outbox table: {@link #publish} writes an event into the WAL with
 * {@code pg_logical_emit_message(true, prefix, content)} on the connection of the application's current
 * transaction. The event therefore exists if and only if that transaction commits, and the stream delivers it
 * as an {@code OutboxEvent} in commit order, among the transaction's other changes — nothing to poll, nothing to
 * clean up.
 *
 * <pre>{@code
 * @Transactional
 * public void place(Order order) {
 *     orders.save(order);
 *     outbox.publish("Order", order.id().toString(), "OrderPlaced", new OrderPlaced(order.id(), order.total()));
 * }
 * }</pre>
 *
 * Called outside a transaction (or on a connection in auto-commit mode) it throws: an event that is not tied to
 * a transaction's outcome is what the outbox exists to avoid.
 *
 * <p><b>Who can write outbox events.</b> Any role that can call {@code pg_logical_emit_message} in the streamed
 * database can write a message with the outbox prefix, and it will be delivered as an outbox event. Restrict it:
 * {@code REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC;} (and the
 * {@code bytea} and, on PostgreSQL 17+, the four-argument variants), then {@code GRANT EXECUTE ... TO app_role}.
 */
public class Outbox {

	private static final String EMIT = "SELECT pg_logical_emit_message(true, ?, ?)";

	private final DataSource dataSource;

	private final OutboxCodec codec;

	/**
	 * @param dataSource the application's DataSource (the one its transactions use)
	 * @param codec writes the message content
	 */
	public Outbox(DataSource dataSource, OutboxCodec codec) {
		Assert.notNull(dataSource, "dataSource must not be null");
		Assert.notNull(codec, "codec must not be null");
		this.dataSource = dataSource;
		this.codec = codec;
	}

	/**
	 * Writes an outbox event in the current transaction.
	 * @param aggregateType the kind of aggregate, e.g. {@code Order} (Kafka topic {@code <prefix>.outbox.Order})
	 * @param aggregateId the aggregate's id (the Kafka record key)
	 * @param eventType what happened, e.g. {@code OrderPlaced} (listeners of {@code OutboxEvent<OrderPlaced>})
	 * @param payload serialised to JSON
	 * @throws IllegalStateException if no transaction is active
	 * @throws org.springframework.dao.DataAccessException if writing fails
	 */
	public void publish(String aggregateType, String aggregateId, String eventType, Object payload) {
		Assert.hasText(aggregateType, "aggregateType must not be empty");
		Assert.hasText(eventType, "eventType must not be empty");
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("Outbox.publish(" + aggregateType + ", " + eventType
					+ ") must be called inside a transaction (@Transactional or TransactionTemplate): the event is "
					+ "written with the transaction and exists only if it commits");
		}
		String content = this.codec.encode(aggregateType, aggregateId, eventType, payload);
		Connection connection = DataSourceUtils.getConnection(this.dataSource);
		try {
			if (connection.getAutoCommit()) {
				throw new IllegalStateException("Outbox.publish(" + aggregateType + ", " + eventType
						+ ") found the transaction's connection in auto-commit mode: the event would not be tied to "
						+ "the transaction");
			}
			try (PreparedStatement ps = connection.prepareStatement(EMIT)) {
				ps.setString(1, this.codec.prefix());
				ps.setString(2, content);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
				}
			}
		}
		catch (SQLException ex) {
			throw new org.springframework.dao.DataAccessResourceFailureException(
					"Writing outbox event " + eventType + " of " + aggregateType + " failed: " + ex.getMessage(), ex);
		}
		finally {
			DataSourceUtils.releaseConnection(connection, this.dataSource);
		}
	}

}
