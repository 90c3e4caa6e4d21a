package io.github.pglogrepl.spring.stream;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.convert.ApplicationConversionService;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.bench.consumer.BenchRow;
import io.github.pglogrepl.bench.jmh.PgOutputDecoderBenchmark;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.TransactionInfo;
import io.github.pglogrepl.spring.kafka.ChangeRecordEncoder;
import io.github.pglogrepl.spring.kafka.ColumnValueEncoder;
import io.github.pglogrepl.spring.kafka.NumericEncoding;
import io.github.pglogrepl.spring.kafka.TemporalEncoding;
import io.github.pglogrepl.spring.kafka.TopicRouter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.ByteArrayBuilder;

/**
 * The Kafka relay's per-row encoding without a server or broker (what K1 found to bound the relay): an Insert
 * message of the benchmark row decoded and turned into an {@code InsertEvent} ({@code decode}, the baseline), then
 * encoded into its key and value records by the relay's {@link ChangeRecordEncoder} ({@code decodeEncode}), or by
 * a streaming sketch that writes the same envelope with one {@link JsonGenerator} and no intermediate maps
 * ({@code decodeEncodeStreaming}: what the relay could spend; not the relay's code).
 *
 * <pre>benchmarks/jmh.sh KafkaRelayEncodeBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KafkaRelayEncodeBenchmark {

	private PgOutputDecoder decoder;

	private byte[] insert;

	private EventFactory events;

	private EventFactory.Transaction txn;

	private Lsn walStart;

	private ChangeRecordEncoder encoder;

	private final ColumnValueEncoder values = new ColumnValueEncoder(NumericEncoding.STRING, TemporalEncoding.ISO_8601);

	private final JsonFactory json = new JsonFactory();

	private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);

	@Setup
	public void setup() throws IOException {
		this.decoder = new PgOutputDecoder();
		this.decoder.decode(PgOutputDecoderBenchmark.relation());
		this.insert = PgOutputDecoderBenchmark.change('I', new String[] { "123456",
				"customer-e10adc3949ba59abbe56e057f20f883e", "456", "1234.56", "2024-01-02 10:17:36.123456+00" });
		RowTypeRegistry rowTypes = new RowTypeRegistry();
		rowTypes.register(BenchRow.class);
		this.events = new EventFactory(this, "bench", rowTypes, ApplicationConversionService.getSharedInstance());
		this.txn = new EventFactory.Transaction();
		this.txn.current = new TransactionInfo(752, Lsn.of(0x16B374D848L), Instant.now(), false);
		this.walStart = Lsn.of(0x16B374D000L);
		this.encoder = new ChangeRecordEncoder(new TopicRouter("bench", Map.of()));
	}

	@Benchmark
	public Object decode() {
		ReplicationEvent event = this.events.create(this.decoder.decode(this.insert), this.walStart, this.txn);
		return ((InsertEvent<?>) event).newRow().row().get(0);
	}

	@Benchmark
	public int decodeEncode() {
		ReplicationEvent event = this.events.create(this.decoder.decode(this.insert), this.walStart, this.txn);
		List<ProducerRecord<byte[], byte[]>> records = this.encoder.records(event, "postgres");
		return records.get(0).value().length + records.get(0).key().length;
	}

	@Benchmark
	public int decodeEncodeStreaming() {
		InsertEvent<?> event = (InsertEvent<?>) this.events.create(this.decoder.decode(this.insert), this.walStart,
				this.txn);
		ChangeRow changeRow = event.newRow();
		Row row = changeRow.row();
		Object[] encoded = new Object[row.size()];
		for (int i = 0; i < encoded.length; i++) {
			encoded[i] = this.values.encode(row.get(i));
		}
		// key: the replica identity column (id, index 0 here)
		this.buffer.reset();
		try (JsonGenerator g = this.json.createGenerator(ObjectWriteContext.empty(), this.buffer)) {
			g.writeStartObject();
			g.writeName(row.columnName(0));
			write(g, encoded[0]);
			g.writeEndObject();
		}
		int keyLength = this.buffer.toByteArray().length;
		this.buffer.reset();
		TransactionInfo t = event.transaction();
		try (JsonGenerator g = this.json.createGenerator(ObjectWriteContext.empty(), this.buffer)) {
			g.writeStartObject();
			g.writeNullProperty("before");
			g.writeName("after");
			g.writeStartObject();
			for (int i = 0; i < encoded.length; i++) {
				g.writeName(row.columnName(i));
				write(g, encoded[i]);
			}
			g.writeEndObject();
			g.writeName("source");
			g.writeStartObject();
			g.writeStringProperty("version", ChangeRecordEncoder.VERSION);
			g.writeStringProperty("connector", "postgresql");
			g.writeStringProperty("name", "bench");
			g.writeNumberProperty("ts_ms", t.commitTime().toEpochMilli());
			g.writeStringProperty("snapshot", "false");
			g.writeStringProperty("db", "postgres");
			g.writeStringProperty("schema", event.table().schema());
			g.writeStringProperty("table", event.table().name());
			g.writeNumberProperty("txId", t.xid());
			g.writeNumberProperty("lsn", event.walStart().asLong());
			g.writeNullProperty("xmin");
			g.writeEndObject();
			g.writeStringProperty("op", "c");
			g.writeNumberProperty("ts_ms", System.currentTimeMillis());
			g.writeNullProperty("transaction");
			g.writeEndObject();
		}
		return this.buffer.toByteArray().length + keyLength;
	}

	/**
	 * Prints both encodings of the benchmark row, to compare them.
	 * @param args none
	 */
	public static void main(String[] args) throws IOException {
		KafkaRelayEncodeBenchmark b = new KafkaRelayEncodeBenchmark();
		b.setup();
		ReplicationEvent event = b.events.create(b.decoder.decode(b.insert), b.walStart, b.txn);
		ProducerRecord<byte[], byte[]> record = b.encoder.records(event, "postgres").get(0);
		System.out.println("relay:     " + new String(record.key()) + " " + new String(record.value()));
		b.decodeEncodeStreaming();
		System.out.println("streaming: " + new String(b.buffer.toByteArray()));
	}

	private static void write(JsonGenerator g, Object value) {
		if (value == null) {
			g.writeNull();
		}
		else if (value instanceof String s) {
			g.writeString(s);
		}
		else if (value instanceof Long l) {
			g.writeNumber(l);
		}
		else if (value instanceof Integer i) {
			g.writeNumber(i);
		}
		else if (value instanceof Boolean b) {
			g.writeBoolean(b);
		}
		else {
			g.writeString(value.toString());
		}
	}

}
