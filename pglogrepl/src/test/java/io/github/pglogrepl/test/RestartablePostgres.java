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
		this(dataDir, freePort(), config);
	}

	/**
	 * Starts a server on a given port: a new cluster if {@code dataDir} holds none, otherwise the one there
	 * (e.g. a standby's copy made by {@link #createStandby}).
	 * @param dataDir the data directory
	 * @param port the port
	 * @param config server settings ({@code -c name=value})
	 */
	public RestartablePostgres(Path dataDir, int port, Map<String, String> config) {
		this.dataDir = dataDir;
		this.config = new LinkedHashMap<>(config);
		this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
		Runtime.getRuntime().addShutdownHook(new Thread(this::close, "restartable-postgres-stop"));
		this.port = port;
		start();
	}

	/**
	 * @return a free TCP port on the loopback interface
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Makes a physical standby of this server, set up for logical slot synchronisation as PostgreSQL 17+
	 * documents it ("Logical Replication Failover"): a physical slot on this server ({@code primary_slot_name}),
	 * a base backup of this server into {@code dataDir}, {@code standby.signal}, and in the standby's
	 * {@code postgresql.auto.conf}: {@code primary_conninfo} naming the database ({@code dbname=postgres}, which
	 * the slot sync worker needs), {@code hot_standby_feedback = on}, {@code sync_replication_slots = on}, and an
	 * empty {@code synchronized_standby_slots} (this server's value is copied by the backup; after a promotion
	 * the standby would otherwise wait for a physical slot it does not have). Then starts it on {@code port}.
	 * This server's {@code synchronized_standby_slots} is left to the caller.
	 * @param dataDir the standby's data directory (must not exist or be empty)
	 * @param port the standby's port
	 * @param physicalSlot the physical slot on this server that the standby streams from (created here)
	 * @param config the standby's server settings ({@code -c name=value})
	 * @return the running standby
	 */
	public RestartablePostgres createStandby(Path dataDir, int port, String physicalSlot, Map<String, String> config) {
		// the slot keeps the WAL from before the backup's start until the standby has streamed it
		execute("SELECT pg_create_physical_replication_slot('" + physicalSlot + "', true)");
		baseBackup(dataDir);
		try {
			Files.writeString(dataDir.resolve("standby.signal"), "");
			Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\n# standby of port " + this.port + "\n"
					+ "primary_conninfo = 'host=localhost port=" + this.port + " user=postgres dbname=postgres application_name="
					+ physicalSlot + "'\n" + "primary_slot_name = '" + physicalSlot + "'\n" + "hot_standby_feedback = on\n"
					+ "sync_replication_slots = on\n" + "synchronized_standby_slots = ''\n",
					java.nio.file.StandardOpenOption.APPEND);
			Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new RestartablePostgres(dataDir, port, this.config);
	}

	/**
	 * A base backup with the low-level API ("Making a Base Backup Using the Low Level API" in the PostgreSQL
	 * documentation): the embedded binaries have no {@code pg_basebackup}. {@code pg_backup_start}, a copy of the
	 * data directory without the server's runtime files, WAL and slots, {@code pg_backup_stop}, whose label file
	 * goes into the copy as {@code backup_label}. The WAL from the start on is streamed by the standby.
	 */
	private void baseBackup(Path target) {
		try (Connection c = connect(); Statement st = c.createStatement()) {
			String startFunction = (majorVersion(st) >= 15) ? "pg_backup_start" : "pg_start_backup";
			st.execute("SELECT " + startFunction + "('standby', true)");
			copyDataDirectory(this.dataDir, target);
			String stopFunction = (majorVersion(st) >= 15) ? "pg_backup_stop(false)" : "pg_stop_backup(false, false)";
			try (ResultSet rs = st.executeQuery("SELECT labelfile FROM " + stopFunction)) {
				rs.next();
				Files.writeString(target.resolve("backup_label"), rs.getString(1));
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Base backup failed: " + ex.getMessage(), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int majorVersion(Statement st) throws SQLException {
		try (ResultSet rs = st.executeQuery("SHOW server_version_num")) {
			rs.next();
			return Integer.parseInt(rs.getString(1)) / 10000;
		}
	}

	/** What a base backup leaves out: the server's runtime files; only the directories of WAL and slots. */
	private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "pg_wal", "pg_replslot",
			"pg_stat_tmp", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");

	private static void copyDataDirectory(Path source, Path target) throws IOException {
		Files.createDirectories(target);
		Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
		try (var entries = Files.list(source)) {
			for (Path entry : (Iterable<Path>) entries::iterator) {
				String name = entry.getFileName().toString();
				if (NOT_COPIED.contains(name)) {
					if (Files.isDirectory(entry)) {
						Files.createDirectories(target.resolve(name));
					}
					continue;
				}
				copyTree(entry, target.resolve(name));
			}
		}
		Files.createDirectories(target.resolve("pg_wal").resolve("archive_status"));
	}

	private static void copyTree(Path source, Path target) throws IOException {
		Files.walkFileTree(source, new java.nio.file.SimpleFileVisitor<>() {

			@Override
			public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
					java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
				Files.createDirectories(target.resolve(source.relativize(dir)));
				return java.nio.file.FileVisitResult.CONTINUE;
			}

			@Override
			public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
					throws IOException {
				if (!file.getFileName().toString().startsWith("pgsql_tmp")) {
					try {
						Files.copy(file, target.resolve(source.relativize(file)),
								java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
					}
					catch (java.nio.file.NoSuchFileException ex) {
						// removed while copying (temporary files): not part of the backup
					}
				}
				return java.nio.file.FileVisitResult.CONTINUE;
			}

			@Override
			public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException ex) throws IOException {
				if (ex instanceof java.nio.file.NoSuchFileException) {
					return java.nio.file.FileVisitResult.CONTINUE;
				}
				throw ex;
			}

		});
	}

	/**
	 * Promotes this standby ({@code pg_promote()}, waiting until it is done).
	 */
	public void promote() {
		if (!"t".equals(queryString("SELECT pg_promote(true, 60)"))) {
			throw new IllegalStateException("The standby on port " + this.port + " was not promoted within 60 s");
		}
	}

	/**
	 * @return the data directory
	 */
	public Path dataDir() {
		return this.dataDir;
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
		run(List.of(this.binDir.resolve("pg_ctl").toString(), "-D", this.dataDir.toString(), "-m", "immediate", "-w",
				"-t", "30", "stop"));
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

	/** Runs one of the server's programs as the server's user would (under {@code unshare -U} as root). */
	private static void run(List<String> program) {
		List<String> command = new ArrayList<>();
		if (isRoot() && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
			command.addAll(List.of("unshare", "-U"));
		}
		command.addAll(program);
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", program) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
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
