package io.github.pglogrepl.reliability.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.github.pglogrepl.test.SqlAccess;

/**
 * The Kafka scenarios' writer, in the test JVM (it must go on while the application is killed, and the fault is
 * never in it). Each transaction, one every {@code pauseMillis}:
 * <ul>
 * <li>inserts 0–2 new rows ({@code version} 1) into the published table {@code (id bigint primary key, version
 * int, payload text)};</li>
 * <li>updates 1–3 existing rows among the last {@value #HOT_KEYS} ids, {@code version = version + 1}, so that most
 * keys get several versions and their order on Kafka matters;</li>
 * <li>writes one outbox event: the next {@code seq} of one of {@value #AGGREGATES} aggregates is taken from an
 * unpublished counter table ({@code UPDATE ... SET seq = seq + 1 ... RETURNING seq}, row-locked, committed with
 * the transaction) and the event is emitted exactly as {@code io.github.pglogrepl.spring.outbox.Outbox} writes
 * it: {@code pg_logical_emit_message(true, 'pglogrepl.outbox', json)} with {@code JacksonOutboxCodec}'s
 * envelope {@code {"aggregateType":"Account","aggregateId":"<a>","type":"AccountChanged",
 * "payload":{"aggregate":<a>,"seq":<seq>}}}. (The {@code Outbox} bean lives in the application's JVM and needs
 * its transaction; the writer must be outside the application to survive its SIGKILL.)</li>
 * </ul>
 * What committed is read back from the tables afterwards, not from the writer: row {@code id} committed versions
 * 1..{@code version}, aggregate {@code a} committed events 1..{@code seq} — a transaction whose commit outcome
 * is unknown (a connection lost) is thus counted if and only if it committed. Nothing is deleted.
 */
public final class KafkaWriter extends TransactionLoop {

	/** Aggregate type of the outbox events (topic {@code <prefix>.outbox.Account}). */
	public static final String AGGREGATE_TYPE = "Account";

	/** Event type of the outbox events. */
	public static final String EVENT_TYPE = "AccountChanged";

	/** The outbox message prefix ({@code JacksonOutboxCodec.DEFAULT_PREFIX}, {@code pglogrepl.outbox.prefix}). */
	public static final String OUTBOX_PREFIX = "pglogrepl.outbox";

	/** Updates pick among this many most recent ids. */
	static final int HOT_KEYS = 40;

	/** Outbox aggregates (keys of the outbox topic). */
	public static final int AGGREGATES = 16;

	private final String table;

	private final String counters;

	private final AtomicLong nextId = new AtomicLong(1);

	private final AtomicLong lastAcked = new AtomicLong();

	/**
	 * @param url JDBC URL
	 * @param properties connection properties
	 * @param table the published table
	 * @param counters the (unpublished) aggregate counter table
	 * @param pauseMillis pause between transactions
	 */
	public KafkaWriter(String url, Properties properties, String table, String counters, long pauseMillis) {
		super(url, properties, "reliability-kafka-writer-" + table, pauseMillis);
		this.table = table;
		this.counters = counters;
	}

	/**
	 * Creates the tables and the publication (of the row table only).
	 * @param sql where
	 * @param table the row table
	 * @param counters the counter table
	 * @param publication the publication
	 */
	public static void createSchema(SqlAccess sql, String table, String counters, String publication) {
		sql.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, version int NOT NULL, payload text)",
				"CREATE TABLE " + counters + " (id int PRIMARY KEY, seq bigint NOT NULL)",
				"INSERT INTO " + counters + " SELECT g, 0 FROM generate_series(0, " + (AGGREGATES - 1) + ") g",
				"CREATE PUBLICATION " + publication + " FOR TABLE " + table);
	}

	/**
	 * @return this, writing
	 */
	public KafkaWriter start() {
		startLoop();
		return this;
	}

	@Override
	void transaction(Connection connection) throws SQLException {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long acked = this.lastAcked.get();
		int inserts = (acked == 0) ? 2 : random.nextInt(0, 3);
		long from = this.nextId.getAndAdd(inserts);
		long to = from + inserts - 1;
		try (Statement st = connection.createStatement()) {
			if (inserts > 0) {
				st.execute("INSERT INTO " + this.table + " (id, version, payload) SELECT g, 1, 'row ' || g "
						+ "FROM generate_series(" + from + ", " + to + ") g");
			}
			if (acked > 0) {
				StringJoiner ids = new StringJoiner(", ");
				int updates = random.nextInt(1, 4);
				for (int i = 0; i < updates; i++) {
					ids.add(Long.toString(Math.max(1, acked - random.nextInt(HOT_KEYS))));
				}
				st.execute("UPDATE " + this.table + " SET version = version + 1, payload = 'updated ' || now() "
						+ "WHERE id IN (" + ids + ")");
			}
		}
		int aggregate = random.nextInt(AGGREGATES);
		long seq;
		try (PreparedStatement ps = connection
			.prepareStatement("UPDATE " + this.counters + " SET seq = seq + 1 WHERE id = ? RETURNING seq")) {
			ps.setInt(1, aggregate);
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
				seq = rs.getLong(1);
			}
		}
		try (PreparedStatement ps = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
			ps.setString(1, OUTBOX_PREFIX);
			ps.setString(2, "{\"aggregateType\":\"" + AGGREGATE_TYPE + "\",\"aggregateId\":\"" + aggregate
					+ "\",\"type\":\"" + EVENT_TYPE + "\",\"payload\":{\"aggregate\":" + aggregate + ",\"seq\":" + seq
					+ "}}");
			try (ResultSet rs = ps.executeQuery()) {
				rs.next();
			}
		}
		connection.commit();
		if (inserts > 0) {
			this.lastAcked.set(to);
		}
	}

	/**
	 * @return the highest id whose insert's commit returned normally (rows inserted later have higher ids)
	 */
	public long lastAcked() {
		return this.lastAcked.get();
	}

	/**
	 * What committed, read from the tables (call after {@link #stop()}).
	 * @param sql where
	 * @param table the row table
	 * @param counters the counter table
	 * @return committed versions per row id and committed events per aggregate
	 */
	public static Committed committed(SqlAccess sql, String table, String counters) {
		Map<String, Long> rows = new HashMap<>();
		Map<String, Long> events = new HashMap<>();
		try (Connection c = sql.connect(); Statement st = c.createStatement()) {
			try (ResultSet rs = st.executeQuery("SELECT id, version FROM " + table)) {
				while (rs.next()) {
					rows.put(Long.toString(rs.getLong(1)), rs.getLong(2));
				}
			}
			try (ResultSet rs = st.executeQuery("SELECT id, seq FROM " + counters + " WHERE seq > 0")) {
				while (rs.next()) {
					events.put(Integer.toString(rs.getInt(1)), rs.getLong(2));
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return new Committed(Map.copyOf(rows), Map.copyOf(events));
	}

	/**
	 * What committed: per key, versions (rows) or sequence numbers (outbox events) 1..n.
	 *
	 * @param rows the latest version by row id
	 * @param events the latest seq by aggregate id
	 */
	public record Committed(Map<String, Long> rows, Map<String, Long> events) {

		/**
		 * @return committed row versions
		 */
		public long rowVersions() {
			return this.rows.values().stream().mapToLong(Long::longValue).sum();
		}

		/**
		 * @return committed outbox events
		 */
		public long eventCount() {
			return this.events.values().stream().mapToLong(Long::longValue).sum();
		}

	}

}
