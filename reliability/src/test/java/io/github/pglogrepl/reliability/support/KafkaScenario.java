package io.github.pglogrepl.reliability.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;


import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

/**
 * What the Kafka scenarios (12-14) share: the tables and publication of {@link KafkaWriter}, the slot (created
 * before the first write, so everything committed is to be relayed), the two topics (created with
 * {@value #PARTITIONS} partitions, so that per-key order is per partition as in production), the checker
 * ({@link KafkaLog}) and the application's properties: the scenarios' usual ones plus the relay
 * ({@code pglogrepl.kafka.enabled=true}, the embedded broker, no file recorder), and in transactional mode
 * {@code pglogrepl.kafka.transactional=true}.
 *
 * <p>In transactional mode ({@code pglogrepl.kafka.transactional=true}, exactly-once) the scenarios assert that a
 * {@code read_committed} consumer sees no duplicate.
 */
public final class KafkaScenario implements AutoCloseable {

	/** Partitions of each topic. */
	public static final int PARTITIONS = 3;

	private final TestPostgres pg;

	private final String table;

	private final String counters;

	private final String publication;

	private final String slot;

	private final boolean transactional;

	private final KafkaLog log;

	private KafkaWriter writer;

	private KafkaScenario(TestPostgres pg, String prefix, boolean transactional) {
		this.pg = pg;
		this.transactional = transactional;
		this.table = TestPostgres.uniqueName(prefix);
		this.counters = this.table + "_agg";
		this.publication = this.table + "_pub";
		this.slot = this.table + "_slot";
		KafkaWriter.createSchema(pg, this.table, this.counters, this.publication);
		pg.execute("SELECT pg_create_logical_replication_slot('" + this.slot + "', 'pgoutput')");
		KafkaBroker.createTopics(PARTITIONS, rowTopic(), outboxTopic());
		this.log = new KafkaLog(KafkaBroker.bootstrapServers(), rowTopic(), outboxTopic());
	}

	/**
	 * Sets up a scenario.
	 * @param pg the server
	 * @param prefix table name prefix
	 * @param transactional whether the relay runs in transactional (exactly-once) mode
	 * @return the scenario's set-up
	 */
	public static KafkaScenario create(TestPostgres pg, String prefix, boolean transactional) {
		return new KafkaScenario(pg, prefix, transactional);
	}

	/**
	 * @return the table's topic ({@code <slot>.public.<table>}: the topic prefix is the slot name)
	 */
	public String rowTopic() {
		return this.slot + ".public." + this.table;
	}

	/**
	 * @return the outbox topic
	 */
	public String outboxTopic() {
		return this.slot + ".outbox." + KafkaWriter.AGGREGATE_TYPE;
	}

	/**
	 * @return the slot
	 */
	public String slot() {
		return this.slot;
	}

	/**
	 * @return the published table
	 */
	public String table() {
		return this.table;
	}

	/**
	 * @return whether the relay runs in transactional mode
	 */
	public boolean transactional() {
		return this.transactional;
	}

	/**
	 * @return the checker
	 */
	public KafkaLog log() {
		return this.log;
	}

	/**
	 * @return the application's properties
	 */
	public List<String> appProperties() {
		List<String> props = new ArrayList<>(
				AppProperties.of(this.pg.jdbcUrl(), this.pg.user(), this.slot, this.publication, this.table));
		props.add("pglogrepl.kafka.enabled=true");
		props.add("spring.kafka.bootstrap-servers=" + KafkaBroker.bootstrapServers());
		props.add("reliability.app.record=false");
		props.add("logging.level.org.apache.kafka=WARN");
		if (this.transactional) {
			props.add("pglogrepl.kafka.transactional=true");
		}
		return props;
	}

	/**
	 * @param pauseMillis pause between transactions
	 * @return the writer, writing
	 */
	public KafkaWriter startWriter(long pauseMillis) {
		this.writer = new KafkaWriter(this.pg.jdbcUrl(), this.pg.properties(), this.table, this.counters, pauseMillis)
			.start();
		return this.writer;
	}

	/**
	 * Stops the writer and waits until everything committed is on Kafka (or the timeout passed).
	 * @param timeout how long at most
	 * @return the comparison
	 */
	public KafkaLog.Verdict finish(Duration timeout) {
		this.writer.stop();
		return this.log.awaitAll(() -> KafkaWriter.committed(this.pg, this.table, this.counters), timeout);
	}

	/**
	 * Waits until the slot is acknowledged up to the server's current WAL position (everything relayed).
	 * @param timeout how long at most
	 */
	public void awaitSlotCaughtUp(Duration timeout) {
		String end = this.pg.queryString("SELECT pg_current_wal_lsn()");
		Soak.await("the slot acknowledged up to " + end, timeout, () -> "t".equals(this.pg.queryString(
				"SELECT confirmed_flush_lsn >= '" + end + "' FROM pg_replication_slots WHERE slot_name = '" + this.slot
						+ "'")));
	}

	/**
	 * @param verdict the comparison
	 * @return the report's notes for it
	 */
	public String notes(KafkaLog.Verdict verdict) {
		return (this.transactional ? "transactional" : "at-least-once") + " mode; rows: " + verdict.rows().committed()
				+ " versions of " + verdict.rows().keys() + " keys (up to " + verdict.rows().maxVersions()
				+ " each), dup " + verdict.rows().duplicates() + "; outbox: " + verdict.events().committed()
				+ " events of " + verdict.events().keys() + " aggregates, dup " + verdict.events().duplicates()
				+ "; order violations " + verdict.orderViolations() + ", phantoms " + verdict.phantoms() + "; "
				+ verdict.records() + " records read (read_committed)";
	}

	@Override
	public void close() {
		if (this.writer != null) {
			this.writer.stop();
		}
		this.log.close();
		Sql.dropSlotQuietly(this.pg::connect, this.slot);
	}

}
