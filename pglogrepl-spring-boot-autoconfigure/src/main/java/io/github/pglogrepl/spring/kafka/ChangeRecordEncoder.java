package io.github.pglogrepl.spring.kafka;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.TupleData;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.OutboxEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.TableName;
import io.github.pglogrepl.spring.event.TransactionInfo;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;

/**
 * Turns a change event into the Kafka records the relay sends, in the layout of Debezium's PostgreSQL connector
 * with the JSON converter and {@code schemas.enable=false}:
 * <ul>
 * <li><b>key</b>: a JSON object of the replica identity columns ({@code {"id":42}}); {@code null} for a table
 * without one and for truncates;</li>
 * <li><b>value</b>: {@code {"before":…, "after":…, "source":{…}, "op":"c|u|d|r|t", "ts_ms":…, "transaction":null}},
 * {@code source} with {@code version}, {@code connector} ({@code postgresql}), {@code name} (the topic prefix),
 * {@code ts_ms} (commit time), {@code snapshot}, {@code db}, {@code schema}, {@code table}, {@code txId},
 * {@code lsn} (the change's WAL position as a number) and {@code xmin} (null);</li>
 * <li>a delete is followed by a tombstone (same key, null value) unless turned off; an update that changes the key
 * becomes a delete of the old key (its tombstone) and a create of the new one, as Debezium does (headers
 * {@code __debezium.newkey} / {@code __debezium.oldkey});</li>
 * <li>an outbox event goes to its aggregate type's topic, keyed by the aggregate id (a plain string), its value the
 * payload JSON as written, with headers {@code eventType} and {@code aggregateType}.</li>
 * </ul>
 * Column values are written by a {@link ColumnValueEncoder}; a value the server did not send (unchanged TOAST) is
 * {@value ColumnValueEncoder#UNAVAILABLE_VALUE}, Debezium's placeholder. Thread-safe once configured.
 */
public final class ChangeRecordEncoder {

	/** {@code source.version}. */
	public static final String VERSION = "pglogrepl-0.1";

	private final TopicRouter topics;

	/**
	 * One generator per record, on the dispatch thread: buffers recycled per thread (the default pool, a shared
	 * concurrent deque, was the encoder's top cost in benchmark K1).
	 */
	private final JsonMapper json = JsonMapper
		.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build())
		.enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
		.build();

	/** The output buffer of the calling thread, reused (records are copied out of it). */
	private static final ThreadLocal<ByteArrayOutputStream> BUFFER = ThreadLocal
		.withInitial(() -> new ByteArrayOutputStream(1024));

	private ColumnValueEncoder values = new ColumnValueEncoder(NumericEncoding.STRING, TemporalEncoding.ISO_8601);

	private boolean tombstones = true;

	/**
	 * @param topics which topic each record goes to
	 */
	public ChangeRecordEncoder(TopicRouter topics) {
		this.topics = topics;
	}

	/**
	 * @param values how column values are written
	 */
	public void setValueEncoder(ColumnValueEncoder values) {
		this.values = values;
	}

	/**
	 * @param tombstones whether a delete is followed by a tombstone ({@code true} by default)
	 */
	public void setTombstones(boolean tombstones) {
		this.tombstones = tombstones;
	}

	/**
	 * @return the topic router
	 */
	public TopicRouter topics() {
		return this.topics;
	}

	/**
	 * @param event an event of a stream
	 * @param database the streamed database's name ({@code source.db}), or {@code null}
	 * @return its records, in the order to send them; empty for events that are not relayed
	 */
	public List<ProducerRecord<byte[], byte[]>> records(ReplicationEvent event, String database) {
		if (event instanceof InsertEvent<?> insert) {
			return List.of(change(insert, "c", keyBytes(insert.newRow()), null, insert.newRow(), database, false));
		}
		if (event instanceof UpdateEvent<?> update) {
			return update(update, database);
		}
		if (event instanceof DeleteEvent<?> delete) {
			return delete(delete, delete.oldRow(), keyBytes(delete.oldRow()), database, null);
		}
		if (event instanceof SnapshotEvent<?> snapshot) {
			return List.of(change(snapshot, "r", keyBytes(snapshot.newRow()), null, snapshot.newRow(), database, true));
		}
		if (event instanceof TruncateEvent truncate) {
			return truncate(truncate, database);
		}
		if (event instanceof OutboxEvent<?> outbox) {
			return List.of(outbox(outbox));
		}
		return List.of();
	}

	private List<ProducerRecord<byte[], byte[]>> update(UpdateEvent<?> update, String database) {
		ChangeRow oldRow = update.oldRow();
		ChangeRow newRow = update.newRow();
		byte[] newKey = keyBytes(newRow);
		if (oldRow != null) {
			byte[] oldKey = keyBytes(oldRow);
			if (oldKey != null && !Arrays.equals(oldKey, newKey)) {
				// the key changed: the old key is deleted, the new one created (Debezium's layout)
				List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(delete(update, oldRow, oldKey,
						database, newKey));
				ProducerRecord<byte[], byte[]> create = change(update, "c", newKey, null, newRow, database, false);
				create.headers().add("__debezium.oldkey", oldKey);
				records.add(create);
				return records;
			}
		}
		boolean fullOldRow = oldRow != null && !oldRow.isKeyOnly();
		return List.of(change(update, "u", newKey, fullOldRow ? oldRow : null, newRow, database, false));
	}

	private List<ProducerRecord<byte[], byte[]>> delete(RowChangeEvent<?, ?> event, ChangeRow oldRow, byte[] oldKey,
			String database, byte[] newKey) {
		ProducerRecord<byte[], byte[]> delete = change(event, "d", oldKey, oldRow, null, database, false);
		if (newKey != null) {
			delete.headers().add("__debezium.newkey", newKey);
		}
		if (!this.tombstones) {
			return List.of(delete);
		}
		return List.of(delete, new ProducerRecord<>(delete.topic(), delete.key(), null));
	}

	/**
	 * @param key the record's key (the replica identity of the row after, or before for a delete), computed once
	 * by the caller, which compares keys too
	 */
	private ProducerRecord<byte[], byte[]> change(RowChangeEvent<?, ?> event, String op, byte[] key, ChangeRow before,
			ChangeRow after, String database, boolean snapshot) {
		byte[] value = envelope(op, before, after, event.slotName(), event.table(), event.transaction(),
				event.walStart(), database, snapshot);
		return new ProducerRecord<>(this.topics.tableTopic(event.slotName(), event.table()), null, key, value);
	}

	/** The value: {@code {"before", "after", "source", "op", "ts_ms", "transaction"}}. */
	private byte[] envelope(String op, ChangeRow before, ChangeRow after, String slotName, TableName table,
			TransactionInfo transaction, Lsn lsn, String database, boolean snapshot) {
		return write((json) -> {
			json.writeStartObject();
			json.writeName("before");
			writeRow(json, before);
			json.writeName("after");
			writeRow(json, after);
			json.writeName("source");
			writeSource(json, slotName, table, transaction, lsn, database, snapshot);
			json.writeStringProperty("op", op);
			json.writeNumberProperty("ts_ms", System.currentTimeMillis());
			json.writeNullProperty("transaction");
			json.writeEndObject();
		});
	}

	private List<ProducerRecord<byte[], byte[]>> truncate(TruncateEvent truncate, String database) {
		List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(truncate.tables().size());
		for (TableName table : truncate.tables()) {
			byte[] value = envelope("t", null, null, truncate.slotName(), table, truncate.transaction(),
					truncate.walStart(), database, false);
			records.add(new ProducerRecord<>(this.topics.tableTopic(truncate.slotName(), table), null, null, value));
		}
		return records;
	}

	private ProducerRecord<byte[], byte[]> outbox(OutboxEvent<?> outbox) {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
				this.topics.outboxTopic(outbox.slotName(), outbox.aggregateType()), null,
				outbox.aggregateId().getBytes(StandardCharsets.UTF_8),
				outbox.payloadJson().getBytes(StandardCharsets.UTF_8));
		record.headers().add("eventType", outbox.eventType().getBytes(StandardCharsets.UTF_8));
		record.headers().add("aggregateType", outbox.aggregateType().getBytes(StandardCharsets.UTF_8));
		return record;
	}

	private void writeSource(JsonGenerator json, String slotName, TableName table, TransactionInfo transaction,
			Lsn lsn, String database, boolean snapshot) {
		Instant commitTime = (transaction != null) ? transaction.commitTime() : null;
		json.writeStartObject();
		json.writeStringProperty("version", VERSION);
		json.writeStringProperty("connector", "postgresql");
		json.writeStringProperty("name", this.topics.prefix(slotName));
		json.writeNumberProperty("ts_ms", (commitTime != null) ? commitTime.toEpochMilli() : System.currentTimeMillis());
		json.writeStringProperty("snapshot", snapshot ? "true" : "false");
		json.writeStringProperty("db", database);
		json.writeStringProperty("schema", table.schema());
		json.writeStringProperty("table", table.name());
		if (transaction != null && transaction.xid() != 0) {
			json.writeNumberProperty("txId", transaction.xid());
		}
		else {
			json.writeNullProperty("txId");
		}
		if (lsn != null) {
			json.writeNumberProperty("lsn", lsn.asLong());
		}
		else {
			json.writeNullProperty("lsn");
		}
		json.writeNullProperty("xmin");
		json.writeEndObject();
	}

	/** The row's columns in table order (or null); a value the server did not send is Debezium's placeholder. */
	private void writeRow(JsonGenerator json, ChangeRow changeRow) {
		if (changeRow == null) {
			json.writeNull();
			return;
		}
		Row row = changeRow.row();
		TupleData tuple = row.tuple();
		json.writeStartObject();
		for (int i = 0; i < row.size(); i++) {
			json.writeName(row.columnName(i));
			if (tuple.isUnchangedToast(i)) {
				json.writeString(ColumnValueEncoder.UNAVAILABLE_VALUE);
			}
			else {
				writeValue(json, this.values.encode(row.get(i)));
			}
		}
		json.writeEndObject();
	}

	/** The replica identity columns as a JSON object, or {@code null} if the table has none. */
	private byte[] keyBytes(ChangeRow changeRow) {
		Row row = changeRow.row();
		List<RelationMessage.Column> columns = row.relation().columns();
		boolean hasKey = false;
		for (RelationMessage.Column column : columns) {
			hasKey |= column.key();
		}
		if (!hasKey) {
			return null;
		}
		return write((json) -> {
			json.writeStartObject();
			for (int i = 0; i < columns.size(); i++) {
				if (columns.get(i).key()) {
					json.writeName(columns.get(i).name());
					writeValue(json, this.values.encode(row.get(i)));
				}
			}
			json.writeEndObject();
		});
	}

	/** Writes what {@link ColumnValueEncoder#encode} returns. */
	private static void writeValue(JsonGenerator json, Object value) {
		if (value == null) {
			json.writeNull();
		}
		else if (value instanceof String string) {
			json.writeString(string);
		}
		else if (value instanceof Integer number) {
			json.writeNumber(number);
		}
		else if (value instanceof Long number) {
			json.writeNumber(number);
		}
		else if (value instanceof Short number) {
			json.writeNumber(number);
		}
		else if (value instanceof Boolean bool) {
			json.writeBoolean(bool);
		}
		else if (value instanceof BigDecimal decimal) {
			json.writeNumber(decimal);
		}
		else if (value instanceof Double number) {
			json.writeNumber(number);
		}
		else if (value instanceof Float number) {
			json.writeNumber(number);
		}
		else if (value instanceof List<?> list) {
			json.writeStartArray();
			for (Object element : list) {
				writeValue(json, element);
			}
			json.writeEndArray();
		}
		else {
			json.writePOJO(value);
		}
	}

	private byte[] write(Consumer<JsonGenerator> writer) {
		ByteArrayOutputStream bytes = BUFFER.get();
		bytes.reset();
		try (JsonGenerator json = this.json.createGenerator(bytes)) {
			writer.accept(json);
		}
		byte[] written = bytes.toByteArray();
		if (bytes.size() > 1 << 20) {
			// a huge row: do not keep its buffer
			BUFFER.remove();
		}
		return written;
	}

}
