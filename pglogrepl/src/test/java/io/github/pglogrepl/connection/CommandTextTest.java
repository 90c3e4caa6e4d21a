package io.github.pglogrepl.connection;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandTextTest {

	@Test
	void createSlotUsesOptionSyntaxFrom15AndKeywordsBefore() {
		CreateReplicationSlotCommand cmd = CreateReplicationSlotCommand.logical("s1", "pgoutput")
			.temporary()
			.snapshot(SnapshotAction.EXPORT);
		assertThat(cmd.toSql(18)).isEqualTo("CREATE_REPLICATION_SLOT \"s1\" TEMPORARY LOGICAL \"pgoutput\" (SNAPSHOT 'export')");
		assertThat(cmd.toSql(14)).isEqualTo("CREATE_REPLICATION_SLOT \"s1\" TEMPORARY LOGICAL \"pgoutput\" EXPORT_SNAPSHOT");
		assertThat(CreateReplicationSlotCommand.logical("s1", "pgoutput").snapshot(SnapshotAction.NOTHING).twoPhase()
			.failover().toSql(17))
			.isEqualTo("CREATE_REPLICATION_SLOT \"s1\" LOGICAL \"pgoutput\" (SNAPSHOT 'nothing', TWO_PHASE, FAILOVER)");
		assertThat(CreateReplicationSlotCommand.physical("p").reserveWal().toSql(16))
			.isEqualTo("CREATE_REPLICATION_SLOT \"p\" PHYSICAL (RESERVE_WAL)");
		assertThat(CreateReplicationSlotCommand.physical("p").reserveWal().toSql(14))
			.isEqualTo("CREATE_REPLICATION_SLOT \"p\" PHYSICAL RESERVE_WAL");
		assertThat(CreateReplicationSlotCommand.logical("s", "test_decoding").snapshot(SnapshotAction.USE).toSql(14))
			.endsWith("LOGICAL \"test_decoding\" USE_SNAPSHOT");
	}

	@Test
	void versionGatedOptionsFailClearly() {
		assertThatThrownBy(() -> CreateReplicationSlotCommand.logical("s", "pgoutput").failover().toSql(16))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessage("FAILOVER slots requires PostgreSQL 17 or later; the server is PostgreSQL 16");
		assertThatThrownBy(() -> CreateReplicationSlotCommand.logical("s", "pgoutput").twoPhase().toSql(14))
			.isInstanceOf(UnsupportedFeatureException.class)
			.hasMessageContaining("15");
		assertThatThrownBy(() -> CreateReplicationSlotCommand.physical("p").twoPhase())
			.isInstanceOf(IllegalStateException.class);
		assertThatThrownBy(() -> CreateReplicationSlotCommand.logical("s", "pgoutput").reserveWal())
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void startReplicationQuotesOptionsAndValues() {
		String sql = StartReplicationCommand.logical("s", Lsn.parse("1/AB"))
			.option("proto_version", "4")
			.option("publication_names", "a', \"binary\" 'true")
			.option("messages", null)
			.toSql();
		assertThat(sql).isEqualTo(
				"START_REPLICATION SLOT \"s\" LOGICAL 1/AB (\"proto_version\" '4', \"publication_names\" 'a'', \"binary\" ''true', \"messages\")");
		assertThat(StartReplicationCommand.physical(null, Lsn.parse("0/3000000")).timeline(2).toSql())
			.isEqualTo("START_REPLICATION PHYSICAL 0/3000000 TIMELINE 2");
		assertThat(StartReplicationCommand.physical("p", Lsn.parse("0/3000000")).toSql())
			.isEqualTo("START_REPLICATION SLOT \"p\" PHYSICAL 0/3000000");
		assertThatThrownBy(() -> StartReplicationCommand.logical("s", Lsn.INVALID).timeline(1))
			.isInstanceOf(IllegalStateException.class);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StartReplicationCommand.logical("s", Lsn.INVALID).option("x", "nul\0byte"));
	}

	@Test
	void pgoutputOptionsQuotePublicationNamesAsIdentifiers() {
		PgOutputOptions options = PgOutputOptions.builder()
			.protoVersion(4)
			.publications("orders", "My \"Pub\", two")
			.binary(true)
			.messages(true)
			.streaming("parallel")
			.twoPhase(true)
			.origin("none")
			.build();
		assertThat(options.publicationNamesValue()).isEqualTo("\"orders\",\"My \"\"Pub\"\", two\"");
		assertThat(options.toMap()).containsExactly(java.util.Map.entry("proto_version", "4"),
				java.util.Map.entry("publication_names", "\"orders\",\"My \"\"Pub\"\", two\""),
				java.util.Map.entry("binary", "true"), java.util.Map.entry("messages", "true"),
				java.util.Map.entry("streaming", "parallel"), java.util.Map.entry("two_phase", "true"),
				java.util.Map.entry("origin", "none"));
		String sql = StartReplicationCommand.logical("s", Lsn.INVALID).pgoutput(options).toSql();
		assertThat(sql).contains("\"publication_names\" '\"orders\",\"My \"\"Pub\"\", two\"'");
	}

	@Test
	void pgoutputOptionsAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> PgOutputOptions.builder().protoVersion(1).build())
			.withMessageContaining("publication");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(5).publications("p").build())
			.withMessageContaining("1 to 4");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(1).publications("p").streaming("on").build())
			.withMessageContaining("proto_version 2");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(3).publications("p").streaming("parallel").build())
			.withMessageContaining("proto_version 4");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(2).publications("p").twoPhase(true).build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(4).publications("p").streaming("yes").build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PgOutputOptions.builder().protoVersion(4).publications("p").origin("local").build());
		assertThat(PgOutputOptions.maxProtoVersion(14)).isEqualTo(2);
		assertThat(PgOutputOptions.maxProtoVersion(15)).isEqualTo(3);
		assertThat(PgOutputOptions.maxProtoVersion(18)).isEqualTo(4);
	}

	@Test
	void identifierAndLiteralQuoting() {
		assertThat(Identifiers.quoteIdentifier("a\"b")).isEqualTo("\"a\"\"b\"");
		assertThat(Identifiers.quoteIdentifier("x\"; DROP TABLE t; --")).isEqualTo("\"x\"\"; DROP TABLE t; --\"");
		assertThat(Identifiers.quoteLiteral("it's")).isEqualTo("'it''s'");
		assertThat(Identifiers.quoteLiteral("a\\b")).isEqualTo("'a\\b'");
		assertThatIllegalArgumentException().isThrownBy(() -> Identifiers.quoteIdentifier(""));
		assertThatIllegalArgumentException().isThrownBy(() -> Identifiers.quoteIdentifier(null));
		assertThatIllegalArgumentException().isThrownBy(() -> Identifiers.quoteLiteral("a\0b"));
		assertThat(Identifiers.validateSlotName("ok_slot_1")).isEqualTo("ok_slot_1");
	}

	@Test
	void replicationPropertiesForceSimpleQueryModeAndKeepTheRest() {
		Properties base = new Properties();
		base.setProperty("user", "u");
		base.setProperty("sslmode", "verify-full");
		base.setProperty("preferQueryMode", "extended");
		Properties props = ReplicationConnection.replicationProperties(base);
		assertThat(props.getProperty("replication")).isEqualTo("database");
		assertThat(props.getProperty("preferQueryMode")).isEqualTo("simple");
		assertThat(props.getProperty("sslmode")).isEqualTo("verify-full");
		assertThat(base.getProperty("preferQueryMode")).isEqualTo("extended");
		base.setProperty("replication", "true");
		assertThat(ReplicationConnection.replicationProperties(base).getProperty("replication")).isEqualTo("true");
	}

}
