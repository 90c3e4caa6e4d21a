package io.github.pglogrepl.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL of its own that can be stopped and started again on the same data directory and port:
 * zonky's EmbeddedPostgres with a fixed data directory ({@code setCleanDataDirectory(false)}) and port.
 * Fast shutdown is zonky's {@code close()} ({@code pg_ctl stop -m fast}); immediate shutdown runs
 * {@code pg_ctl -m immediate stop} from the binaries the server runs from, as the same user (under
 * {@code unshare -U} when the tests run as root, as zonky does).
 */
public final class RestartablePostgres implements AutoCloseable, SqlAccess {

	private final Path dataDir;

	private final int port;

	private final Map<String, String> config;

	private EmbeddedPostgres server;

	private Path binDir;

	private final Path logFile;

	/**
	 * Creates a cluster in {@code dataDir} (emptied first) and starts it.
	 * @param dataDir the data directory
	 * @param config server settings ({@code -c name=value})
	 */
	public RestartablePostgres(Path dataDir, Map<String, String> config) {
		this.dataDir = dataDir;
		this.config = new LinkedHashMap<>(config);
		this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
		Runtime.getRuntime().addShutdownHook(new Thread(this::close, "restartable-postgres-stop"));
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.port = socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		start();
	}

	/**
	 * @return settings for a logical replication test server
	 */
	public static Map<String, String> logicalConfig() {
		Map<String, String> config = new LinkedHashMap<>();
		config.put("wal_level", "logical");
		config.put("max_wal_senders", "20");
		config.put("max_replication_slots", "20");
		config.put("max_prepared_transactions", "10");
		config.put("logical_decoding_work_mem", "64kB");
		// commits the writer saw succeed must survive an immediate shutdown
		config.put("synchronous_commit", "on");
		config.put("fsync", "off");
		return config;
	}

	/** Starts the server (again) on the same directory and port. */
	public synchronized void start() {
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(this.dataDir.toFile())
				.setCleanDataDirectory(false)
				.setPort(this.port)
				.setPGStartupWait(java.time.Duration.ofSeconds(60))
				.setRegisterShutdownHook(false)
				.setOutputRedirector(ProcessBuilder.Redirect.appendTo(this.logFile.toFile()))
				.setErrorRedirector(ProcessBuilder.Redirect.appendTo(this.logFile.toFile()));
			this.config.forEach(builder::setServerConfig);
			this.server = builder.start();
			if (this.binDir == null) {
				this.binDir = findBinDir();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start PostgreSQL in " + this.dataDir, ex);
		}
	}

	/** Fast shutdown ({@code pg_ctl stop -m fast}): sessions are ended, a shutdown checkpoint is written. */
	public synchronized void stopFast() {
		closeServer();
	}

	/**
	 * Immediate shutdown ({@code pg_ctl stop -m immediate}): every process quits at once, no checkpoint; the
	 * next start runs crash recovery.
	 */
	public synchronized void stopImmediate() {
		List<String> command = new ArrayList<>();
		if (isRoot() && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
			command.addAll(List.of("unshare", "-U"));
		}
		command.addAll(List.of(this.binDir.resolve("pg_ctl").toString(), "-D", this.dataDir.toString(), "-m",
				"immediate", "-w", "-t", "30", "stop"));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("pg_ctl -m immediate stop failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		// releases zonky's lock on the data directory (its own pg_ctl stop then finds no server: logged only)
		closeServer();
	}

	private void closeServer() {
		if (this.server != null) {
			try {
				this.server.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.server = null;
		}
		// zonky gives pg_ctl 5 s; a fast shutdown waits for walsenders to send everything (and the client to
		// confirm it), which can take longer: wait until the postmaster is really gone
		Path pid = this.dataDir.resolve("postmaster.pid");
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
		while (Files.exists(pid)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("PostgreSQL in " + this.dataDir + " did not stop within 90 s");
			}
			sleep(50);
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private Path findBinDir() throws IOException {
		// the postmaster's PID is the first line of postmaster.pid; its executable is <bin>/postgres
		String pid = Files.readAllLines(this.dataDir.resolve("postmaster.pid")).get(0).trim();
		Path exe = Path.of("/proc", pid, "exe");
		if (Files.exists(exe)) {
			return Files.readSymbolicLink(exe).getParent();
		}
		try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg"))) {
			for (Path dir : (Iterable<Path>) dirs::iterator) {
				if (Files.isExecutable(dir.resolve("bin/pg_ctl"))) {
					return dir.resolve("bin");
				}
			}
		}
		throw new IllegalStateException("Cannot find the PostgreSQL binaries of PID " + pid);
	}

	/**
	 * @return the JDBC URL of database {@code postgres} (user in the URL)
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://localhost:" + this.port + "/postgres?user=postgres";
	}

	/**
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * @return the directory of pg_ctl and postgres
	 */
	public Path binDir() {
		return this.binDir;
	}

	/**
	 * @return empty connection properties (the user is in the URL)
	 */
	public Properties properties() {
		return new Properties();
	}

	/**
	 * @return a new connection, autocommit on
	 * @throws SQLException if it fails
	 */
	@Override
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(), properties());
	}

	/**
	 * @param table a table with a bigint column {@code id}
	 * @return its ids
	 */
	public Set<Long> ids(String table) {
		return Sql.ids(this::connect, table);
	}

	@Override
	public synchronized void close() {
		closeServer();
	}

	/**
	 * A server-side helper usable for both this server and the shared test server.
	 */
	public static final class Sql {

		private Sql() {
		}

		/**
		 * {@link #dropSlot} for {@code finally} blocks: a failure is printed, not thrown (it would hide the
		 * test's own failure).
		 * @param connector opens a connection
		 * @param slot the slot
		 */
		public static void dropSlotQuietly(Connector connector, String slot) {
			try {
				dropSlot(connector, slot);
			}
			catch (RuntimeException ex) {
				System.err.println("Could not drop slot " + slot + ": " + ex.getMessage());
			}
		}

		/**
		 * Drops a slot once no connection holds it (waits up to 20 s); does nothing if it does not exist.
		 * @param connector opens a connection
		 * @param slot the slot
		 */
		public static void dropSlot(Connector connector, String slot) {
			long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
			while (true) {
				try (Connection c = connector.connect(); Statement st = c.createStatement();
						ResultSet rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
					if (!rs.next()) {
						return;
					}
					if (!rs.getBoolean(1) || System.nanoTime() > deadline) {
						st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
						return;
					}
				}
				catch (SQLException ex) {
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException("Cannot drop slot " + slot + ": " + ex.getMessage(), ex);
					}
				}
				sleep(100);
			}
		}

		/** Opens connections. */
		@FunctionalInterface
		public interface Connector {

			Connection connect() throws SQLException;

		}

		/**
		 * @param connector opens a connection
		 * @param table a table with a bigint column {@code id}
		 * @return its ids
		 */
		public static Set<Long> ids(Connector connector, String table) {
			try (Connection c = connector.connect(); Statement st = c.createStatement();
					ResultSet rs = st.executeQuery("SELECT id FROM " + table)) {
				Set<Long> ids = new HashSet<>();
				while (rs.next()) {
					ids.add(rs.getLong(1));
				}
				return ids;
			}
			catch (SQLException ex) {
				throw new IllegalStateException("SQL failed: " + ex.getMessage(), ex);
			}
		}

	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
