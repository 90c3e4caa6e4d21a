package io.github.pglogrepl.pgoutput;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.pglogrepl.test.LogicalStream;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every pgoutput message type, produced by real SQL on a real server and decoded.
 */
@RealPostgres
class PgOutputStreamTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final TestPostgres pg;

	private final String table = TestPostgres.uniqueName("t");

	private final String pub = TestPostgres.uniqueName("pub");

	PgOutputStreamTest(TestPostgres pg) {
		this.pg = pg;
	}

	private void createTable(String columns) {
		this.pg.execute("CREATE TABLE " + this.table + " (" + columns + ")",
				"CREATE PUBLICATION " + this.pub + " FOR TABLE " + this.table);
	}

	private PgOutputOptions.Builder options(int protoVersion) {
		return PgOutputOptions.builder().protoVersion(protoVersion).publications(this.pub);
	}

	private static boolean isCommit(PgOutputMessage m) {
		return m instanceof CommitMessage;
	}

	@ParameterizedTest(name = "proto_version {0}")
	@ValueSource(ints = { 1, 2, 3, 4 })
	void insertIsDecodedWithBeginRelationInsertCommit(int protoVersion) throws SQLException {
		assumeTrue(protoVersion <= PgOutputOptions.maxProtoVersion(this.pg.majorVersion()),
				"server lacks proto_version " + protoVersion);
		createTable("id int primary key, name text");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			Instant before = Instant.now().minusSeconds(1);
			this.pg.execute("INSERT INTO " + this.table + " VALUES (1, 'one')");
			s.start(options(protoVersion).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('B', 'R', 'I', 'C');
			BeginMessage begin = (BeginMessage) messages.get(0);
			RelationMessage relation = (RelationMessage) messages.get(1);
			InsertMessage insert = (InsertMessage) messages.get(2);
			CommitMessage commit = (CommitMessage) messages.get(3);
			assertThat(begin.xid()).isPositive();
			assertThat(begin.commitTime()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
			assertThat(begin.finalLsn()).isEqualTo(commit.commitLsn());
			assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
			assertThat(commit.commitTimeMicros()).isEqualTo(begin.commitTimeMicros());
			assertThat(relation.namespace()).isEqualTo("public");
			assertThat(relation.name()).isEqualTo(this.table);
			assertThat(relation.replicaIdentity()).isEqualTo('d');
			assertThat(relation.columns()).extracting(RelationMessage.Column::name).containsExactly("id", "name");
			assertThat(relation.columns()).extracting(RelationMessage.Column::key).containsExactly(true, false);
			assertThat(relation.columns()).extracting(RelationMessage.Column::typeOid).containsExactly(23, 25);
			assertThat(insert.relation()).isSameAs(relation);
			assertThat(insert.xid()).isZero();
			assertThat(insert.newRow().get("id")).isEqualTo(1);
			assertThat(insert.newRow().get("name")).isEqualTo("one");
			assertThat(s.decoder().relation(relation.relationId())).isSameAs(relation);
		}
	}

	@Test
	void updateWithDefaultIdentitySendsOnlyNewRow() throws SQLException {
		createTable("id int primary key, name text");
		this.pg.execute("INSERT INTO " + this.table + " VALUES (1, 'one')");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("UPDATE " + this.table + " SET name = 'uno' WHERE id = 1");
			s.start(options(1).build());
			UpdateMessage update = (UpdateMessage) s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT).get(2);
			assertThat(update.oldTupleType()).isEqualTo((char) 0);
			assertThat(update.oldTuple()).isNull();
			assertThat(update.oldRow()).isNull();
			assertThat(update.newRow().toMap()).containsEntry("id", 1).containsEntry("name", "uno");
		}
	}

	@Test
	void updateOfKeySendsOldKeyTuple() throws SQLException {
		createTable("id int primary key, name text");
		this.pg.execute("INSERT INTO " + this.table + " VALUES (1, 'one')");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("UPDATE " + this.table + " SET id = 2 WHERE id = 1");
			s.start(options(1).build());
			UpdateMessage update = (UpdateMessage) s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT).get(2);
			assertThat(update.oldTupleType()).isEqualTo('K');
			assertThat(update.oldRow().get("id")).isEqualTo(1);
			assertThat(update.oldRow().isNull("name")).isTrue();
			assertThat(update.newRow().get("id")).isEqualTo(2);
			assertThat(update.newRow().get("name")).isEqualTo("one");
		}
	}

	@Test
	void updateWithReplicaIdentityFullSendsOldRow() throws SQLException {
		createTable("id int primary key, name text");
		this.pg.execute("ALTER TABLE " + this.table + " REPLICA IDENTITY FULL",
				"INSERT INTO " + this.table + " VALUES (1, 'one')");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("UPDATE " + this.table + " SET name = 'uno' WHERE id = 1");
			s.start(options(1).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(((RelationMessage) messages.get(1)).replicaIdentity()).isEqualTo('f');
			UpdateMessage update = (UpdateMessage) messages.get(2);
			assertThat(update.oldTupleType()).isEqualTo('O');
			assertThat(update.oldRow().toMap()).containsEntry("id", 1).containsEntry("name", "one");
			assertThat(update.newRow().toMap()).containsEntry("id", 1).containsEntry("name", "uno");
		}
	}

	@Test
	void deleteSendsKeyOrFullOldRow() throws SQLException {
		createTable("id int primary key, name text");
		this.pg.execute("INSERT INTO " + this.table + " VALUES (1, 'one'), (2, 'two')");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("DELETE FROM " + this.table + " WHERE id = 1",
					"ALTER TABLE " + this.table + " REPLICA IDENTITY FULL",
					"DELETE FROM " + this.table + " WHERE id = 2");
			s.start(options(1).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, 2, TIMEOUT);
			List<DeleteMessage> deletes = messages.stream()
				.filter(DeleteMessage.class::isInstance)
				.map(DeleteMessage.class::cast)
				.toList();
			assertThat(deletes).hasSize(2);
			assertThat(deletes.get(0).oldTupleType()).isEqualTo('K');
			assertThat(deletes.get(0).oldRow().get("id")).isEqualTo(1);
			assertThat(deletes.get(0).oldRow().isNull("name")).isTrue();
			assertThat(deletes.get(1).oldTupleType()).isEqualTo('O');
			assertThat(deletes.get(1).oldRow().toMap()).containsEntry("id", 2).containsEntry("name", "two");
		}
	}

	@Test
	void truncateCarriesCascadeAndRestartIdentityFlags() throws SQLException {
		createTable("id serial primary key");
		String other = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE " + other + " (id int)", "ALTER PUBLICATION " + this.pub + " ADD TABLE " + other);
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("TRUNCATE " + this.table, "TRUNCATE " + this.table + ", " + other + " RESTART IDENTITY CASCADE");
			s.start(options(1).build());
			List<TruncateMessage> truncates = s.collectUntil(PgOutputStreamTest::isCommit, 2, TIMEOUT)
				.stream()
				.filter(TruncateMessage.class::isInstance)
				.map(TruncateMessage.class::cast)
				.toList();
			assertThat(truncates).hasSize(2);
			assertThat(truncates.get(0).cascade()).isFalse();
			assertThat(truncates.get(0).restartIdentity()).isFalse();
			assertThat(truncates.get(0).relations()).extracting(RelationMessage::name).containsExactly(this.table);
			assertThat(truncates.get(1).cascade()).isTrue();
			assertThat(truncates.get(1).restartIdentity()).isTrue();
			assertThat(truncates.get(1).relations()).extracting(RelationMessage::name)
				.containsExactlyInAnyOrder(this.table, other);
		}
	}

	@Test
	void typeMessageDescribesUserDefinedType() throws SQLException {
		String type = TestPostgres.uniqueName("mood");
		this.pg.execute("CREATE TYPE " + type + " AS ENUM ('sad', 'happy')");
		createTable("id int primary key, m " + type);
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("INSERT INTO " + this.table + " VALUES (1, 'happy')");
			s.start(options(1).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('B', 'Y', 'R', 'I', 'C');
			TypeMessage typeMessage = (TypeMessage) messages.get(1);
			assertThat(typeMessage.name()).isEqualTo(type);
			assertThat(typeMessage.namespace()).isEqualTo("public");
			RelationMessage relation = (RelationMessage) messages.get(2);
			assertThat(relation.columns().get(1).typeOid()).isEqualTo(typeMessage.typeOid());
			assertThat(s.decoder().typeInfo(typeMessage.typeOid())).isEqualTo(typeMessage);
			// unknown types fall back to their text form
			assertThat(((InsertMessage) messages.get(3)).newRow().get("m")).isEqualTo("happy");
		}
	}

	@Test
	void originMessageIsSentForReplicatedTransactions() throws SQLException {
		createTable("id int primary key");
		String origin = TestPostgres.uniqueName("origin");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				st.execute("SELECT pg_replication_origin_create('" + origin + "')");
				st.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
				c.setAutoCommit(false);
				st.execute("SELECT pg_replication_origin_xact_setup('0/ABCDEF', now())");
				st.execute("INSERT INTO " + this.table + " VALUES (1)");
				c.commit();
				c.setAutoCommit(true);
				st.execute("SELECT pg_replication_origin_session_reset()");
				st.execute("SELECT pg_replication_origin_drop('" + origin + "')");
			}
			s.start(options(1).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('B', 'O', 'R', 'I', 'C');
			OriginMessage originMessage = (OriginMessage) messages.get(1);
			assertThat(originMessage.name()).isEqualTo(origin);
			assertThat(originMessage.commitLsn()).hasToString("0/ABCDEF");
		}
	}

	@Test
	void originNoneFiltersReplicatedTransactions() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 16, "origin option needs PostgreSQL 16");
		createTable("id int primary key");
		String origin = TestPostgres.uniqueName("origin");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				st.execute("SELECT pg_replication_origin_create('" + origin + "')");
				st.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
				st.execute("INSERT INTO " + this.table + " VALUES (1)");
				st.execute("SELECT pg_replication_origin_session_reset()");
				st.execute("SELECT pg_replication_origin_drop('" + origin + "')");
			}
			this.pg.execute("INSERT INTO " + this.table + " VALUES (2)");
			s.start(options(4).origin("none").build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('B', 'R', 'I', 'C');
			assertThat(((InsertMessage) messages.get(2)).newRow().get("id")).isEqualTo(2);
		}
	}

	@Test
	void logicalDecodingMessagesTransactionalAndNot() throws SQLException {
		createTable("id int primary key");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("SELECT pg_logical_emit_message(false, 'audit', 'not in a transaction')");
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + this.table + " VALUES (1)");
				st.execute("SELECT pg_logical_emit_message(true, 'audit', convert_to('bytes ünïcode', 'UTF8'))");
				c.commit();
			}
			s.start(options(1).messages(true).build());
			List<PgOutputMessage> messages = s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('M', 'B', 'R', 'I', 'M', 'C');
			LogicalDecodingMessage plain = (LogicalDecodingMessage) messages.get(0);
			assertThat(plain.transactional()).isFalse();
			assertThat(plain.prefix()).isEqualTo("audit");
			assertThat(plain.contentAsString()).isEqualTo("not in a transaction");
			assertThat(plain.lsn().isValid()).isTrue();
			LogicalDecodingMessage tx = (LogicalDecodingMessage) messages.get(4);
			assertThat(tx.transactional()).isTrue();
			assertThat(tx.contentAsString()).isEqualTo("bytes ünïcode");
		}
	}

	@Test
	void largeTransactionIsStreamedInBlocksAndCommitted() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 14);
		createTable("id int primary key, payload text");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			// logical_decoding_work_mem is 64kB on the embedded server: this transaction is streamed
			this.pg.execute("SET logical_decoding_work_mem = '64kB'");
			this.pg.execute("INSERT INTO " + this.table + " SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g");
			s.start(options(2).streaming("on").build());
			List<PgOutputMessage> messages = s.collectUntil((m) -> m instanceof StreamCommitMessage, TIMEOUT);
			StreamStartMessage first = (StreamStartMessage) messages.stream()
				.filter(StreamStartMessage.class::isInstance)
				.findFirst()
				.orElseThrow();
			assertThat(first.firstSegment()).isTrue();
			assertThat(first.xid()).isPositive();
			long starts = messages.stream().filter(StreamStartMessage.class::isInstance).count();
			long stops = messages.stream().filter(StreamStopMessage.class::isInstance).count();
			assertThat(starts).isGreaterThan(1).isEqualTo(stops);
			List<InsertMessage> inserts = messages.stream()
				.filter(InsertMessage.class::isInstance)
				.map(InsertMessage.class::cast)
				.toList();
			assertThat(inserts).hasSize(5000).allSatisfy((i) -> assertThat(i.xid()).isEqualTo(first.xid()));
			assertThat(inserts.get(4999).newRow().get("id")).isEqualTo(5000);
			StreamCommitMessage commit = (StreamCommitMessage) messages.get(messages.size() - 1);
			assertThat(commit.xid()).isEqualTo(first.xid());
			assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
			assertThat(messages).noneMatch(BeginMessage.class::isInstance);
		}
	}

	@Test
	void abortedStreamedTransactionAndSubtransactionSendStreamAbort() throws SQLException {
		createTable("id int primary key, payload text");
		try (LogicalStream s = LogicalStream.create(this.pg, false);
				Connection c = this.pg.connect();
				Statement st = c.createStatement()) {
			c.setAutoCommit(false);
			st.execute("INSERT INTO " + this.table + " SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g");
			st.execute("SAVEPOINT sp");
			st.execute("INSERT INTO " + this.table + " SELECT g, repeat('y', 100) FROM generate_series(3001, 6000) g");
			st.execute("ROLLBACK TO SAVEPOINT sp");
			c.commit();
			// a second large transaction, left open until it has been streamed, then rolled back
			st.execute("INSERT INTO " + this.table + " SELECT g, repeat('z', 100) FROM generate_series(10001, 13000) g");
			s.start(options(2).streaming("on").build());
			List<PgOutputMessage> messages = s.collectUntil((m) -> m instanceof StreamCommitMessage, TIMEOUT);
			StreamCommitMessage commit = (StreamCommitMessage) messages.get(messages.size() - 1);
			List<StreamAbortMessage> subAborts = messages.stream()
				.filter(StreamAbortMessage.class::isInstance)
				.map(StreamAbortMessage.class::cast)
				.toList();
			// the rolled back savepoint: a subtransaction abort inside the committed transaction
			assertThat(subAborts).isNotEmpty().allSatisfy((a) -> {
				assertThat(a.xid()).isEqualTo(commit.xid());
				assertThat(a.subXid()).isNotEqualTo(a.xid());
			});
			// the open transaction is streamed while still in progress
			s.collectUntil((m) -> m instanceof InsertMessage insert && insert.xid() != commit.xid(), TIMEOUT);
			c.rollback();
			List<PgOutputMessage> rest = s.collectUntil((m) -> m instanceof StreamAbortMessage, TIMEOUT);
			StreamAbortMessage top = (StreamAbortMessage) rest.get(rest.size() - 1);
			assertThat(top.subXid()).isEqualTo(top.xid()).isNotEqualTo(commit.xid());
			assertThat(top.hasAbortPosition()).isFalse();
			assertThat(top.abortTime()).isNull();
		}
	}

	@Test
	void parallelStreamingAbortCarriesAbortLsnAndTime() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 16, "streaming 'parallel' (proto_version 4) needs PostgreSQL 16");
		createTable("id int primary key, payload text");
		try (LogicalStream s = LogicalStream.create(this.pg, false);
				Connection c = this.pg.connect();
				Statement st = c.createStatement()) {
			Instant before = Instant.now().minusSeconds(1);
			c.setAutoCommit(false);
			st.execute("INSERT INTO " + this.table + " SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g");
			s.start(options(4).streaming("parallel").build());
			s.collectUntil((m) -> m instanceof InsertMessage, TIMEOUT);
			c.rollback();
			List<PgOutputMessage> rest = s.collectUntil((m) -> m instanceof StreamAbortMessage, TIMEOUT);
			StreamAbortMessage abort = (StreamAbortMessage) rest.get(rest.size() - 1);
			assertThat(abort.subXid()).isEqualTo(abort.xid());
			assertThat(abort.hasAbortPosition()).isTrue();
			assertThat(abort.abortLsn().isValid()).isTrue();
			assertThat(abort.abortTime()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
		}
	}

	@Test
	void twoPhaseCommitPrepared() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 15, "two-phase slots via the replication protocol need PostgreSQL 15");
		createTable("id int primary key");
		String gid = TestPostgres.uniqueName("gid");
		try (LogicalStream s = LogicalStream.create(this.pg, true)) {
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + this.table + " VALUES (1)");
				st.execute("PREPARE TRANSACTION '" + gid + "'");
				c.setAutoCommit(true);
				st.execute("COMMIT PREPARED '" + gid + "'");
			}
			s.start(options(3).twoPhase(true).build());
			List<PgOutputMessage> messages = s.collectUntil((m) -> m instanceof CommitPreparedMessage, TIMEOUT);
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('b', 'R', 'I', 'P', 'K');
			BeginPrepareMessage begin = (BeginPrepareMessage) messages.get(0);
			PrepareMessage prepare = (PrepareMessage) messages.get(3);
			CommitPreparedMessage commit = (CommitPreparedMessage) messages.get(4);
			assertThat(begin.gid()).isEqualTo(gid);
			assertThat(prepare.gid()).isEqualTo(gid);
			assertThat(commit.gid()).isEqualTo(gid);
			assertThat(prepare.xid()).isEqualTo(begin.xid()).isEqualTo(commit.xid());
			assertThat(prepare.prepareLsn()).isEqualTo(begin.prepareLsn());
			assertThat(prepare.endLsn()).isEqualTo(begin.endLsn());
			assertThat(commit.commitLsn()).isGreaterThan(prepare.prepareLsn());
			assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
		}
	}

	@Test
	void twoPhaseRollbackPrepared() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 15, "two-phase slots via the replication protocol need PostgreSQL 15");
		createTable("id int primary key");
		String gid = TestPostgres.uniqueName("gid");
		try (LogicalStream s = LogicalStream.create(this.pg, true);
				Connection c = this.pg.connect();
				Statement st = c.createStatement()) {
			c.setAutoCommit(false);
			st.execute("INSERT INTO " + this.table + " VALUES (1)");
			st.execute("PREPARE TRANSACTION '" + gid + "'");
			c.setAutoCommit(true);
			s.start(options(3).twoPhase(true).build());
			// decoded at PREPARE, before the outcome is known
			List<PgOutputMessage> messages = s.collectUntil((m) -> m instanceof PrepareMessage, TIMEOUT);
			st.execute("ROLLBACK PREPARED '" + gid + "'");
			messages.addAll(s.collectUntil((m) -> m instanceof RollbackPreparedMessage, TIMEOUT));
			assertThat(messages).extracting(PgOutputMessage::type).containsExactly('b', 'R', 'I', 'P', 'r');
			PrepareMessage prepare = (PrepareMessage) messages.get(3);
			RollbackPreparedMessage rollback = (RollbackPreparedMessage) messages.get(4);
			assertThat(rollback.gid()).isEqualTo(gid);
			assertThat(rollback.xid()).isEqualTo(prepare.xid());
			assertThat(rollback.preparedEndLsn()).isEqualTo(prepare.endLsn());
			assertThat(rollback.prepareTimeMicros()).isEqualTo(prepare.prepareTimeMicros());
			assertThat(rollback.rollbackTimeMicros()).isGreaterThanOrEqualTo(prepare.prepareTimeMicros());
			assertThat(rollback.rollbackEndLsn()).isGreaterThan(rollback.preparedEndLsn());
		}
	}

	@Test
	void largePreparedTransactionIsStreamedThenStreamPrepared() throws SQLException {
		assumeTrue(this.pg.majorVersion() >= 15, "two-phase slots via the replication protocol need PostgreSQL 15");
		createTable("id int primary key, payload text");
		String gid = TestPostgres.uniqueName("gid");
		try (LogicalStream s = LogicalStream.create(this.pg, true)) {
			try (Connection c = this.pg.connect(); Statement st = c.createStatement()) {
				c.setAutoCommit(false);
				st.execute("INSERT INTO " + this.table + " SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g");
				st.execute("PREPARE TRANSACTION '" + gid + "'");
				c.setAutoCommit(true);
				st.execute("COMMIT PREPARED '" + gid + "'");
			}
			s.start(options(3).twoPhase(true).streaming("on").build());
			List<PgOutputMessage> messages = s.collectUntil((m) -> m instanceof CommitPreparedMessage, TIMEOUT);
			StreamPrepareMessage prepare = messages.stream()
				.filter(StreamPrepareMessage.class::isInstance)
				.map(StreamPrepareMessage.class::cast)
				.findFirst()
				.orElseThrow();
			assertThat(prepare.gid()).isEqualTo(gid);
			assertThat(messages).filteredOn(StreamStartMessage.class::isInstance).isNotEmpty();
			assertThat(messages).filteredOn(InsertMessage.class::isInstance).hasSize(3000);
			CommitPreparedMessage commit = (CommitPreparedMessage) messages.get(messages.size() - 1);
			assertThat(commit.xid()).isEqualTo(prepare.xid());
		}
	}

	@Test
	void unchangedToastValueIsReportedAsSuch() throws SQLException {
		createTable("id int primary key, big text, small text");
		this.pg.execute("ALTER TABLE " + this.table + " ALTER COLUMN big SET STORAGE EXTERNAL",
				"INSERT INTO " + this.table + " VALUES (1, repeat('abcdefgh', 2000), 'a')");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("UPDATE " + this.table + " SET small = 'b' WHERE id = 1");
			s.start(options(1).build());
			UpdateMessage update = (UpdateMessage) s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT).get(2);
			Row row = update.newRow();
			assertThat(row.isUnchangedToast("big")).isTrue();
			assertThat(row.isNull("big")).isFalse();
			assertThat(row.get("big")).isNull();
			assertThat(update.newTuple().kind(1)).isEqualTo(TupleData.Kind.UNCHANGED_TOAST);
			assertThat(row.toMap()).doesNotContainKey("big").containsEntry("small", "b");
		}
	}

	@Test
	void binaryModeSendsBinaryTupleColumns() throws SQLException {
		createTable("id int primary key, name text, amount numeric(10,2), n int8");
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("INSERT INTO " + this.table + " VALUES (7, 'seven', 12.50, NULL)");
			s.start(options(PgOutputOptions.maxProtoVersion(this.pg.majorVersion())).binary(true).build());
			InsertMessage insert = (InsertMessage) s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT).get(2);
			assertThat(insert.newTuple().kind(0)).isEqualTo(TupleData.Kind.BINARY);
			assertThat(insert.newTuple().valueLength(0)).isEqualTo(4);
			assertThat(insert.newTuple().kind(3)).isEqualTo(TupleData.Kind.NULL);
			assertThat(insert.newRow().get("id")).isEqualTo(7);
			assertThat(insert.newRow().get("name")).isEqualTo("seven");
			assertThat(insert.newRow().get("amount")).isEqualTo(new java.math.BigDecimal("12.50"));
			assertThat(insert.newRow().get("n")).isNull();
		}
	}

	@Test
	void publicationWithQuotesAndSpacesInItsNameIsStreamed() throws SQLException {
		String hostile = "Pub \"x\", 'y'); DROP TABLE " + this.table + "; --";
		this.pg.execute("CREATE TABLE " + this.table + " (id int primary key)",
				"CREATE PUBLICATION " + io.github.pglogrepl.connection.Identifiers.quoteIdentifier(hostile) + " FOR TABLE "
						+ this.table);
		try (LogicalStream s = LogicalStream.create(this.pg, false)) {
			this.pg.execute("INSERT INTO " + this.table + " VALUES (42)");
			s.start(PgOutputOptions.builder().protoVersion(1).publications(hostile).build());
			InsertMessage insert = (InsertMessage) s.collectUntil(PgOutputStreamTest::isCommit, TIMEOUT).get(2);
			assertThat(insert.newRow().get("id")).isEqualTo(42);
		}
		assertThat(this.pg.queryString("SELECT count(*) FROM " + this.table)).isEqualTo("1");
	}

}
