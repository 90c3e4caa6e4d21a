package io.github.pglogrepl.connection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The replication commands against a real server.
 */
@RealPostgres
@SuppressWarnings("try") // resources held open by try-with-resources (and closed early where the test needs it)
class ReplicationCommandsTest {

	private final TestPostgres pg;

	ReplicationCommandsTest(TestPostgres pg) {
		this.pg = pg;
	}

	private String slotColumn(String slot, String column) {
		return this.pg.queryString("SELECT " + column + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	@Test
	void identifySystemMatchesTheServer() throws SQLException {
		try (ReplicationConnection conn = this.pg.replication()) {
			IdentifySystemResult system = conn.identifySystem();
			assertThat(system.systemId())
				.isEqualTo(this.pg.queryString("SELECT system_identifier::text FROM pg_control_system()"));
			assertThat(system.timeline())
				.isEqualTo(Integer.parseInt(this.pg.queryString("SELECT timeline_id::text FROM pg_control_checkpoint()")));
			assertThat(system.dbName()).isEqualTo(this.pg.queryString("SELECT current_database()"));
			Lsn current = Lsn.parse(this.pg.queryString("SELECT pg_current_wal_flush_lsn()::text"));
			assertThat(system.xlogPos()).isLessThanOrEqualTo(current);
			assertThat(system.xlogPos().isValid()).isTrue();
			assertThat(conn.serverMajorVersion()).isEqualTo(this.pg.majorVersion());
		}
	}

	@Test
	void createLogicalSlotIsPersistentUntilDropped() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			CreateReplicationSlotResult result = conn
				.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").snapshot(SnapshotAction.NOTHING));
			assertThat(result.slotName()).isEqualTo(slot);
			assertThat(result.outputPlugin()).isEqualTo("pgoutput");
			assertThat(result.snapshotName()).isNull();
			assertThat(result.consistentPoint().isValid()).isTrue();
		}
		assertThat(slotColumn(slot, "plugin")).isEqualTo("pgoutput");
		assertThat(slotColumn(slot, "slot_type")).isEqualTo("logical");
		assertThat(slotColumn(slot, "temporary")).isEqualTo("f");
		try (ReplicationConnection conn = this.pg.replication()) {
			conn.dropReplicationSlot(slot, false);
		}
		assertThat(slotColumn(slot, "slot_name")).isNull();
	}

	@Test
	void temporarySlotVanishesWithTheConnection() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary());
			assertThat(slotColumn(slot, "temporary")).isEqualTo("t");
		}
		assertThat(slotColumn(slot, "slot_name")).isNull();
	}

	@Test
	void exportedSnapshotCanBeImportedByAnotherSession() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE " + table + " (id int)", "INSERT INTO " + table + " VALUES (1)");
		try (ReplicationConnection conn = this.pg.replication()) {
			CreateReplicationSlotResult result = conn.createReplicationSlot(
					CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary().snapshot(SnapshotAction.EXPORT));
			assertThat(result.snapshotName()).isNotBlank();
			this.pg.execute("INSERT INTO " + table + " VALUES (2)");
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				c.setAutoCommit(false);
				st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
				st.execute("SET TRANSACTION SNAPSHOT '" + result.snapshotName() + "'");
				try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
					rs.next();
					// the snapshot is the slot's consistent point: the row inserted after it is not visible
					assertThat(rs.getInt(1)).isEqualTo(1);
				}
				c.rollback();
			}
		}
	}

	@Test
	void useSnapshotMakesTheReplicationTransactionSeeTheConsistentPoint() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE " + table + " (id int)", "INSERT INTO " + table + " VALUES (1)");
		try (ReplicationConnection conn = this.pg.replication(); Statement st = conn.jdbcConnection().createStatement()) {
			st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
			CreateReplicationSlotResult result = conn.createReplicationSlot(
					CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary().snapshot(SnapshotAction.USE));
			assertThat(result.snapshotName()).isNull();
			this.pg.execute("INSERT INTO " + table + " VALUES (2)");
			try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
				rs.next();
				assertThat(rs.getInt(1)).isEqualTo(1);
			}
			st.execute("COMMIT");
		}
	}

	@Test
	void physicalSlotWithReserveWalHasRestartLsn() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			CreateReplicationSlotResult result = conn
				.createReplicationSlot(CreateReplicationSlotCommand.physical(slot).temporary().reserveWal());
			assertThat(result.slotName()).isEqualTo(slot);
			assertThat(result.outputPlugin()).isNull();
			assertThat(slotColumn(slot, "slot_type")).isEqualTo("physical");
			assertThat(slotColumn(slot, "restart_lsn")).isNotNull();
		}
	}

	@Test
	void twoPhaseSlot() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			CreateReplicationSlotCommand command = CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary().twoPhase();
			if (this.pg.majorVersion() < 15) {
				assertThatThrownBy(() -> conn.createReplicationSlot(command))
					.isInstanceOf(UnsupportedFeatureException.class)
					.hasMessageContaining("requires PostgreSQL 15");
				return;
			}
			conn.createReplicationSlot(command);
			assertThat(slotColumn(slot, "two_phase")).isEqualTo("t");
		}
	}

	@Test
	void failoverSlot() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			CreateReplicationSlotCommand command = CreateReplicationSlotCommand.logical(slot, "pgoutput").failover();
			if (this.pg.majorVersion() < 17) {
				assertThatThrownBy(() -> conn.createReplicationSlot(command))
					.isInstanceOf(UnsupportedFeatureException.class)
					.hasMessageContaining("requires PostgreSQL 17");
				return;
			}
			conn.createReplicationSlot(command);
			try {
				assertThat(slotColumn(slot, "failover")).isEqualTo("t");
			}
			finally {
				conn.dropReplicationSlot(slot, false);
			}
		}
	}

	@Test
	void alterReplicationSlotSwitchesFailoverOnAndOff() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			if (this.pg.majorVersion() < 17) {
				assertThatThrownBy(() -> conn.alterReplicationSlotFailover(slot, true))
					.isInstanceOf(UnsupportedFeatureException.class)
					.hasMessageContaining("requires PostgreSQL 17");
				return;
			}
			conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").snapshot(SnapshotAction.NOTHING));
			try {
				assertThat(slotColumn(slot, "failover")).isEqualTo("f");
				conn.alterReplicationSlotFailover(slot, true);
				assertThat(slotColumn(slot, "failover")).isEqualTo("t");
				conn.alterReplicationSlotFailover(slot, false);
				assertThat(slotColumn(slot, "failover")).isEqualTo("f");
				assertThatThrownBy(() -> conn.alterReplicationSlotFailover(TestPostgres.uniqueName("missing"), true))
					.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("42704"));
			}
			finally {
				conn.dropReplicationSlot(slot, false);
			}
		}
	}

	@Test
	void creatingAnExistingSlotFailsWithDuplicateObject() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary());
			assertThatThrownBy(() -> conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput")))
				.isInstanceOf(SQLException.class)
				.extracting((ex) -> ((SQLException) ex).getSQLState())
				.isEqualTo("42710");
		}
	}

	@Test
	void droppingAMissingSlotFailsWithUndefinedObject() throws SQLException {
		try (ReplicationConnection conn = this.pg.replication()) {
			assertThatThrownBy(() -> conn.dropReplicationSlot(TestPostgres.uniqueName("missing"), false))
				.isInstanceOf(SQLException.class)
				.extracting((ex) -> ((SQLException) ex).getSQLState())
				.isEqualTo("42704");
		}
	}

	@Test
	void dropWithWaitWaitsForTheActiveConnection() throws Exception {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection owner = this.pg.replication(); ReplicationConnection other = this.pg.replication()) {
			Lsn start = owner.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput")).consistentPoint();
			String pub = TestPostgres.uniqueName("pub");
			this.pg.execute("CREATE PUBLICATION " + pub);
			owner.startReplication(StartReplicationCommand.logical(slot, start).option("proto_version", "1")
				.option("publication_names", pub));
			assertThat(this.pg.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.isEqualTo("t");
			// without WAIT: in use
			assertThatThrownBy(() -> other.dropReplicationSlot(slot, false)).isInstanceOf(SQLException.class)
				.extracting((ex) -> ((SQLException) ex).getSQLState())
				.isEqualTo("55006");
			// with WAIT: returns once the owner disconnects
			CompletableFuture<Void> drop = CompletableFuture.runAsync(() -> {
				try (ReplicationConnection waiter = this.pg.replication()) {
					waiter.dropReplicationSlot(slot, true);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			Thread.sleep(500);
			assertThat(drop).isNotDone();
			owner.close();
			drop.get(20, TimeUnit.SECONDS);
			assertThat(slotColumn(slot, "slot_name")).isNull();
		}
	}

	@Test
	void readReplicationSlotReportsPhysicalSlot() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = this.pg.replication()) {
			if (this.pg.majorVersion() < 15) {
				assertThatThrownBy(() -> conn.readReplicationSlot(slot))
					.isInstanceOf(UnsupportedFeatureException.class);
				return;
			}
			conn.createReplicationSlot(CreateReplicationSlotCommand.physical(slot).temporary().reserveWal());
			ReadReplicationSlotResult result = conn.readReplicationSlot(slot).orElseThrow();
			assertThat(result.slotType()).isEqualTo("physical");
			assertThat(result.restartLsn()).hasToString(slotColumn(slot, "restart_lsn"));
			assertThat(result.restartTimeline()).isEqualTo(conn.identifySystem().timeline());
			assertThat(conn.readReplicationSlot(TestPostgres.uniqueName("missing"))).isEqualTo(Optional.empty());
		}
	}

	@Test
	void timelineHistoryOfTimelineOneDoesNotExist() throws SQLException {
		try (ReplicationConnection conn = this.pg.replication()) {
			assertThatThrownBy(() -> conn.timelineHistory(1)).isInstanceOf(SQLException.class)
				.hasMessageContaining("00000001.history");
		}
	}

	@Test
	void physicalReplicationStreamsWalFromTheStartPosition() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		java.util.Properties props = this.pg.properties();
		props.setProperty("replication", "true");
		try (ReplicationConnection conn = ReplicationConnection.open(this.pg.jdbcUrl(), props)) {
			IdentifySystemResult system = conn.identifySystem();
			assertThat(system.dbName()).isNull();
			conn.createReplicationSlot(CreateReplicationSlotCommand.physical(slot).temporary().reserveWal());
			// start at the beginning of the current WAL segment, on the current timeline
			Lsn start = Lsn.of(system.xlogPos().asLong() & ~(16L * 1024 * 1024 - 1));
			ReplicationStream stream = conn.startReplication(
					StartReplicationCommand.physical(slot, start).timeline(system.timeline()));
			this.pg.execute("SELECT pg_switch_wal()", "CREATE TABLE " + TestPostgres.uniqueName("t") + " (id int)");
			long bytes = 0;
			Lsn firstStart = null;
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (bytes < 8192 && System.nanoTime() < deadline) {
				ReplicationMessage message = stream.read(Duration.ofMillis(200));
				if (message instanceof XLogData data) {
					if (firstStart == null) {
						firstStart = data.walStart();
					}
					bytes += data.dataLength();
				}
			}
			assertThat(firstStart).isEqualTo(start);
			assertThat(bytes).isGreaterThanOrEqualTo(8192);
			assertThat(stream.lastReceivedLsn()).isEqualTo(start.plus(bytes));
		}
	}

	@Test
	void hostileSlotNamesNeverReachTheServer() throws SQLException {
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE " + table + " (id int)");
		for (String hostile : new String[] { "x\"; DROP TABLE " + table + "; --", "a b", "UPPER", "x'y", "",
				"é", "a".repeat(64) }) {
			assertThatThrownBy(() -> CreateReplicationSlotCommand.logical(hostile, "pgoutput"))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("Replication slot name");
			try (ReplicationConnection conn = this.pg.replication()) {
				assertThatThrownBy(() -> conn.dropReplicationSlot(hostile, false))
					.isInstanceOf(IllegalArgumentException.class);
			}
		}
		assertThat(this.pg.queryString("SELECT to_regclass('" + table + "') IS NOT NULL")).isEqualTo("t");
	}

	@Test
	void pluginOptionValueWithQuotesReachesThePluginIntact() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		String table = TestPostgres.uniqueName("t");
		String pub = "p'q_" + TestPostgres.uniqueName("pub");
		this.pg.execute("CREATE TABLE " + table + " (id int primary key)",
				"CREATE PUBLICATION " + Identifiers.quoteIdentifier(pub) + " FOR TABLE " + table);
		try (ReplicationConnection conn = this.pg.replication()) {
			Lsn start = conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary())
				.consistentPoint();
			this.pg.execute("INSERT INTO " + table + " VALUES (5)");
			// unquoted, the single quote would end the literal and break the command
			ReplicationStream stream = conn.startReplication(StartReplicationCommand.logical(slot, start)
				.option("proto_version", "1")
				.option("publication_names", pub));
			io.github.pglogrepl.pgoutput.PgOutputDecoder decoder = new io.github.pglogrepl.pgoutput.PgOutputDecoder();
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			io.github.pglogrepl.pgoutput.InsertMessage insert = null;
			while (insert == null && System.nanoTime() < deadline) {
				if (stream.read(Duration.ofMillis(200)) instanceof XLogData data
						&& decoder.decode(data) instanceof io.github.pglogrepl.pgoutput.InsertMessage i) {
					insert = i;
				}
			}
			assertThat(insert).isNotNull();
			assertThat(insert.relation().name()).isEqualTo(table);
			assertThat(insert.newTuple().text(0)).isEqualTo("5");
		}
	}

	@Test
	void startReplicationOnAMissingSlotFails() throws SQLException {
		try (ReplicationConnection conn = this.pg.replication()) {
			assertThatThrownBy(() -> conn.startReplication(
					StartReplicationCommand.logical(TestPostgres.uniqueName("missing"), Lsn.INVALID).option("proto_version", "1")))
				.isInstanceOf(SQLException.class)
				.extracting((ex) -> ((SQLException) ex).getSQLState())
				.isEqualTo("42704");
		}
	}

	@Test
	void slotInUseByAnotherConnectionIsReported() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		String pub = TestPostgres.uniqueName("pub");
		this.pg.execute("CREATE PUBLICATION " + pub);
		try (ReplicationConnection owner = this.pg.replication(); ReplicationConnection second = this.pg.replication()) {
			Lsn start = owner.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary())
				.consistentPoint();
			owner.startReplication(StartReplicationCommand.logical(slot, start).option("proto_version", "1")
				.option("publication_names", pub));
			assertThatThrownBy(() -> second.startReplication(StartReplicationCommand.logical(slot, start)
				.option("proto_version", "1")
				.option("publication_names", pub)))
				.isInstanceOf(SQLException.class)
				.hasMessageContaining("is active for PID");
		}
	}

}
