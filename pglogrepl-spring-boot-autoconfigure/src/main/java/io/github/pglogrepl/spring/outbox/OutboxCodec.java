package io.github.pglogrepl.spring.outbox;

/**
 * How outbox events are written into, and read from, logical decoding messages: the message prefix and the
 * content format. The default, {@link JacksonOutboxCodec}, writes a JSON object with the application's
 * {@code JsonMapper}.
 */
public interface OutboxCodec {

	/**
	 * @return the logical decoding message prefix that marks outbox events; messages with another prefix are not
	 * outbox events
	 */
	String prefix();

	/**
	 * @param aggregateType the kind of aggregate
	 * @param aggregateId the aggregate's id
	 * @param eventType what happened
	 * @param payload the payload (serialised to JSON)
	 * @return the message content
	 */
	String encode(String aggregateType, String aggregateId, String eventType, Object payload);

	/**
	 * @param content a message's content
	 * @return the event
	 * @throws IllegalArgumentException if the content is not an outbox event
	 */
	OutboxMessage decode(byte[] content);

	/**
	 * @param <T> the type
	 * @param payload the payload as JSON
	 * @param type the type to read it as
	 * @return the payload
	 */
	<T> T readPayload(String payload, Class<T> type);

}
