package io.github.pglogrepl.spring.event;

import org.springframework.core.ResolvableType;
import org.springframework.core.ResolvableTypeProvider;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;
import io.github.pglogrepl.spring.outbox.OutboxCodec;
import io.github.pglogrepl.spring.outbox.OutboxMessage;

/**
 * An event written with {@code Outbox.publish} in a transaction that committed, delivered in commit order with
 * the transaction's other changes. The type parameter is the payload's Java type: a listener for
 * {@code OutboxEvent<OrderPlaced>} receives the events of type {@code OrderPlaced} (the class's simple name, or
 * its {@code @OutboxEventType}) with the payload read as an {@code OrderPlaced}; a listener for
 * {@code OutboxEvent<?>} receives every outbox event (types no listener names come as {@code OutboxEvent<Object>},
 * their payload read as maps and lists).
 *
 * <pre>{@code
 * @EventListener
 * void on(OutboxEvent<OrderPlaced> event) { ship(event.aggregateId(), event.payload()); }
 * }</pre>
 *
 * @param <T> the payload type
 */
public final class OutboxEvent<T> extends PgOutputEvent<LogicalDecodingMessage> implements ResolvableTypeProvider {

	private static final long serialVersionUID = 1L;

	private final OutboxMessage outbox;

	private final transient TransactionInfo transaction;

	private final Class<T> payloadType;

	private final transient OutboxCodec codec;

	private transient T payload;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the logical decoding message
	 * @param walStart its WAL position
	 * @param transaction its transaction
	 * @param outbox the decoded outbox event
	 * @param payloadType the payload's Java type
	 * @param codec reads the payload
	 */
	public OutboxEvent(Object source, String slotName, LogicalDecodingMessage message, Lsn walStart,
			TransactionInfo transaction, OutboxMessage outbox, Class<T> payloadType, OutboxCodec codec) {
		super(source, slotName, message, walStart);
		this.transaction = transaction;
		this.outbox = outbox;
		this.payloadType = payloadType;
		this.codec = codec;
	}

	/**
	 * @return the kind of aggregate, e.g. {@code Order}
	 */
	public String aggregateType() {
		return this.outbox.aggregateType();
	}

	/**
	 * @return the aggregate's id
	 */
	public String aggregateId() {
		return this.outbox.aggregateId();
	}

	/**
	 * @return what happened, e.g. {@code OrderPlaced}
	 */
	public String eventType() {
		return this.outbox.eventType();
	}

	/**
	 * @return the payload, read as the payload type (once, then kept)
	 */
	public T payload() {
		if (this.payload == null) {
			this.payload = this.codec.readPayload(this.outbox.payload(), this.payloadType);
		}
		return this.payload;
	}

	/**
	 * @return the payload as JSON text
	 */
	public String payloadJson() {
		return this.outbox.payload();
	}

	/**
	 * @return the event as written
	 */
	public OutboxMessage outboxMessage() {
		return this.outbox;
	}

	/**
	 * @return the transaction that wrote it
	 */
	public TransactionInfo transaction() {
		return this.transaction;
	}

	/**
	 * @return the payload type
	 */
	public Class<T> payloadType() {
		return this.payloadType;
	}

	@Override
	public ResolvableType getResolvableType() {
		return ResolvableType.forClassWithGenerics(OutboxEvent.class, this.payloadType);
	}

	/**
	 * @return aggregate, id, event type and position, without the payload
	 */
	@Override
	public String toString() {
		return describe(false);
	}

	@Override
	public String describe(boolean withRowValues) {
		return "OutboxEvent[aggregateType=" + aggregateType() + ", aggregateId=" + aggregateId() + ", type="
				+ eventType() + ", lsn=" + walStart() + ", xid=" + this.transaction.xid()
				+ (withRowValues ? ", payload=" + this.outbox.payload() : "") + "]";
	}

}
