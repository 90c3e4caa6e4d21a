package io.github.pglogrepl.fuzz;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.DeleteMessage;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.TruncateMessage;
import io.github.pglogrepl.pgoutput.TupleData;
import io.github.pglogrepl.pgoutput.TypeMessage;
import io.github.pglogrepl.pgoutput.UpdateMessage;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ProtocolException;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.StandbyStatusUpdate;
import io.github.pglogrepl.protocol.XLogData;
import io.github.pglogrepl.test.LogicalStream;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;
import io.github.pglogrepl.types.PgTypeOids;
import io.github.pglogrepl.types.ValueDecodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Long-running fuzzing of the parsers with random bytes and with mutations of real messages captured from the
 * test server: pgoutput messages of three streams (text, binary, two-phase + streaming) over a workload of
 * inserts, updates, deletes, truncates, logical decoding messages, large streamed and aborted transactions,
 * prepared transactions, an origin and a schema change, over columns of many types (arrays, numerics, text,
 * bytea, date/time, enum, ...); and the CopyData messages as received ({@link XLogData#encode()},
 * {@link PrimaryKeepalive#encode()}).
 *
 * <p>Mutations: bit flips, byte overwrites, truncations, extensions, corruptions of the length and count
 * fields (found by walking the real message), splices and insertions of two messages, wrong type bytes,
 * and rows read through a relation whose column types were swapped.
 *
 * <p>Only {@link ProtocolException} may escape the parsers, and {@link ValueDecodingException} only from the
 * lazy value decoding ({@link Row#get(int)}); no case may take more than one second or allocate more than
 * 64 MB, and the whole run has a global timeout. Unmutated captures must decode completely, values included.
 *
 * <p>By default a short run ({@value #DEFAULT_CASES} cases) is part of the build. The long run, at least one
 * million cases:
 *
 * <pre>
 * ./mvnw -B test -pl pglogrepl -Dpg14.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=LongFuzzTest -Dpglogrepl.fuzz.long=true [-Dpglogrepl.fuzz.long.cases=5000000] [-Dpglogrepl.fuzz.seed=42]
 * </pre>
 *
 * The throughput (cases/s) is printed at the end; a failure names the seed, case number, mutation and input.
 */
@RealPostgres
class LongFuzzTest {

	static final int DEFAULT_CASES = 20_000;

	private static final boolean LONG = Boolean.getBoolean("pglogrepl.fuzz.long");

	private static final int CASES = Integer.getInteger("pglogrepl.fuzz.long.cases", LONG ? 1_000_000 : DEFAULT_CASES);

	private static final long SEED = Long.getLong("pglogrepl.fuzz.seed", 0x5EC0_F022L);

	private static final Duration GLOBAL_TIMEOUT = LONG ? Duration.ofMinutes(30) : Duration.ofSeconds(90);

	private static final long CASE_LIMIT_NANOS = Duration.ofSeconds(1).toNanos();

	private static final long CASE_ALLOCATION_LIMIT = 64L << 20;

	private static final char[] PGOUTPUT_TYPES = "BCORYIUDTMSEcAbPKrp".toCharArray();

	private static final int[] TYPE_OIDS = { PgTypeOids.BOOL, PgTypeOids.BYTEA, PgTypeOids.CHAR, PgTypeOids.NAME,
			PgTypeOids.INT8, PgTypeOids.INT2, PgTypeOids.INT4, PgTypeOids.TEXT, PgTypeOids.OID, PgTypeOids.JSON,
			PgTypeOids.XML, PgTypeOids.FLOAT4, PgTypeOids.FLOAT8, PgTypeOids.BPCHAR, PgTypeOids.VARCHAR,
			PgTypeOids.DATE, PgTypeOids.TIME, PgTypeOids.TIMESTAMP, PgTypeOids.TIMESTAMPTZ, PgTypeOids.INTERVAL,
			PgTypeOids.TIMETZ, PgTypeOids.NUMERIC, PgTypeOids.UUID, PgTypeOids.JSONB, PgTypeOids.BOOL_ARRAY,
			PgTypeOids.BYTEA_ARRAY, PgTypeOids.INT4_ARRAY, PgTypeOids.TEXT_ARRAY, PgTypeOids.INT8_ARRAY,
			PgTypeOids.FLOAT8_ARRAY, PgTypeOids.TIMESTAMPTZ_ARRAY, PgTypeOids.NUMERIC_ARRAY, PgTypeOids.UUID_ARRAY,
			PgTypeOids.DATE_ARRAY, PgTypeOids.JSONB_ARRAY, 3614 /* tsvector: not decoded */, 0, -1 };

	private static final int[] INTERESTING_32 = { 0, 1, -1, -2, 2, 3, 4, 7, 8, 16, 255, 256, 0x7FFF, 0x8000, 0xFFFF,
			0x10000, 0x7FFFFFFF, 0x7FFFFFFE, 0x80000000, 0x80000001, 0x40000000, 0x3FFFFFFF, 1_000_000, 100_000_000 };

	private static final short[] INTERESTING_16 = { 0, 1, -1, 2, 6, 7, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000,
			0x7FFF, (short) 0x8000, (short) 0x8001, (short) 0xC000, (short) 0xD000, (short) 0xF000 };

	private static final byte[] STREAM_START = { 'S', 0, 0, 0, 42, 1 };

	private static final byte[] STREAM_STOP = { 'E' };

	// ------------------------------------------------------------------------------------------------ corpus

	/** A captured pgoutput message and whether it was inside a streamed block. */
	record Capture(int stream, byte[] bytes, boolean inStream) {
	}

	/** Everything captured. */
	static final class Corpus {

		final List<Capture> messages = new ArrayList<>();

		/** Relation and Type messages per stream, in order (to prime a decoder). */
		final List<List<Capture>> primers = new ArrayList<>();

		/** Relation messages by relation OID per stream (for type confusion). */
		final List<Map<Integer, RelationMessage>> relations = new ArrayList<>();

		/** CopyData payloads as received: XLogData and keepalives. */
		final List<byte[]> copyData = new ArrayList<>();

		/** Stream index of each copyData entry that is an XLogData. */
		final List<Integer> copyDataStream = new ArrayList<>();

		final Map<String, Integer> typesSeen = new TreeMap<>();

		final Map<String, Integer> shapes = new java.util.HashMap<>();

		int binaryValues;

		int unchangedToastValues;

	}

	@Test
	void randomAndMutatedRealMessagesOnlyRaiseTheDocumentedExceptions(TestPostgres pg) throws Exception {
		Corpus corpus = capture(pg);
		assertCorpusCoversTheProtocol(pg, corpus);
		assertUnmutatedCapturesDecodeCompletely(corpus);
		long[] result = assertTimeoutPreemptively(GLOBAL_TIMEOUT, () -> fuzz(corpus),
				() -> "the fuzz run exceeded the global timeout of " + GLOBAL_TIMEOUT + " (seed " + SEED + ")");
		long elapsed = result[0];
		double perSecond = CASES / (elapsed / 1e9);
		System.out.printf("LongFuzzTest: %,d cases in %.1f s = %,.0f cases/s (seed %d, %s mode; corpus %d pgoutput "
				+ "messages (sampled from %,d), %d CopyData messages; outcomes: decoded %,d, ProtocolException %,d, "
				+ "ValueDecodingException %,d, slowest case %.1f ms)%n", CASES, elapsed / 1e9, perSecond, SEED,
				LONG ? "long" : "short", corpus.messages.size(),
				corpus.typesSeen.values().stream().mapToInt(Integer::intValue).sum(), corpus.copyData.size(), result[1], result[2],
				result[3], result[4] / 1e6);
		assertThat(result[1]).as("decoded cases").isPositive();
		assertThat(result[2]).as("rejected cases").isPositive();
		assertThat(result[3]).as("cases with an undecodable value").isPositive();
	}

	// ------------------------------------------------------------------------------------------------ capture

	private static Corpus capture(TestPostgres pg) throws SQLException {
		int major = pg.majorVersion();
		String n = TestPostgres.uniqueName("fz");
		String all = n + "_all";
		String full = n + "_full";
		String big = n + "_big";
		String mood = n + "_mood";
		String pub = n + "_pub";
		pg.execute("CREATE TYPE " + mood + " AS ENUM ('sad', 'ok', 'happy')",
				"CREATE TABLE " + all + " (id int PRIMARY KEY, i2 int2, i8 int8, num numeric, num_s numeric(12,4), "
						+ "f4 float4, f8 float8, b bool, t text, vc varchar(20), bp char(5), ba bytea, u uuid, d date, "
						+ "tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, js json, jsb jsonb, o oid, "
						+ "ch \"char\", nm name, ia int4[], ta text[], na numeric[], baa bytea[], i8a int8[], "
						+ "ba_b bool[], da date[], tsa timestamptz[], ua uuid[], f8a float8[], jsba jsonb[], m " + mood
						+ ", ip inet, big text)",
				"ALTER TABLE " + all + " ALTER COLUMN big SET STORAGE EXTERNAL",
				"CREATE TABLE " + full + " (k text, v numeric, extra bytea)",
				"ALTER TABLE " + full + " REPLICA IDENTITY FULL",
				"CREATE TABLE " + big + " (id serial PRIMARY KEY, payload text)",
				"CREATE PUBLICATION " + pub + " FOR TABLE " + all + ", " + full + ", " + big);
		boolean twoPhase = major >= 15
				&& Integer.parseInt(pg.queryString("SELECT current_setting('max_prepared_transactions')")) > 0;
		int maxProto = PgOutputOptions.maxProtoVersion(major);
		List<LogicalStream> streams = new ArrayList<>();
		List<PgOutputOptions> options = new ArrayList<>();
		String origin = n + "_origin";
		try {
			// slots first: every stream decodes the same workload
			streams.add(LogicalStream.create(pg, false));
			options.add(PgOutputOptions.builder().protoVersion(maxProto).publications(pub).messages(true).build());
			streams.add(LogicalStream.create(pg, false));
			options.add(PgOutputOptions.builder()
				.protoVersion(maxProto)
				.publications(pub)
				.messages(true)
				.binary(true)
				.streaming("on")
				.build());
			if (twoPhase) {
				streams.add(LogicalStream.create(pg, true));
				options.add(PgOutputOptions.builder()
					.protoVersion(maxProto)
					.publications(pub)
					.messages(true)
					.twoPhase(true)
					.streaming((maxProto >= 4) ? "parallel" : "on")
					.build());
			}
			workload(pg, all, full, big, origin, twoPhase);
			Corpus corpus = new Corpus();
			for (int s = 0; s < streams.size(); s++) {
				collect(streams.get(s).start(options.get(s)), s, corpus);
			}
			return corpus;
		}
		finally {
			for (LogicalStream stream : streams) {
				stream.close();
			}
			pg.execute("DROP PUBLICATION " + pub, "DROP TABLE " + all + ", " + full + ", " + big, "DROP TYPE " + mood);
			pg.queryString("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = '"
					+ origin + "'");
		}
	}

	private static void workload(TestPostgres pg, String all, String full, String big, String origin,
			boolean twoPhase) throws SQLException {
		String bigText = "x".repeat(3000) + "é€😀".repeat(1000);
		pg.execute(
				"INSERT INTO " + all + " VALUES (1, 1, 1, 1.5, 12.3456, 1.25, 2.5, true, 'hello', 'vc', 'bp', "
						+ "'\\x0001ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '12:34:56.789', "
						+ "'12:34:56+05:30', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456+00', "
						+ "'1 year 2 mons 3 days 04:05:06.789', '{\"a\": [1, 2, {\"b\": null}]}', '{\"k\": \"v\"}', "
						+ "4294967295, 'c', 'name', '{1,2,3}', '{a,b}', '{1.5,NaN}', '{\"\\\\x00\",NULL}', '{1,-1}', "
						+ "'{t,f,NULL}', '{2024-01-01,infinity}', '{\"2024-01-01 00:00:00+00\"}', "
						+ "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{1e300,-0,Infinity}', '{\"{}\",\"[1]\"}', 'happy', "
						+ "'192.168.0.1/24', '" + bigText + "')",
				"INSERT INTO " + all + " VALUES (2, -32768, -9223372036854775808, 'NaN', -99999999.9999, 'Infinity', "
						+ "'-Infinity', false, E'quote'' dq\" back\\\\slash\\nnewline\\ttab ünï €😀', '', '     ', "
						+ "'\\x', '00000000-0000-0000-0000-000000000000', '0044-03-15 BC', '24:00:00', "
						+ "'00:00:00-15:59', '-infinity', 'infinity', '-178000000 years -1 microsecond', "
						+ "'\"\\u00e9\"', '[]', 0, E'\\\\001', '', '{{1,2},{3,NULL}}', "
						+ "'{\"a,b\",\"c\\\"d\",NULL,\"NULL\",\"\",\" sp \"}', '{}', '{}', '{9223372036854775807}', "
						+ "'{}', '{-infinity,0001-01-01 BC}', '{}', '{}', '{NaN,-Infinity,1e-300}', '{}', 'sad', '::1', "
						+ "NULL)",
				"INSERT INTO " + all + " (id) VALUES (3)",
				"INSERT INTO " + all + " (id, num, na, iv) VALUES (4, 12345678901234567890.000000000000000000001, "
						+ "'{-0.00001,100000000000000000000,Infinity,-Infinity}', '-1 days +23:59:59.999999')");
		pg.execute("UPDATE " + all + " SET i2 = 2, t = 'updated' WHERE id = 1",
				"UPDATE " + all + " SET id = 20 WHERE id = 2",
				"DELETE FROM " + all + " WHERE id = 3",
				"INSERT INTO " + full + " VALUES ('k1', 1.0, '\\xdeadbeef'), ('k2', NULL, NULL)",
				"UPDATE " + full + " SET v = v + 1 WHERE k = 'k1'",
				"DELETE FROM " + full + " WHERE k = 'k2'",
				"ALTER TABLE " + full + " ADD COLUMN added int DEFAULT 7",
				"INSERT INTO " + full + " VALUES ('k3', -0.5, '\\x00', 8)",
				"SELECT pg_logical_emit_message(true, 'fz-tx', 'transactional text')",
				"SELECT pg_logical_emit_message(false, 'fz-bin', '\\x00ff7f80'::bytea)",
				"TRUNCATE " + full + ", " + big + " RESTART IDENTITY");
		try (Connection c = pg.connect(); Statement st = c.createStatement()) {
			// a large transaction (streamed on the streaming slots: logical_decoding_work_mem is 64kB)
			c.setAutoCommit(false);
			st.execute("INSERT INTO " + big + " (payload) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 1500) g");
			st.execute("SELECT pg_logical_emit_message(true, 'fz-in-big', 'inside')");
			st.execute("SAVEPOINT s1");
			st.execute("INSERT INTO " + big + " (payload) SELECT repeat('s', 200) FROM generate_series(1, 800) g");
			st.execute("ROLLBACK TO SAVEPOINT s1");
			st.execute("UPDATE " + big + " SET payload = 'u' WHERE id % 100 = 0");
			c.commit();
			// a large transaction rolled back after it was streamed
			st.execute("INSERT INTO " + big + " (payload) SELECT repeat('r', 200) FROM generate_series(1, 1500) g");
			c.rollback();
			c.setAutoCommit(true);
			// a transaction with an origin
			st.execute("SELECT pg_replication_origin_create('" + origin + "')");
			st.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
			c.setAutoCommit(false);
			st.execute("SELECT pg_replication_origin_xact_setup('0/ABCDEF', now())");
			st.execute("INSERT INTO " + full + " VALUES ('origin', 1, NULL, 1)");
			c.commit();
			c.setAutoCommit(true);
			st.execute("SELECT pg_replication_origin_session_reset()");
			if (twoPhase) {
				String gid = TestPostgres.uniqueName("fz_gid");
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + full + " VALUES ('prepared', 2, NULL, 2)");
				st.execute("PREPARE TRANSACTION '" + gid + "_1'");
				c.setAutoCommit(true);
				st.execute("COMMIT PREPARED '" + gid + "_1'");
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + full + " VALUES ('rolled back', 3, NULL, 3)");
				st.execute("PREPARE TRANSACTION '" + gid + "_2'");
				c.setAutoCommit(true);
				st.execute("ROLLBACK PREPARED '" + gid + "_2'");
				// a large prepared transaction: Stream Prepare on the streaming two-phase slot
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + big + " (payload) SELECT repeat('p', 200) FROM generate_series(1, 1500) g");
				st.execute("PREPARE TRANSACTION '" + gid + "_3'");
				c.setAutoCommit(true);
				st.execute("COMMIT PREPARED '" + gid + "_3'");
			}
			// the big value is stored out of line: an update of another column sends it as unchanged TOAST
			st.execute("UPDATE " + all + " SET i8 = 42 WHERE id = 1");
			st.execute("SELECT pg_logical_emit_message(false, 'fz-end', '')");
		}
	}

	private static void collect(LogicalStream fixture, int index, Corpus corpus) throws SQLException {
		PgOutputDecoder decoder = new PgOutputDecoder();
		while (corpus.primers.size() <= index) {
			corpus.primers.add(new ArrayList<>());
			corpus.relations.add(new java.util.HashMap<>());
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			ReplicationMessage message = fixture.stream().read(Duration.ofMillis(200));
			if (message instanceof PrimaryKeepalive keepalive) {
				corpus.copyData.add(keepalive.encode());
				corpus.copyDataStream.add(-1);
				if (keepalive.replyRequested()) {
					fixture.stream().sendStatusUpdate(fixture.stream().lastReceivedLsn(), Lsn.INVALID, Lsn.INVALID, false);
				}
			}
			else if (message instanceof XLogData data) {
				byte[] wire = data.encode();
				// the re-encoded CopyData parses back to the same data
				XLogData reparsed = (XLogData) ReplicationMessage.parse(wire);
				assertThat(reparsed.dataBytes()).isEqualTo(data.dataBytes());
				boolean inStream = decoder.inStreamBlock();
				Capture capture = new Capture(index, data.dataBytes(), inStream);
				PgOutputMessage decoded = decoder.decode(data);
				corpus.typesSeen.merge(String.valueOf(decoded.type()), 1, Integer::sum);
				// the thousands of rows of the large transactions differ little: keep a sample of each kind
				String shape = index + "/" + decoded.type() + "/" + inStream + "/"
						+ ((decoded instanceof InsertMessage || decoded instanceof UpdateMessage
								|| decoded instanceof DeleteMessage) ? relationOf(decoded).relationId() : 0);
				if (corpus.shapes.merge(shape, 1, Integer::sum) <= 25) {
					corpus.messages.add(capture);
					corpus.copyData.add(wire);
					corpus.copyDataStream.add(index);
				}
				if (decoded instanceof RelationMessage relation) {
					// the decoder keeps the latest Relation per OID: priming with the latest one is the same
					corpus.primers.get(index).removeIf((p) -> p.bytes()[0] == 'R'
							&& relationIdOf(p) == relation.relationId());
					corpus.primers.get(index).add(capture);
					corpus.relations.get(index).put(relation.relationId(), relation);
				}
				else if (decoded instanceof TypeMessage type) {
					corpus.primers.get(index).removeIf((p) -> p.bytes()[0] == 'Y' && relationIdOf(p) == type.typeOid());
					corpus.primers.get(index).add(capture);
				}
				countValueKinds(decoded, corpus);
				if (decoded instanceof LogicalDecodingMessage m && m.prefix().equals("fz-end")) {
					return;
				}
			}
		}
		throw new AssertionError("Timed out capturing stream " + index + "; seen " + corpus.typesSeen);
	}

	private static void countValueKinds(PgOutputMessage message, Corpus corpus) {
		for (TupleData tuple : tuples(message)) {
			for (int i = 0; i < tuple.size(); i++) {
				if (tuple.kind(i) == TupleData.Kind.BINARY) {
					corpus.binaryValues++;
				}
				else if (tuple.kind(i) == TupleData.Kind.UNCHANGED_TOAST) {
					corpus.unchangedToastValues++;
				}
			}
		}
	}

	private static List<TupleData> tuples(PgOutputMessage message) {
		List<TupleData> tuples = new ArrayList<>(2);
		if (message instanceof InsertMessage m) {
			tuples.add(m.newTuple());
		}
		else if (message instanceof UpdateMessage m) {
			if (m.oldTuple() != null) {
				tuples.add(m.oldTuple());
			}
			tuples.add(m.newTuple());
		}
		else if (message instanceof DeleteMessage m) {
			tuples.add(m.oldTuple());
		}
		return tuples;
	}

	private static void assertCorpusCoversTheProtocol(TestPostgres pg, Corpus corpus) {
		List<String> expected = new ArrayList<>(List.of("B", "C", "R", "Y", "I", "U", "D", "T", "M", "O", "S", "E",
				"c", "A"));
		if (corpus.primers.size() > 2) {
			expected.addAll(List.of("b", "P", "K", "r", "p"));
		}
		assertThat(corpus.typesSeen.keySet()).as("message types captured from PostgreSQL %s", pg.majorVersion())
			.containsAll(expected);
		assertThat(corpus.binaryValues).as("binary-format values captured").isPositive();
		assertThat(corpus.unchangedToastValues).as("unchanged TOAST values captured").isPositive();
		assertThat(corpus.copyData).isNotEmpty();
	}

	/** Real messages must decode, and every value of every row must decode too. */
	private static void assertUnmutatedCapturesDecodeCompletely(Corpus corpus) {
		for (int s = 0; s < corpus.primers.size(); s++) {
			PgOutputDecoder decoder = new PgOutputDecoder();
			for (Capture capture : corpus.messages) {
				if (capture.stream() != s) {
					continue;
				}
				PgOutputMessage message = decoder.decode(capture.bytes());
				assertThat(message.toString()).isNotNull();
				for (TupleData tuple : tuples(message)) {
					Row row = new Row(relationOf(message), tuple);
					for (int i = 0; i < row.size(); i++) {
						try {
							row.get(i);
						}
						catch (ValueDecodingException ex) {
							fail("Real value of column " + row.columnName(i) + " in stream " + s + " does not decode: "
									+ tuple + " " + ex.getMessage(), ex);
						}
					}
				}
			}
		}
	}

	private static RelationMessage relationOf(PgOutputMessage message) {
		if (message instanceof InsertMessage m) {
			return m.relation();
		}
		if (message instanceof UpdateMessage m) {
			return m.relation();
		}
		return ((DeleteMessage) message).relation();
	}

	// ------------------------------------------------------------------------------------------------ fuzz

	/** @return elapsed nanos, decoded, rejected, value errors, slowest case nanos */
	private static long[] fuzz(Corpus corpus) {
		CURRENT_CORPUS.set(corpus);
		SplittableRandom random = new SplittableRandom(SEED);
		AllocationMeter meter = AllocationMeter.create();
		long decoded = 0;
		long rejected = 0;
		long valueErrors = 0;
		long slowest = 0;
		long start = System.nanoTime();
		StringBuilder how = new StringBuilder();
		for (int i = 0; i < CASES; i++) {
			how.setLength(0);
			int kind = random.nextInt(100);
			Case c = makeCase(kind, random, corpus, how);
			long allocatedBefore = meter.allocated();
			long t0 = System.nanoTime();
			Outcome outcome;
			try {
				outcome = run(c);
			}
			catch (AssertionError ex) {
				throw new AssertionError(describe(i, how, c) + ": " + ex.getMessage(), ex);
			}
			long took = System.nanoTime() - t0;
			long allocated = meter.allocated() - allocatedBefore;
			slowest = Math.max(slowest, took);
			if (took > CASE_LIMIT_NANOS) {
				fail(describe(i, how, c) + " took " + took / 1_000_000 + " ms (limit 1000 ms)");
			}
			if (allocated > CASE_ALLOCATION_LIMIT) {
				fail(describe(i, how, c) + " allocated " + allocated + " bytes for a " + c.input.length + "-byte input");
			}
			switch (outcome) {
				case DECODED -> decoded++;
				case REJECTED -> rejected++;
				case VALUE_ERROR -> valueErrors++;
			}
		}
		return new long[] { System.nanoTime() - start, decoded, rejected, valueErrors, slowest };
	}

	private static String describe(int index, StringBuilder how, Case c) {
		return "Case " + index + " (seed " + SEED + ", " + how + ", " + c.target + ") input "
				+ HexFormat.of().formatHex(c.input, 0, Math.min(c.input.length, 512))
				+ ((c.input.length > 512) ? "... (" + c.input.length + " bytes)" : "");
	}

	enum Target {

		/** pgoutput message for a decoder primed with the stream's relations and types. */
		PGOUTPUT,
		/** CopyData message, then its XLogData payload to a primed decoder. */
		COPY_DATA,
		/** Standby status update parser. */
		STATUS_UPDATE

	}

	enum Outcome {

		DECODED, REJECTED, VALUE_ERROR

	}

	record Case(Target target, byte[] input, int stream, boolean inStream, byte[] confusedRelation) {
	}

	private static Case makeCase(int kind, SplittableRandom random, Corpus corpus, StringBuilder how) {
		List<Capture> messages = corpus.messages;
		if (kind < 10) {
			// random bytes, most with a valid type byte
			byte[] input = new byte[random.nextInt(160)];
			random.nextBytes(input);
			if (input.length > 0 && random.nextInt(10) < 7) {
				input[0] = (byte) PGOUTPUT_TYPES[random.nextInt(PGOUTPUT_TYPES.length)];
			}
			how.append("random ").append(input.length).append(" bytes");
			return new Case(Target.PGOUTPUT, input, random.nextInt(corpus.primers.size()), random.nextBoolean(), null);
		}
		if (kind < 15) {
			byte[] input = new byte[random.nextInt(80)];
			random.nextBytes(input);
			if (input.length > 0) {
				input[0] = (byte) ("wkr".charAt(random.nextInt(3)));
			}
			how.append("random CopyData ").append(input.length).append(" bytes");
			return new Case(random.nextInt(4) == 0 ? Target.STATUS_UPDATE : Target.COPY_DATA, input,
					random.nextInt(corpus.primers.size()), false, null);
		}
		if (kind < 65) {
			Capture capture = messages.get(random.nextInt(messages.size()));
			how.append("mutated '").append((char) capture.bytes()[0]).append("' capture:");
			byte[] input = mutate(capture.bytes(), capture.inStream(), random, corpus, how);
			return new Case(Target.PGOUTPUT, input, capture.stream(),
					random.nextInt(20) == 0 ? !capture.inStream() : capture.inStream(), null);
		}
		if (kind < 85) {
			int at = random.nextInt(corpus.copyData.size());
			byte[] wire = corpus.copyData.get(at);
			int stream = corpus.copyDataStream.get(at);
			how.append("mutated CopyData '").append((char) wire[0]).append("':");
			byte[] input = mutate(wire, false, random, corpus, how);
			if (random.nextInt(10) == 0) {
				return new Case(Target.STATUS_UPDATE, input, 0, false, null);
			}
			return new Case(Target.COPY_DATA, input, Math.max(stream, 0), random.nextInt(4) == 0, null);
		}
		if (kind < 95) {
			// a real row message read through its relation with column types swapped
			Capture capture = rowCapture(random, corpus);
			RelationMessage relation = relationFor(capture, corpus);
			byte[] confused = confusedRelation(relation, random, how);
			byte[] input = capture.bytes();
			if (random.nextBoolean()) {
				how.append(" and");
				input = mutate(input, capture.inStream(), random, corpus, how);
			}
			return new Case(Target.PGOUTPUT, input, capture.stream(), capture.inStream(), confused);
		}
		// splice of two captures (different streams and message types included)
		Capture a = messages.get(random.nextInt(messages.size()));
		Capture b = messages.get(random.nextInt(messages.size()));
		how.append("splice '").append((char) a.bytes()[0]).append("' + '").append((char) b.bytes()[0]).append("'");
		byte[] input = splice(a.bytes(), b.bytes(), random);
		return new Case(Target.PGOUTPUT, input, a.stream(), a.inStream(), null);
	}

	private static Capture rowCapture(SplittableRandom random, Corpus corpus) {
		while (true) {
			Capture capture = corpus.messages.get(random.nextInt(corpus.messages.size()));
			char type = (char) capture.bytes()[0];
			if (type == 'I' || type == 'U' || type == 'D') {
				return capture;
			}
		}
	}

	private static RelationMessage relationFor(Capture capture, Corpus corpus) {
		return corpus.relations.get(capture.stream()).get(relationIdOf(capture));
	}

	/** The OID after the type byte (and the xid inside a streamed block) of a Relation, Type or row message. */
	private static int relationIdOf(Capture capture) {
		return ByteBuffer.wrap(capture.bytes()).getInt(capture.inStream() ? 5 : 1);
	}

	private static byte[] confusedRelation(RelationMessage relation, SplittableRandom random, StringBuilder how) {
		ByteBuffer out = ByteBuffer.allocate(4096);
		out.put((byte) 'R').putInt(relation.relationId());
		cstring(out, relation.namespace());
		cstring(out, relation.name());
		out.put((byte) relation.replicaIdentity()).putShort((short) relation.columns().size());
		how.append("relation ").append(relation.name()).append(" with types");
		for (RelationMessage.Column column : relation.columns()) {
			int type = column.typeOid();
			if (random.nextInt(3) == 0) {
				type = TYPE_OIDS[random.nextInt(TYPE_OIDS.length)];
			}
			how.append(' ').append(type);
			out.put((byte) (column.key() ? 1 : 0));
			cstring(out, column.name());
			out.putInt(type).putInt(random.nextInt(8) == 0 ? random.nextInt() : column.typeModifier());
		}
		return Arrays.copyOf(out.array(), out.position());
	}

	private static void cstring(ByteBuffer out, String s) {
		out.put(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 0);
	}

	// ------------------------------------------------------------------------------------------------ mutations

	static byte[] mutate(byte[] original, boolean inStream, SplittableRandom random, Corpus corpus, StringBuilder how) {
		byte[] b = original.clone();
		int count = 1 + random.nextInt(random.nextInt(8) == 0 ? 8 : 3);
		for (int m = 0; m < count; m++) {
			if (b.length == 0) {
				b = new byte[] { (byte) PGOUTPUT_TYPES[random.nextInt(PGOUTPUT_TYPES.length)] };
			}
			switch (random.nextInt(12)) {
				case 0 -> {
					int bit = random.nextInt(b.length * 8);
					b[bit >>> 3] ^= (byte) (1 << (bit & 7));
					how.append(" flip bit ").append(bit);
				}
				case 1 -> {
					int flips = 2 + random.nextInt(16);
					for (int f = 0; f < flips; f++) {
						int bit = random.nextInt(b.length * 8);
						b[bit >>> 3] ^= (byte) (1 << (bit & 7));
					}
					how.append(" flip ").append(flips).append(" bits");
				}
				case 2 -> {
					int at = random.nextInt(b.length);
					int[] values = { 0, 1, 0x7F, 0x80, 0xFF, 't', 'b', 'n', 'u', 'N', 'K', 'O', '{', '}', '"', ',', '\\' };
					b[at] = (byte) (random.nextBoolean() ? values[random.nextInt(values.length)] : random.nextInt(256));
					how.append(" set byte ").append(at);
				}
				case 3 -> {
					int length = random.nextInt(b.length);
					b = Arrays.copyOf(b, length);
					how.append(" truncate to ").append(length);
				}
				case 4 -> {
					int extra = 1 + random.nextInt(random.nextBoolean() ? 8 : 300);
					int at = b.length;
					b = Arrays.copyOf(b, at + extra);
					if (random.nextBoolean()) {
						byte[] tail = new byte[extra];
						random.nextBytes(tail);
						System.arraycopy(tail, 0, b, at, extra);
					}
					how.append(" extend by ").append(extra);
				}
				case 5, 6 -> {
					List<Field> fields = fields(b, inStream);
					Field field = fields.isEmpty() ? new Field(random.nextInt(b.length), random.nextBoolean() ? 4 : 2)
							: fields.get(random.nextInt(fields.size()));
					corruptField(b, field, random, how);
				}
				case 7 -> {
					Capture other = corpus.messages.get(random.nextInt(corpus.messages.size()));
					b = splice(b, other.bytes(), random);
					how.append(" splice with '").append((char) other.bytes()[0]).append("'");
				}
				case 8 -> {
					Capture other = corpus.messages.get(random.nextInt(corpus.messages.size()));
					byte[] o = other.bytes();
					int from = random.nextInt(o.length);
					int len = Math.min(o.length - from, 1 + random.nextInt(64));
					int at = random.nextInt(b.length + 1);
					byte[] r = new byte[b.length + len];
					System.arraycopy(b, 0, r, 0, at);
					System.arraycopy(o, from, r, at, len);
					System.arraycopy(b, at, r, at + len, b.length - at);
					b = r;
					how.append(" insert ").append(len).append(" bytes at ").append(at);
				}
				case 9 -> {
					int from = random.nextInt(b.length);
					int len = Math.min(b.length - from, 1 + random.nextInt(32));
					int at = random.nextInt(b.length + 1);
					byte[] r = new byte[b.length + len];
					System.arraycopy(b, 0, r, 0, at);
					System.arraycopy(b, from, r, at, len);
					System.arraycopy(b, at, r, at + len, b.length - at);
					b = r;
					how.append(" duplicate ").append(len).append(" bytes");
				}
				case 10 -> {
					int from = random.nextInt(b.length);
					int len = Math.min(b.length - from, 1 + random.nextInt(16));
					byte[] r = new byte[b.length - len];
					System.arraycopy(b, 0, r, 0, from);
					System.arraycopy(b, from + len, r, from, b.length - from - len);
					b = r;
					how.append(" delete ").append(len).append(" bytes at ").append(from);
				}
				default -> {
					char type = PGOUTPUT_TYPES[random.nextInt(PGOUTPUT_TYPES.length)];
					if (b[0] != 'w' && b[0] != 'k') {
						b[0] = (byte) type;
						how.append(" type ").append(type);
					}
					else if (b.length > XLogData.HEADER_LENGTH) {
						b[XLogData.HEADER_LENGTH] = (byte) type;
						how.append(" payload type ").append(type);
					}
				}
			}
		}
		return b;
	}

	private static byte[] splice(byte[] a, byte[] b, SplittableRandom random) {
		int cutA = random.nextInt(a.length + 1);
		int cutB = random.nextInt(b.length + 1);
		byte[] r = new byte[cutA + (b.length - cutB)];
		System.arraycopy(a, 0, r, 0, cutA);
		System.arraycopy(b, cutB, r, cutA, b.length - cutB);
		if (r.length == 0) {
			return new byte[] { a.length > 0 ? a[0] : (byte) 'B' };
		}
		return r;
	}

	/** A length or count field: offset and width (2 or 4). */
	record Field(int offset, int width) {
	}

	private static void corruptField(byte[] b, Field field, SplittableRandom random, StringBuilder how) {
		if (field.offset() + field.width() > b.length) {
			return;
		}
		ByteBuffer buf = ByteBuffer.wrap(b);
		if (field.width() == 4) {
			int original = buf.getInt(field.offset());
			int value = switch (random.nextInt(4)) {
				case 0 -> original + 1;
				case 1 -> original - 1;
				case 2 -> original + (random.nextBoolean() ? b.length : -b.length);
				default -> INTERESTING_32[random.nextInt(INTERESTING_32.length)];
			};
			buf.putInt(field.offset(), value);
			how.append(" int32@").append(field.offset()).append('=').append(value);
		}
		else {
			short original = buf.getShort(field.offset());
			short value = switch (random.nextInt(3)) {
				case 0 -> (short) (original + 1);
				case 1 -> (short) (original - 1);
				default -> INTERESTING_16[random.nextInt(INTERESTING_16.length)];
			};
			buf.putShort(field.offset(), value);
			how.append(" int16@").append(field.offset()).append('=').append(value);
		}
	}

	/**
	 * Finds the length and count fields of a (possibly already mutated) pgoutput message or CopyData message by
	 * walking its structure as documented; stops quietly where the bytes no longer fit.
	 */
	static List<Field> fields(byte[] b, boolean inStream) {
		List<Field> fields = new ArrayList<>();
		try {
			Walker w = new Walker(b);
			int type = w.u8();
			if (type == 'w') {
				w.skip(24);
				if (w.pos < b.length) {
					for (Field f : fields(Arrays.copyOfRange(b, w.pos, b.length), false)) {
						fields.add(new Field(f.offset() + XLogData.HEADER_LENGTH, f.width()));
					}
				}
				return fields;
			}
			boolean xid = inStream && "RYIUDTM".indexOf(type) >= 0;
			if (xid) {
				w.skip(4);
			}
			switch (type) {
				case 'R' -> {
					w.skip(4);
					w.cstring();
					w.cstring();
					w.skip(1);
					fields.add(new Field(w.pos, 2));
					int columns = w.i16();
					for (int i = 0; i < columns; i++) {
						w.skip(1);
						w.cstring();
						fields.add(new Field(w.pos, 4)); // type OID
						w.skip(8);
					}
				}
				case 'I', 'D' -> {
					w.skip(5);
					tupleFields(w, fields);
				}
				case 'U' -> {
					w.skip(4);
					int marker = w.u8();
					if (marker == 'K' || marker == 'O') {
						tupleFields(w, fields);
						w.skip(1);
					}
					tupleFields(w, fields);
				}
				case 'T' -> fields.add(new Field(w.pos, 4));
				case 'M' -> {
					w.skip(9);
					w.cstring();
					fields.add(new Field(w.pos, 4));
				}
				default -> {
					// no length fields
				}
			}
		}
		catch (IndexOutOfBoundsException ex) {
			// the bytes end early: the fields found so far
		}
		return fields;
	}

	private static void tupleFields(Walker w, List<Field> fields) {
		fields.add(new Field(w.pos, 2));
		int columns = w.i16();
		for (int i = 0; i < columns; i++) {
			int kind = w.u8();
			if (kind == 't' || kind == 'b') {
				fields.add(new Field(w.pos, 4));
				int length = w.i32();
				if (length < 0) {
					return;
				}
				w.skip(length);
			}
		}
	}

	/** Cursor for {@link #fields}; throws IndexOutOfBoundsException past the end. */
	static final class Walker {

		final byte[] b;

		int pos;

		Walker(byte[] b) {
			this.b = b;
		}

		int u8() {
			java.util.Objects.checkIndex(this.pos, this.b.length);
			return this.b[this.pos++] & 0xFF;
		}

		int i16() {
			return (short) ((u8() << 8) | u8());
		}

		int i32() {
			return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
		}

		void skip(int n) {
			java.util.Objects.checkFromIndexSize(this.pos, n, this.b.length);
			this.pos += n;
		}

		void cstring() {
			while (u8() != 0) {
				// skip
			}
		}

	}

	// ------------------------------------------------------------------------------------------------ one case

	private static Outcome run(Case c) {
		return switch (c.target()) {
			case STATUS_UPDATE -> {
				try {
					StandbyStatusUpdate update = StandbyStatusUpdate.parse(c.input());
					assertSameExceptReplyFlag(update.encode(), c.input(), update.replyRequested());
					yield Outcome.DECODED;
				}
				catch (ProtocolException ex) {
					assertOffset(ex, c.input().length);
					yield Outcome.REJECTED;
				}
				catch (RuntimeException | Error ex) {
					throw undocumented("StandbyStatusUpdate.parse", ex);
				}
			}
			case COPY_DATA -> {
				ReplicationMessage message;
				try {
					message = ReplicationMessage.parse(c.input());
				}
				catch (ProtocolException ex) {
					assertOffset(ex, c.input().length);
					yield Outcome.REJECTED;
				}
				catch (RuntimeException | Error ex) {
					throw undocumented("ReplicationMessage.parse", ex);
				}
				assertThat(message.toString()).isNotNull();
				if (message instanceof XLogData data) {
					assertThat(data.encode()).isEqualTo(c.input());
					if (data.dataLength() == 0) {
						yield Outcome.DECODED;
					}
					yield decode(c, data.buffer(), data.dataOffset(), data.dataLength());
				}
				PrimaryKeepalive keepalive = (PrimaryKeepalive) message;
				assertSameExceptReplyFlag(keepalive.encode(), c.input(), keepalive.replyRequested());
				yield Outcome.DECODED;
			}
			case PGOUTPUT -> {
				// the same bytes as a CopyData message: only ProtocolException
				try {
					ReplicationMessage.parse(c.input());
				}
				catch (ProtocolException ex) {
					assertOffset(ex, c.input().length);
				}
				catch (RuntimeException | Error ex) {
					throw undocumented("ReplicationMessage.parse", ex);
				}
				yield decode(c, c.input(), 0, c.input().length);
			}
		};
	}

	/** The message encodes back to its input, except that any non-zero reply flag becomes 1. */
	private static void assertSameExceptReplyFlag(byte[] encoded, byte[] input, boolean reply) {
		assertThat(encoded).hasSameSizeAs(input);
		assertThat(Arrays.copyOf(encoded, encoded.length - 1)).isEqualTo(Arrays.copyOf(input, input.length - 1));
		assertThat(reply).isEqualTo(input[input.length - 1] != 0);
	}

	private static PgOutputDecoder primedDecoder(Case c) {
		PgOutputDecoder decoder = new PgOutputDecoder();
		for (Capture primer : CURRENT_CORPUS.get().primers.get(c.stream())) {
			if (primer.inStream()) {
				decoder.decode(STREAM_START);
				decoder.decode(primer.bytes());
				decoder.decode(STREAM_STOP);
			}
			else {
				decoder.decode(primer.bytes());
			}
		}
		if (c.confusedRelation() != null) {
			decoder.decode(c.confusedRelation());
		}
		if (c.inStream()) {
			decoder.decode(STREAM_START);
		}
		return decoder;
	}

	private static final ThreadLocal<Corpus> CURRENT_CORPUS = new ThreadLocal<>();

	private static Outcome decode(Case c, byte[] buf, int offset, int length) {
		PgOutputDecoder decoder = primedDecoder(c);
		PgOutputMessage message;
		try {
			message = decoder.decode(buf, offset, length);
		}
		catch (ProtocolException ex) {
			assertOffset(ex, length);
			return Outcome.REJECTED;
		}
		catch (RuntimeException | Error ex) {
			// ValueDecodingException included: values are decoded lazily, never by decode()
			throw undocumented("PgOutputDecoder.decode", ex);
		}
		try {
			assertThat(message.toString()).isNotNull();
			boolean valueError = false;
			for (TupleData tuple : tuples(message)) {
				assertThat(tuple.toString()).isNotNull();
				Row row = new Row(relationOf(message), tuple);
				for (int i = 0; i < row.size(); i++) {
					tuple.text(i);
					tuple.bytes(i);
					try {
						Object value = row.get(i);
						if (value != null) {
							value.toString();
						}
					}
					catch (ValueDecodingException ex) {
						valueError = true;
					}
				}
				try {
					row.toMap();
					row.toString();
				}
				catch (ValueDecodingException ex) {
					valueError = true;
				}
			}
			if (message instanceof TruncateMessage truncate) {
				assertThat(truncate.relations()).isNotNull();
			}
			return valueError ? Outcome.VALUE_ERROR : Outcome.DECODED;
		}
		catch (RuntimeException | Error ex) {
			throw undocumented("reading the decoded " + message.getClass().getSimpleName(), ex);
		}
	}

	private static void assertOffset(ProtocolException ex, int length) {
		if (ex.offset() < 0 || ex.offset() > length) {
			throw new AssertionError("ProtocolException offset " + ex.offset() + " outside the " + length
					+ "-byte message: " + ex.getMessage());
		}
	}

	private static AssertionError undocumented(String where, Throwable ex) {
		if (ex instanceof AssertionError assertion) {
			return assertion;
		}
		return new AssertionError("Undocumented " + ex + " from " + where, ex);
	}

	// ------------------------------------------------------------------------------------------------ memory

	/** Bytes allocated by the current thread, where the JVM can tell. */
	interface AllocationMeter {

		long allocated();

		static AllocationMeter create() {
			java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
			if (bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
				sun.setThreadAllocatedMemoryEnabled(true);
				return sun::getCurrentThreadAllocatedBytes;
			}
			return () -> 0;
		}

	}

}
