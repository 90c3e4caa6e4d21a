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
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.TransactionInfo;
import io.github.pglogrepl.spring.kafka.ChangeRecordEncoder;
import io.github.pglogrepl.spring.kafka.TopicRouter;

/**
 * The Kafka relay's per-row encoding without a server or broker (what K1 found to bound the relay): an Insert
 * message of the benchmark row decoded and turned into an {@code InsertEvent} ({@code decode}, the baseline), then
 * encoded into its key and value records by the relay's {@link ChangeRecordEncoder} ({@code decodeEncode}). (A
 * hand-written streaming sketch it was once compared with is what the encoder now does itself.)
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

}
