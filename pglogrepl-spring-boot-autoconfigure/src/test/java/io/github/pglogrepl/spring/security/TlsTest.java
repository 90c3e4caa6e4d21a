package io.github.pglogrepl.spring.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.CreateReplicationSlotResult;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.SnapshotAction;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;
import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.PgLogReplAutoConfiguration;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * TLS between the application and PostgreSQL. The test makes its own PKI with the {@code openssl} command (a CA,
 * a server certificate for {@code localhost} signed by it, and an unrelated CA) and starts a dedicated embedded
 * server with {@code ssl=on} whose {@code pg_hba.conf} admits TCP connections only over TLS
 * ({@code hostssl}). The core {@link ReplicationConnection} and the starter then connect with
 * {@code sslmode=verify-full&sslrootcert=<ca.pem>} and stream; with no CA, the wrong CA or the wrong host name the
 * startup fails with a failure analysis that names the TLS problem and the properties to fix.
 */
class TlsTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@TempDir
	static Path dir;

	private static EmbeddedPostgres server;

	private static Path ca;

	private static Path otherCa;

	@BeforeAll
	static void startServerRequiringTls() throws Exception {
		Assumptions.assumeTrue(openssl("version") == 0, "TLS tests need the openssl command to make certificates");
		ca = dir.resolve("ca.pem");
		otherCa = dir.resolve("other-ca.pem");
		Path serverKey = dir.resolve("server.key");
		Path serverCert = dir.resolve("server.crt");
		Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
				+ "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
		// EC keys: fast to generate
		run(0, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
				"-subj", "/CN=pglogrepl test CA", "-keyout", "ca.key", "-out", "ca.pem", "-addext",
				"basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
		run(0, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
				"/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
		run(0, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
				"2", "-extfile", "server.ext", "-out", "server.crt");
		run(0, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
				"-subj", "/CN=pglogrepl other CA", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-addext",
				"basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
		// the server refuses a key file readable by others; it must belong to the user running the server
		Files.setPosixFilePermissions(serverKey, PosixFilePermissions.fromString("rw-------"));
		server = EmbeddedPostgres.builder()
			.setServerConfig("wal_level", "logical")
			.setServerConfig("max_wal_senders", "10")
			.setServerConfig("max_replication_slots", "10")
			.setServerConfig("ssl", "on")
			.setServerConfig("ssl_cert_file", serverCert.toString())
			.setServerConfig("ssl_key_file", serverKey.toString())
			.setServerConfig("fsync", "off")
			// zonky connects to check the server is up: over TLS (sslmode=prefer is the pgjdbc default)
			.setConnectConfig("sslmode", "require")
			.setDataDirectoryCustomizer((dataDir) -> {
				try {
					Files.setOwner(serverKey, Files.getOwner(dataDir.toPath()));
					Files.writeString(dataDir.toPath().resolve("pg_hba.conf"), String.join("\n",
							"local all all trust", "local replication all trust",
							"hostssl all all 127.0.0.1/32 trust", "hostssl all all ::1/128 trust",
							"hostssl replication all 127.0.0.1/32 trust", "hostssl replication all ::1/128 trust", ""));
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.start();
		execute(url("sslmode=verify-full&sslrootcert=" + ca),
				"CREATE TABLE tls_orders (id int PRIMARY KEY, note text)",
				"CREATE PUBLICATION tls_pub FOR TABLE tls_orders");
	}

	@AfterAll
	static void stopServer() throws IOException {
		if (server != null) {
			server.close();
		}
	}

	private static int openssl(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).directory((dir != null) ? dir.toFile() : null)
				.redirectErrorStream(true)
				.start();
			byte[] out = process.getInputStream().readAllBytes();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return -1;
			}
			if (process.exitValue() != 0) {
				System.err.println("openssl " + String.join(" ", args) + ": " + new String(out, StandardCharsets.UTF_8));
			}
			return process.exitValue();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static void run(int expected, String... args) throws IOException, InterruptedException {
		assertThat(openssl(args)).as("openssl %s", String.join(" ", args)).isEqualTo(expected);
	}

	private static String url(String params) {
		return url("localhost", params);
	}

	private static String url(String host, String params) {
		return "jdbc:postgresql://" + host + ":" + server.getPort() + "/postgres?" + params;
	}

	private static Properties user(String applicationName) {
		Properties props = new Properties();
		props.setProperty("user", "postgres");
		props.setProperty("ApplicationName", applicationName);
		return props;
	}

	private static void execute(String url, String... statements) throws SQLException {
		try (Connection c = DriverManager.getConnection(url, user("tls-test")); Statement st = c.createStatement()) {
			for (String sql : statements) {
				st.execute(sql);
			}
		}
	}

	/** @return whether the server sees a TLS connection from a backend with this application_name */
	private static boolean usesTls(String applicationName) throws SQLException {
		try (Connection c = DriverManager.getConnection(url("sslmode=verify-full&sslrootcert=" + ca), user("tls-check"));
				Statement st = c.createStatement();
				ResultSet rs = st.executeQuery("SELECT bool_and(s.ssl), count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a "
						+ "USING (pid) WHERE a.application_name = '" + applicationName + "'")) {
			rs.next();
			return rs.getLong(2) > 0 && rs.getBoolean(1);
		}
	}

	// ------------------------------------------------------------------ the server really requires TLS

	@Test
	void plainConnectionsAreRefused() {
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url("sslmode=disable"), user("plain")).close())
			.withMessageContaining("no encryption");
	}

	// ------------------------------------------------------------------ core

	@Test
	void replicationConnectionVerifiesTheServerAndStreams() throws Exception {
		String url = url("sslmode=verify-full&sslrootcert=" + ca);
		try (ReplicationConnection connection = ReplicationConnection.open(url, user("tls-core"))) {
			assertThat(usesTls("tls-core")).isTrue();
			CreateReplicationSlotResult slot = connection.createReplicationSlot(
					CreateReplicationSlotCommand.logical("tls_core", "pgoutput").temporary().snapshot(SnapshotAction.NOTHING));
			try (ReplicationStream stream = connection.startReplication(StartReplicationCommand
				.logical("tls_core", slot.consistentPoint())
				.pgoutput(PgOutputOptions.builder().protoVersion(1).publications("tls_pub").build()))) {
				execute(url, "INSERT INTO tls_orders VALUES (1, 'over TLS')");
				PgOutputDecoder decoder = new PgOutputDecoder();
				InsertMessage insert = null;
				long deadline = System.nanoTime() + TIMEOUT.toNanos();
				while (insert == null && System.nanoTime() < deadline) {
					ReplicationMessage message = stream.read(Duration.ofMillis(200));
					if (message instanceof XLogData data) {
						PgOutputMessage decoded = decoder.decode(data);
						if (decoded instanceof InsertMessage m) {
							insert = m;
						}
					}
					else if (message instanceof PrimaryKeepalive keepalive && keepalive.replyRequested()) {
						stream.sendStatusUpdate(stream.lastReceivedLsn(), slot.consistentPoint(), slot.consistentPoint(),
								false);
					}
				}
				assertThat(insert).as("Insert received over TLS").isNotNull();
				assertThat(insert.newTuple().text(1)).isEqualTo("over TLS");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "no CA", "missing CA file", "other CA", "host name" })
	void replicationConnectionRefusesAnUnverifiedServer(String problem) {
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> ReplicationConnection.open(unverifiedUrl(problem), user("tls-core-bad")).close())
			.satisfies((ex) -> assertThat(ex.getMessage()).containsAnyOf("SSL", "certificate", "hostname"));
	}

	private static String unverifiedUrl(String problem) {
		return switch (problem) {
			case "no CA" -> {
				// then pgjdbc looks for ~/.postgresql/root.crt
				Assumptions.assumeFalse(Files.exists(Path.of(System.getProperty("user.home"), ".postgresql", "root.crt")),
						"~/.postgresql/root.crt exists");
				yield url("sslmode=verify-full");
			}
			case "missing CA file" -> url("sslmode=verify-full&sslrootcert=" + dir.resolve("missing-root.crt"));
			case "other CA" -> url("sslmode=verify-full&sslrootcert=" + otherCa);
			case "plain connection" -> url("sslmode=disable");
			// the certificate names localhost only
			default -> url("127.0.0.1", "sslmode=verify-full&sslrootcert=" + ca);
		};
	}

	// ------------------------------------------------------------------ starter

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PgLogReplAutoConfiguration.class))
		.withBean(StreamTestSupport.Recorder.class);

	@Test
	void starterVerifiesTheServerAndStreams() {
		this.runner
			.withPropertyValues("pglogrepl.url=" + url("sslmode=verify-full&sslrootcert=" + ca),
					"pglogrepl.username=postgres", "pglogrepl.slot.name=tls_starter", "pglogrepl.slot.create=temporary",
					"pglogrepl.publication.names=tls_pub")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
				StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
				assertThat(usesTls("pglogrepl-tls_starter")).as("the stream's connection uses TLS").isTrue();
				execute(url("sslmode=verify-full&sslrootcert=" + ca), "INSERT INTO tls_orders VALUES (2, 'starter')");
				StreamTestSupport.Recorder recorder = context.getBean(StreamTestSupport.Recorder.class);
				StreamTestSupport.await("the insert", () -> recorder.of(InsertEvent.class).stream()
					.anyMatch((e) -> "starter".equals(e.newRow().get("note"))), TIMEOUT);
			});
	}

	/**
	 * Without the CA, with another CA, connecting by a name the certificate does not carry, or without TLS to a
	 * server that requires it, the application does not start, and the analysis names the TLS problem and the
	 * settings that fix it.
	 * @param problem the case
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "no CA", "missing CA file", "other CA", "host name", "plain connection" })
	void starterFailsClearlyWhenTheServerCannotBeVerified(String problem) {
		this.runner
			.withPropertyValues("pglogrepl.url=" + unverifiedUrl(problem), "pglogrepl.username=postgres",
					"pglogrepl.slot.name=tls_bad", "pglogrepl.publication.names=tls_pub")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				assertThat(SecurityTestSupport.setupException(failure)).isInstanceOf(ReplicationSetupException.class);
				FailureAnalysis analysis = analyze(failure);
				System.out.println("TLS failure (" + problem + "): " + analysis.getDescription() + "\nAction: "
						+ analysis.getAction());
				assertThat(analysis.getDescription()).startsWith("PostgreSQL logical replication could not start: ")
					.contains(" at jdbc:postgresql://");
				// the reason, beside the URL (which contains "sslmode" anyway)
				assertThat(analysis.getDescription().replace(unverifiedUrl(problem), "<url>"))
					.containsAnyOf("SSL", "certificate", "hostname", "encryption");
				// the fix is in the TLS settings of the URL, not in "is the server running"
				assertThat(analysis.getAction()).contains("pglogrepl.url").contains("sslmode").contains("sslrootcert");
			});
		assertThat(slotExists("tls_bad")).isFalse();
	}

	private static boolean slotExists(String slot) {
		try (Connection c = DriverManager.getConnection(url("sslmode=verify-full&sslrootcert=" + ca), user("tls-check"));
				Statement st = c.createStatement();
				ResultSet rs = st.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
			return rs.next();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static FailureAnalysis analyze(Throwable failure) {
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
			}))) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		throw new AssertionError("No failure analysis for " + failure);
	}

}
