package io.github.pglogrepl.spring.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.Identifiers;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.pgoutput.TupleData;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;
import io.github.pglogrepl.test.LogicalStream;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static io.github.pglogrepl.spring.security.SecurityTestSupport.VICTIM;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.added;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.addedSlotsAfterSettling;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.publicationTables;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.publications;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.slots;
import static io.github.pglogrepl.spring.security.SecurityTestSupport.victimRows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slot, publication and table names with quotes, spaces, unicode and SQL fragments, as an attacker or a careless
 * configuration would write them. Slot names outside the server's rules are rejected at startup with a failure
 * analysis naming {@code pglogrepl.slot.name}; publication and table names either work exactly (the publication
 * is created with that very name, the table's changes arrive) or are rejected clearly. In every case the canary
 * table {@value SecurityTestSupport#VICTIM} survives and no other publication or slot appears. The values are
 * bound from a map property source, so no property syntax (commas, colons) changes them.
 */
@RealPostgres
class HostileNamesTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgLogReplAutoConfiguration.class))
		.withBean(StreamTestSupport.Recorder.class);

	private TestPostgres pg;

	private long victimRows;

	private Set<String> publicationsBefore;

	private Set<String> slotsBefore;

	@BeforeEach
	void recordTheServer(TestPostgres pg) {
		this.pg = pg;
		this.victimRows = SecurityTestSupport.createVictim(pg);
		existingPublication(pg);
		this.publicationsBefore = publications(pg);
		this.slotsBefore = slots(pg);
	}

	/** The canary is intact, and only the expected publications (and no slot) were added. */
	private void assertNothingElseHappened(String... expectedPublications) {
		assertThat(victimRows(this.pg)).as("rows of the canary table").isEqualTo(this.victimRows);
		assertThat(added(this.publicationsBefore, publications(this.pg))).as("added publications")
			.containsExactlyInAnyOrder(expectedPublications);
		assertThat(addedSlotsAfterSettling(this.pg, this.slotsBefore)).as("added slots").isEmpty();
	}

	private void run(Map<String, Object> properties, Consumer<AssertableApplicationContext> assertions) {
		Map<String, Object> all = new LinkedHashMap<>();
		all.put("spring.datasource.url", SecurityTestSupport.urlWithoutUser(this.pg));
		all.put("spring.datasource.username", SecurityTestSupport.user(this.pg));
		if (this.pg.password() != null) {
			all.put("spring.datasource.password", this.pg.password());
		}
		all.put("pglogrepl.reconnect.initial-interval", "100ms");
		all.putAll(properties);
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("hostile", all)))
			.run(assertions::accept);
	}

	private static FailureAnalysis analysis(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		assertThat(SecurityTestSupport.setupException(failure)).as("ReplicationSetupException in %s", failure)
			.isInstanceOf(ReplicationSetupException.class);
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
			}));
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start: ");
				assertThat(analysis.getAction()).isNotBlank();
				return analysis;
			}
		}
		throw new AssertionError("No failure analysis for " + failure);
	}

	private static String suffixed(String name) {
		return name + " " + TestPostgres.uniqueName("n");
	}

	// ------------------------------------------------------------------ slot names

	static Stream<Arguments> hostileSlotNames() {
		List<String> names = List.of("x\"; DROP TABLE victim; --", "Ünïcode", "a b", "'",
				"s'); SELECT pg_drop_replication_slot('x", "x\" TEMPORARY LOGICAL \"pgoutput", "UPPER", "a".repeat(64),
				"\"", "a-b", "a.b", "tab\there", "new\nline", "nul\0x", "😀", " ", "");
		List<Arguments> arguments = new ArrayList<>();
		String[] modes = { "if-missing", "temporary", "never" };
		for (int i = 0; i < names.size(); i++) {
			arguments.add(Arguments.of(names.get(i), modes[i % modes.length]));
		}
		return arguments.stream();
	}

	/**
	 * A slot name the server would not accept, or that would change a replication command if it were not
	 * quoted, stops the application before anything is created.
	 * @param slot the name
	 * @param create pglogrepl.slot.create
	 */
	@ParameterizedTest(name = "[{index}] slot {0} ({1})")
	@MethodSource("hostileSlotNames")
	void hostileSlotNameIsRejectedAtStartup(String slot, String create) {
		String newPublication = TestPostgres.uniqueName("pub");
		run(Map.of("pglogrepl.slot.name", slot, "pglogrepl.slot.create", create, "pglogrepl.publication.names[0]",
				existingPublication(this.pg), "pglogrepl.publication.names[1]", newPublication,
				"pglogrepl.publication.create", "if-missing"), (context) -> {
					FailureAnalysis analysis = analysis(context);
					assertThat(analysis.getDescription()).contains("pglogrepl.slot.name");
					assertThat(analysis.getAction()).contains("pglogrepl.slot.name").contains("lower-case letters");
				});
		// not even the publication that was allowed to be created
		assertNothingElseHappened();
	}

	private static String existingPublication;

	private static synchronized String existingPublication(TestPostgres pg) {
		if (existingPublication == null) {
			existingPublication = StreamTestSupport.tableWithPublication(pg, "id int primary key")[1];
		}
		return existingPublication;
	}

	// ------------------------------------------------------------------ publication names

	/**
	 * A publication named with quotes, spaces, commas, unicode or SQL is created with exactly that name, for
	 * exactly the configured table, and streams that table.
	 * @param name the name (made unique with a suffix)
	 */
	@ParameterizedTest(name = "[{index}] publication {0}")
	@ValueSource(strings = { "my \"pub\"; DROP TABLE victim; --", "q'); DROP TABLE victim; --", "a,b", "Ünïcode pub" })
	void hostilePublicationNameIsCreatedExactlyAndStreams(String name) {
		String publication = suffixed(name);
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE public." + table + " (id int primary key, note text)");
		try {
			run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.slot.create", "temporary",
					"pglogrepl.publication.names[0]", publication, "pglogrepl.publication.create", "if-missing",
					"pglogrepl.publication.tables[0]", "public." + table), (context) -> {
						assertThat(context).hasNotFailed();
						ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
						StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
								TIMEOUT);
						assertThat(publicationTables(this.pg, publication)).containsExactly("public." + table);
						this.pg.execute("INSERT INTO public." + table + " VALUES (7, 'seven')");
						StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
						StreamTestSupport.await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
						InsertEvent<?> insert = recorder.of(InsertEvent.class).get(0);
						assertThat(insert.table().name()).isEqualTo(table);
						assertThat(insert.newRow().get("note")).isEqualTo("seven");
						assertThat(container.getContainerProperties().getPublications()).containsExactly(publication);
					});
			assertNothingElseHappened(publication);
		}
		finally {
			this.pg.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quoteIdentifier(publication),
					"DROP TABLE public." + table);
		}
	}

	/**
	 * Many such names in one configuration: each publication is created with exactly its name, and all of them
	 * go into one {@code publication_names} value (one list, commas and quotes inside names included).
	 */
	@Test
	void manyHostilePublicationNamesTogetherAreCreatedExactlyAndStream() {
		List<String> names = new ArrayList<>();
		for (String name : List.of("my \"pub\"; DROP TABLE victim; --", "Ünïcode pub", "a b", "it's", "a,b",
				"q'); DROP TABLE victim; --", "p\"), (\"binary\" 'true", "UPPER Case", "back\\slash\\", "$$dollar$$",
				"emoji 😀", "x\" FOR ALL TABLES; --", "tab\tnew\nline", "\"", "'", ",", " ")) {
			names.add(suffixed(name));
		}
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE public." + table + " (id int primary key, note text)");
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"));
		properties.put("pglogrepl.slot.create", "temporary");
		properties.put("pglogrepl.publication.create", "if-missing");
		properties.put("pglogrepl.publication.tables[0]", "public." + table);
		for (int i = 0; i < names.size(); i++) {
			properties.put("pglogrepl.publication.names[" + i + "]", names.get(i));
		}
		try {
			run(properties, (context) -> {
				assertThat(context).hasNotFailed();
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				assertThat(container.getContainerProperties().getPublications()).containsExactlyElementsOf(names);
				StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
				for (String name : names) {
					assertThat(publicationTables(this.pg, name)).as(name).containsExactly("public." + table);
				}
				this.pg.execute("INSERT INTO public." + table + " VALUES (1, 'once')");
				StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
				StreamTestSupport.await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
				assertThat(recorder.of(InsertEvent.class)).hasSize(1);
			});
			assertNothingElseHappened(names.toArray(String[]::new));
		}
		finally {
			for (String name : names) {
				this.pg.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quoteIdentifier(name));
			}
			this.pg.execute("DROP TABLE public." + table);
		}
	}

	@Test
	void missingHostilePublicationIsReportedWithACorrectlyQuotedFix() {
		String publication = suffixed("my \"pub\"; DROP TABLE victim; --");
		run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.publication.names[0]",
				publication), (context) -> {
					FailureAnalysis analysis = analysis(context);
					assertThat(analysis.getDescription()).contains("'" + publication + "'")
						.contains("pglogrepl.publication.names")
						.contains("does not exist");
					// the suggested statement is safe to copy: the name is a quoted identifier
					assertThat(analysis.getAction())
						.contains("CREATE PUBLICATION " + Identifiers.quoteIdentifier(publication) + " FOR TABLE")
						.contains("\"my \"\"pub\"\"; DROP TABLE victim; -- ");
				});
		assertNothingElseHappened();
	}

	/**
	 * A name longer than PostgreSQL's 63-byte identifier limit (here 2-byte characters) is created truncated by
	 * the server, and both the existence check and {@code publication_names} have to agree with that; the
	 * application must either stream or fail with a clear message, and create nothing else.
	 */
	@Test
	void publicationNameLongerThanTheIdentifierLimitStreamsOrIsRejectedClearly() {
		String publication = suffixed("Ü".repeat(40));
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE public." + table + " (id int primary key)");
		String truncated = this.pg.queryString("SELECT " + Identifiers.quoteLiteral(publication) + "::name::text");
		assertThat(truncated).isNotEqualTo(publication);
		try {
			run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.slot.create", "temporary",
					"pglogrepl.publication.names[0]", publication, "pglogrepl.publication.create", "if-missing",
					"pglogrepl.publication.tables[0]", "public." + table), (context) -> {
						if (context.getStartupFailure() != null) {
							FailureAnalysis analysis = analysis(context);
							assertThat(analysis.getDescription()).contains("pglogrepl.publication.names");
							return;
						}
						ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
						StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
								TIMEOUT);
						this.pg.execute("INSERT INTO public." + table + " VALUES (1)");
						StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
						StreamTestSupport.await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
					});
			Set<String> added = added(this.publicationsBefore, publications(this.pg));
			assertThat(added).isSubsetOf(truncated);
			assertNothingElseHappened(added.toArray(String[]::new));
		}
		finally {
			this.pg.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quoteIdentifier(truncated),
					"DROP TABLE public." + table);
		}
	}

	/**
	 * An existing publication whose name is longer than the identifier limit, configured with
	 * {@code create=never} under the name the user wrote (the one the server truncated when it was created):
	 * the server accepts that name in {@code publication_names} (it truncates it the same way), so the startup
	 * check must find the publication too.
	 */
	@Test
	void existingPublicationWithANameLongerThanTheLimitIsFound() {
		String publication = suffixed("Ü".repeat(40));
		String table = TestPostgres.uniqueName("t");
		this.pg.execute("CREATE TABLE public." + table + " (id int primary key)",
				"CREATE PUBLICATION " + Identifiers.quoteIdentifier(publication) + " FOR TABLE public." + table);
		String truncated = this.pg.queryString("SELECT " + Identifiers.quoteLiteral(publication) + "::name::text");
		try {
			run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.slot.create", "temporary",
					"pglogrepl.publication.names[0]", publication), (context) -> {
						assertThat(context).hasNotFailed();
						ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
						StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
								TIMEOUT);
						this.pg.execute("INSERT INTO public." + table + " VALUES (1)");
						StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
						StreamTestSupport.await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
					});
			assertNothingElseHappened(truncated);
		}
		finally {
			this.pg.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quoteIdentifier(truncated),
					"DROP TABLE public." + table);
		}
	}

	/**
	 * Names that cannot be an identifier at all (empty, NUL character) are rejected naming
	 * pglogrepl.publication.names, before anything is created.
	 * @param publication the publication name
	 */
	@ParameterizedTest(name = "[{index}] publication {0}")
	@ValueSource(strings = { "", "nul\0x" })
	void publicationNamesThatCannotBeIdentifiersAreRejected(String publication) {
		run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.publication.names[0]",
				publication, "pglogrepl.publication.create", "if-missing"), (context) -> {
					FailureAnalysis analysis = analysis(context);
					assertThat(analysis.getDescription()).contains("pglogrepl.publication.names");
				});
		assertNothingElseHappened();
	}

	// ------------------------------------------------------------------ table names

	/** A table whose name needs quoting (quotes, spaces, unicode, in a unicode schema) is published and streamed. */
	@ParameterizedTest(name = "[{index}] table {0}")
	@ValueSource(strings = { "public|weird \"name\"", "public|a b", "Schéma ü|Tàblé ü", "public|it's; DROP TABLE victim; --" })
	void tableNamesNeedingQuotesArePublishedExactly(String schemaAndTable) {
		String schema = schemaAndTable.substring(0, schemaAndTable.indexOf('|'));
		String table = suffixed(schemaAndTable.substring(schemaAndTable.indexOf('|') + 1));
		if (!schema.equals("public")) {
			schema = suffixed(schema);
			this.pg.execute("CREATE SCHEMA " + Identifiers.quoteIdentifier(schema));
		}
		String qualified = Identifiers.quoteIdentifier(schema) + "." + Identifiers.quoteIdentifier(table);
		this.pg.execute("CREATE TABLE " + qualified + " (id int primary key, note text)");
		String publication = TestPostgres.uniqueName("pub");
		String expectedSchema = schema;
		try {
			run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.slot.create", "temporary",
					"pglogrepl.publication.names[0]", publication, "pglogrepl.publication.create", "if-missing",
					"pglogrepl.publication.tables[0]", schema + "." + table), (context) -> {
						assertThat(context).hasNotFailed();
						ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
						StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING,
								TIMEOUT);
						assertThat(publicationTables(this.pg, publication)).containsExactly(expectedSchema + "." + table);
						this.pg.execute("INSERT INTO " + qualified + " VALUES (1, 'one')");
						StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
						StreamTestSupport.await("the insert", () -> !recorder.of(InsertEvent.class).isEmpty(), TIMEOUT);
						InsertEvent<?> insert = recorder.of(InsertEvent.class).get(0);
						assertThat(insert.table().schema()).isEqualTo(expectedSchema);
						assertThat(insert.table().name()).isEqualTo(table);
						assertThat(insert.newRow().get("note")).isEqualTo("one");
					});
			assertNothingElseHappened(publication);
		}
		finally {
			this.pg.execute("DROP PUBLICATION IF EXISTS " + publication, "DROP TABLE " + qualified);
			if (!schema.equals("public")) {
				this.pg.execute("DROP SCHEMA " + Identifiers.quoteIdentifier(schema));
			}
		}
	}

	/**
	 * Table entries that are not one existing table (SQL fragments, quotes written by the user, three parts,
	 * empty parts) fail the startup naming pglogrepl.publication.tables; the publication is not created and the
	 * canary table, whose name several of them contain, is neither dropped nor published.
	 * @param entry the pglogrepl.publication.tables entry
	 */
	@ParameterizedTest(name = "[{index}] table entry {0}")
	@ValueSource(strings = { "public.t; DROP TABLE victim; --", "victim; DROP TABLE victim", "public.\"victim\"",
			"\"public\".victim", "public.victim, public.other", "public.victim) ; DROP TABLE victim; --", "a.b.c",
			"public.", ".victim", " ", "public.victim\0" })
	void tableEntriesThatAreNotOneTableAreRejected(String entry) {
		String publication = TestPostgres.uniqueName("pub");
		run(Map.of("pglogrepl.slot.name", TestPostgres.uniqueName("hostile"), "pglogrepl.publication.names[0]",
				publication, "pglogrepl.publication.create", "if-missing", "pglogrepl.publication.tables[0]", entry),
				(context) -> {
					FailureAnalysis analysis = analysis(context);
					assertThat(analysis.getDescription() + analysis.getAction()).contains("pglogrepl.publication.tables");
				});
		assertThat(publicationTables(this.pg, publication)).isEmpty();
		assertNothingElseHappened();
	}

	// ------------------------------------------------------------------ pgoutput options

	/**
	 * Publication names reach pgoutput as quoted identifiers inside the quoted {@code publication_names} value:
	 * a name that looks like two names, or like the end of the value and another option, is one publication.
	 */
	@Test
	void publicationNamesCannotInjectIntoThePgoutputOptions() throws Exception {
		String n = TestPostgres.uniqueName("inj");
		String a = n + "_a";
		String b = n + "_b";
		String listLike = a + "\",\"" + b; // publication_names = "a","b" if the quotes were not doubled
		String optionLike = n + "_c'), \"binary\" ('true"; // binary 'true' if the literal quote were not doubled
		List<String> tables = List.of(n + "_ta", n + "_tb", n + "_tc", n + "_td");
		for (String table : tables) {
			this.pg.execute("CREATE TABLE " + table + " (id int primary key, note text)");
		}
		this.pg.execute("CREATE PUBLICATION " + a + " FOR TABLE " + tables.get(0),
				"CREATE PUBLICATION " + b + " FOR TABLE " + tables.get(1),
				"CREATE PUBLICATION " + Identifiers.quoteIdentifier(listLike) + " FOR TABLE " + tables.get(2),
				"CREATE PUBLICATION " + Identifiers.quoteIdentifier(optionLike) + " FOR TABLE " + tables.get(3));
		try {
			int proto = PgOutputOptions.maxProtoVersion(this.pg.majorVersion());
			PgOutputOptions listOptions = PgOutputOptions.builder().protoVersion(proto).publications(listLike).build();
			// the command text: the name is one identifier inside one literal
			assertThat(StartReplicationCommand.logical("s", Lsn.INVALID).pgoutput(listOptions).toSql())
				.contains("\"publication_names\" '\"" + a + "\"\",\"\"" + b + "\"'");
			PgOutputOptions optionOptions = PgOutputOptions.builder().protoVersion(proto).publications(optionLike).build();
			assertThat(StartReplicationCommand.logical("s", Lsn.INVALID).pgoutput(optionOptions).toSql())
				.contains("'\"" + n + "_c''), \"\"binary\"\" (''true\"'")
				.doesNotContain("\"binary\" 'true'");

			assertThat(streamedTables(listOptions, tables, n)).containsExactly(tables.get(2));
			List<InsertMessage> inserts = streamedInserts(optionOptions, tables, n);
			assertThat(inserts).extracting((m) -> m.relation().name()).containsExactly(tables.get(3));
			// text format: binary mode was not switched on
			assertThat(inserts.get(0).newTuple().kind(0)).isEqualTo(TupleData.Kind.TEXT);
			assertThat(victimRows(this.pg)).isEqualTo(this.victimRows);
		}
		finally {
			this.pg.execute("DROP PUBLICATION " + a + ", " + b + ", " + Identifiers.quoteIdentifier(listLike) + ", "
					+ Identifiers.quoteIdentifier(optionLike));
			for (String table : tables) {
				this.pg.execute("DROP TABLE " + table);
			}
		}
		assertNothingElseHappened();
	}

	private List<String> streamedTables(PgOutputOptions options, List<String> tables, String marker) throws Exception {
		return streamedInserts(options, tables, marker).stream().map((m) -> m.relation().name()).toList();
	}

	/** Inserts one row into every table and returns the Insert messages streamed with the options. */
	private List<InsertMessage> streamedInserts(PgOutputOptions options, List<String> tables, String marker)
			throws Exception {
		try (LogicalStream stream = LogicalStream.create(this.pg, false)) {
			stream.start(PgOutputOptions.builder()
				.protoVersion(options.protoVersion())
				.publications(options.publicationNames())
				.messages(true)
				.build());
			for (String table : tables) {
				this.pg.execute("INSERT INTO " + table + " VALUES (1, 'x')");
			}
			this.pg.execute("SELECT pg_logical_emit_message(false, '" + marker + "', 'end')");
			List<PgOutputMessage> messages = stream.collectUntil(
					(m) -> m instanceof LogicalDecodingMessage message && message.prefix().equals(marker), TIMEOUT);
			for (String table : tables) {
				this.pg.execute("DELETE FROM " + table);
			}
			return messages.stream().filter(InsertMessage.class::isInstance).map(InsertMessage.class::cast).toList();
		}
	}

	static {
		// the canary's name is spelled out in the hostile values above
		assertThat(VICTIM).isEqualTo("victim");
	}

}
