package io.github.pglogrepl.spring.outbox;

import java.nio.charset.StandardCharsets;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.util.Assert;

/**
 * Outbox events as JSON objects, written and read with a Jackson {@link JsonMapper} (the application's, so its
 * modules and settings apply to payloads):
 *
 * <pre>{"aggregateType": "Order", "aggregateId": "42", "type": "OrderPlaced", "payload": {...}}</pre>
 */
public class JacksonOutboxCodec implements OutboxCodec {

	/** The default message prefix ({@code pglogrepl.outbox.prefix}). */
	public static final String DEFAULT_PREFIX = "pglogrepl.outbox";

	private final JsonMapper mapper;

	private final String prefix;

	/**
	 * @param mapper reads and writes the JSON
	 * @param prefix the message prefix
	 */
	public JacksonOutboxCodec(JsonMapper mapper, String prefix) {
		Assert.notNull(mapper, "mapper must not be null");
		Assert.hasText(prefix, "prefix must not be empty");
		this.mapper = mapper;
		this.prefix = prefix;
	}

	@Override
	public String prefix() {
		return this.prefix;
	}

	@Override
	public String encode(String aggregateType, String aggregateId, String eventType, Object payload) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("aggregateType", aggregateType);
		node.put("aggregateId", aggregateId);
		node.put("type", eventType);
		node.set("payload", this.mapper.valueToTree(payload));
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * Reads the envelope with a streaming parser and keeps the payload's JSON text exactly as written (a tree
	 * would turn {@code 19.90} into {@code 19.9}).
	 */
	@Override
	public OutboxMessage decode(byte[] content) {
		String aggregateType = null;
		String aggregateId = null;
		String type = null;
		String payload = "null";
		try (JsonParser parser = this.mapper.createParser(content)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IllegalArgumentException("Outbox message is not a JSON object");
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (name) {
					case "aggregateType" -> aggregateType = text(parser, value);
					case "aggregateId" -> aggregateId = text(parser, value);
					case "type" -> type = text(parser, value);
					case "payload" -> {
						int from = (int) parser.currentTokenLocation().getByteOffset();
						parser.skipChildren();
						int to = (int) parser.currentLocation().getByteOffset();
						payload = new String(content, from, to - from, StandardCharsets.UTF_8);
					}
					default -> parser.skipChildren();
				}
			}
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Outbox message is not JSON: " + ex.getOriginalMessage(), ex);
		}
		if (aggregateType == null || type == null) {
			throw new IllegalArgumentException(
					"Outbox message lacks aggregateType or type (written by something other than Outbox?)");
		}
		return new OutboxMessage(aggregateType, aggregateId, type, payload);
	}

	private static String text(JsonParser parser, JsonToken token) {
		return (token == JsonToken.VALUE_NULL) ? null : parser.getString();
	}

	@Override
	public <T> T readPayload(String payload, Class<T> type) {
		return this.mapper.readValue(payload, type);
	}

}
