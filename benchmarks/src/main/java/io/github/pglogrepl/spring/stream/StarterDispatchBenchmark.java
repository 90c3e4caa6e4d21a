package io.github.pglogrepl.spring.stream;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.bench.consumer.BenchRow;
import io.github.pglogrepl.bench.jmh.PgOutputDecoderBenchmark;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.TransactionInfo;

/**
 * Rows per second of the starter's dispatch path without a server: an Insert message of the benchmark row
 * (built from bytes) decoded, turned into an {@code InsertEvent<BenchRow>} by the container's event factory,
 * and either published in a Spring context to a typed {@code @EventListener} that maps it to the record
 * ({@code decodePublishMap}, as the benchmark's starter consumer does per row) or mapped directly
 * ({@code decodeMap}, no Spring event machinery). {@code listenerFactory}: with the starter's listener factory
 * (singleton target kept) or with Spring's default method adapter.
 *
 * <pre>benchmarks/jmh.sh StarterDispatchBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StarterDispatchBenchmark {

	@Param({ "true", "false" })
	public boolean listenerFactory;

	private ConfigurableApplicationContext context;

	private PgOutputDecoder decoder;

	private byte[] insert;

	private EventFactory events;

	private EventFactory.Transaction txn;

	private Lsn walStart;

	private Listener listener;

	/** The application's listener: maps every row to the record, like the benchmark consumer. */
	public static class Listener {

		long checksum;

		@EventListener
		public void inserted(InsertEvent<BenchRow> event) {
			BenchRow row = event.newValue();
			this.checksum += row.id() + row.qty();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

	@Setup
	public void setup() throws IOException, ClassNotFoundException {
		Class<?>[] sources = this.listenerFactory
				? new Class<?>[] { Config.class,
						Class.forName("io.github.pglogrepl.spring.autoconfigure.ReplicationEventListenerFactory") }
				: new Class<?>[] { Config.class };
		this.context = new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "logging.level.root=WARN")
			.run();
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
		this.listener = this.context.getBean(Listener.class);
	}

	@TearDown
	public void tearDown() {
		this.context.close();
	}

	@Benchmark
	public long decodePublishMap() {
		ReplicationEvent event = this.events.create(this.decoder.decode(this.insert), this.walStart, this.txn);
		this.context.publishEvent(event);
		return this.listener.checksum;
	}

	@Benchmark
	@SuppressWarnings("unchecked")
	public long decodeMap() {
		ReplicationEvent event = this.events.create(this.decoder.decode(this.insert), this.walStart, this.txn);
		return ((InsertEvent<BenchRow>) event).newValue().id();
	}

}
