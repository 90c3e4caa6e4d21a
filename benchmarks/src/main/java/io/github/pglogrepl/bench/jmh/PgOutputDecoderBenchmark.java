package io.github.pglogrepl.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.infra.Blackhole;

import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.UpdateMessage;

/**
 * Messages per second of {@link PgOutputDecoder} on pgoutput messages built from bytes (protocol 1, text
 * values), for the benchmark table's row: bigint, text (~41 chars), int, numeric(10,2), timestamptz.
 * {@code decode*} parses the message only (values stay in the buffer); {@code *AllValues} also decodes every
 * column to its Java type with {@code Row.get(i)}.
 *
 * <pre>benchmarks/jmh.sh                 (or: java -cp ... org.openjdk.jmh.Main PgOutputDecoderBenchmark)</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PgOutputDecoderBenchmark {

	static final int RELATION_ID = 16384;

	private PgOutputDecoder decoder;

	private byte[] insert;

	private byte[] update;

	private byte[] begin;

	private byte[] commit;

	@Setup
	public void setup() throws IOException {
		this.decoder = new PgOutputDecoder();
		this.decoder.decode(relation());
		String[] values = { "123456", "customer-e10adc3949ba59abbe56e057f20f883e", "456", "1234.56",
				"2024-01-02 10:17:36.123456+00" };
		this.insert = change('I', values);
		this.update = change('U', values);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		out.writeByte('B');
		out.writeLong(0x16B374D848L);
		out.writeLong(817367519512345L);
		out.writeInt(752);
		this.begin = bytes.toByteArray();
		bytes.reset();
		out.writeByte('C');
		out.writeByte(0);
		out.writeLong(0x16B374D848L);
		out.writeLong(0x16B374D878L);
		out.writeLong(817367519512345L);
		this.commit = bytes.toByteArray();
	}

	public static byte[] relation() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		out.writeByte('R');
		out.writeInt(RELATION_ID);
		cstring(out, "public");
		cstring(out, "bench");
		out.writeByte('d');
		Object[][] columns = { { "id", 20, -1, 1 }, { "name", 25, -1, 0 }, { "qty", 23, -1, 0 },
				{ "price", 1700, (10 << 16 | 2) + 4, 0 }, { "created_at", 1184, -1, 0 } };
		out.writeShort(columns.length);
		for (Object[] c : columns) {
			out.writeByte((Integer) c[3]);
			cstring(out, (String) c[0]);
			out.writeInt((Integer) c[1]);
			out.writeInt((Integer) c[2]);
		}
		return bytes.toByteArray();
	}

	public static byte[] change(char type, String[] values) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		out.writeByte(type);
		out.writeInt(RELATION_ID);
		out.writeByte('N');
		out.writeShort(values.length);
		for (String v : values) {
			byte[] b = v.getBytes(StandardCharsets.UTF_8);
			out.writeByte('t');
			out.writeInt(b.length);
			out.write(b);
		}
		return bytes.toByteArray();
	}

	private static void cstring(DataOutputStream out, String s) throws IOException {
		out.write(s.getBytes(StandardCharsets.UTF_8));
		out.writeByte(0);
	}

	@Benchmark
	public Object decodeInsert() {
		return this.decoder.decode(this.insert);
	}

	@Benchmark
	public void decodeInsertAllValues(Blackhole bh) {
		Row row = ((InsertMessage) this.decoder.decode(this.insert)).newRow();
		for (int i = 0; i < row.size(); i++) {
			bh.consume(row.get(i));
		}
	}

	@Benchmark
	public void decodeUpdateAllValues(Blackhole bh) {
		Row row = ((UpdateMessage) this.decoder.decode(this.update)).newRow();
		for (int i = 0; i < row.size(); i++) {
			bh.consume(row.get(i));
		}
	}

	@Benchmark
	public void decodeBeginInsertCommit(Blackhole bh) {
		bh.consume(this.decoder.decode(this.begin));
		Row row = ((InsertMessage) this.decoder.decode(this.insert)).newRow();
		for (int i = 0; i < row.size(); i++) {
			bh.consume(row.get(i));
		}
		bh.consume(this.decoder.decode(this.commit));
	}

}
