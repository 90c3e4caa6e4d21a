package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.Identifiers;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.SnapshotAction;
import io.github.pglogrepl.pgoutput.PgOutputOptions;

/**
 * Checks the server before streaming and sets up what is configured to be created: publications and the
 * slot. Every failure is a {@link ReplicationSetupException} naming the property or server setting and the
 * fix.
 */
final class ServerSetup {

	private static final Log logger = LogFactory.getLog(ServerSetup.class);

	private ServerSetup() {
	}

	/** What the checks found. */
	record Result(int serverMajorVersion, PgOutputOptions pgoutput, Lsn confirmedFlush) {
	}

	static Result run(StreamSettings settings) {
		try {
			Identifiers.validateSlotName(settings.slotName());
		}
		catch (IllegalArgumentException ex) {
			throw new ReplicationSetupException("Invalid pglogrepl.slot.name: " + ex.getMessage(),
					"Set pglogrepl.slot.name to 1-63 lower-case letters, digits or underscores, e.g. orders_cdc.");
		}
		if (settings.publications().isEmpty()) {
			throw new ReplicationSetupException("No publication configured (pglogrepl.publication.names is empty).",
					"Set pglogrepl.publication.names to the publication(s) to stream, e.g. pglogrepl.publication.names=orders_pub.");
		}
		for (String name : settings.publications()) {
			try {
				Identifiers.quoteIdentifier(name);
			}
			catch (IllegalArgumentException ex) {
				throw new ReplicationSetupException("Invalid publication name '" + name
						+ "' in pglogrepl.publication.names: " + ex.getMessage(),
						"Set pglogrepl.publication.names to the names of existing publications (or of publications to create).");
			}
		}
		Properties props = new Properties();
		props.putAll(settings.connectionProperties());
		try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), props)) {
			int major = c.getMetaData().getDatabaseMajorVersion();
			checkWalLevel(c);
			checkReplicationPrivilege(c);
			// validate the options before creating anything, so a configuration error leaves no slot behind
			PgOutputOptions options = pgoutput(settings, major);
			checkPublications(c, settings);
			Lsn confirmed = checkSlot(c, settings);
			return new Result(major, options, confirmed);
		}
		catch (SQLException ex) {
			String state = ex.getSQLState();
			if (state != null && state.startsWith("08")) {
				throw new ReplicationSetupException("Cannot connect to PostgreSQL at " + StreamSettings.maskPassword(settings.jdbcUrl())
						+ " (pglogrepl.url, or spring.datasource.url when unset): "
						+ ex.getMessage(),
						isTlsFailure(ex) ? TLS_ACTION
								: "Check that the server is running and reachable, and that pglogrepl.url (or spring.datasource.url) points to it.",
						ex);
			}
			if ("28P01".equals(state) || "28000".equals(state)) {
				String message = String.valueOf(ex.getMessage());
				throw new ReplicationSetupException("Authentication failed for user '" + props.getProperty("user")
						+ "' at " + StreamSettings.maskPassword(settings.jdbcUrl()) + ": " + message,
						message.contains("no encryption")
								? "The server accepts only encrypted connections (hostssl in pg_hba.conf): set sslmode=verify-full (with sslrootcert) or sslmode=require in pglogrepl.url (or spring.datasource.url)."
								: "Check pglogrepl.username and pglogrepl.password (or spring.datasource.username/password).",
						ex);
			}
			throw new ReplicationSetupException("Checking the replication setup failed: " + ex.getMessage(),
					"See the cause; the user needs to read pg_replication_slots and pg_publication.", ex);
		}
	}

	private static final String TLS_ACTION = "Check the TLS settings in pglogrepl.url (or spring.datasource.url): "
			+ "sslmode (verify-full checks the server's certificate and host name) and sslrootcert (the file of the CA "
			+ "certificate that signed the server's certificate; by default ~/.postgresql/root.crt), and connect with "
			+ "a host name that the certificate carries.";

	private static boolean isTlsFailure(SQLException ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.GeneralSecurityException) {
				return true;
			}
			String message = t.getMessage();
			if (message != null && (message.contains("SSL") || message.contains("certificate")
					|| message.contains("hostnameverifier"))) {
				return true;
			}
		}
		return false;
	}

	private static void checkWalLevel(Connection c) throws SQLException {
		try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
			rs.next();
			String level = rs.getString(1);
			if (!"logical".equals(level)) {
				throw new ReplicationSetupException(
						"The server setting wal_level is '" + level + "'; logical replication needs 'logical'.",
						"Set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL.");
			}
		}
	}

	private static void checkReplicationPrivilege(Connection c) throws SQLException {
		try (Statement st = c.createStatement();
				ResultSet rs = st.executeQuery(
						"SELECT current_user, rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
			if (rs.next() && !rs.getBoolean(2)) {
				String user = rs.getString(1);
				throw new ReplicationSetupException(
						"The user '" + user + "' has no REPLICATION privilege, which a replication connection needs.",
						"Run ALTER ROLE " + Identifiers.quoteIdentifier(user)
								+ " REPLICATION; or set pglogrepl.username to a user that has it.");
			}
		}
	}

	private static void checkPublications(Connection c, StreamSettings settings) throws SQLException {
		for (String name : settings.publications()) {
			boolean exists;
			// compared as a name: the server truncates identifiers longer than 63 bytes, here as everywhere
			try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = CAST(? AS name)")) {
				ps.setString(1, name);
				try (ResultSet rs = ps.executeQuery()) {
					exists = rs.next();
				}
			}
			if (exists) {
				continue;
			}
			if (!settings.createPublications()) {
				throw new ReplicationSetupException(
						"The publication '" + name + "' (pglogrepl.publication.names) does not exist.",
						"Create it with CREATE PUBLICATION " + Identifiers.quoteIdentifier(name)
								+ " FOR TABLE ...; or set pglogrepl.publication.create=if-missing and list the tables in pglogrepl.publication.tables.");
			}
			String sql = "CREATE PUBLICATION " + Identifiers.quoteIdentifier(name)
					+ (settings.publicationTables().isEmpty() ? " FOR ALL TABLES"
							: " FOR TABLE " + String.join(", ", quoteTables(settings.publicationTables())));
			try (Statement st = c.createStatement()) {
				st.execute(sql);
				logger.info("Created publication: " + sql);
			}
			catch (SQLException ex) {
				if (!"42710".equals(ex.getSQLState())) {
					throw new ReplicationSetupException("Creating publication '" + name + "' failed: " + ex.getMessage(),
							"Check pglogrepl.publication.tables (schema-qualified existing tables) and that the user may create publications (FOR ALL TABLES needs superuser).",
							ex);
				}
			}
		}
	}

	static List<String> quoteTables(List<String> tables) {
		List<String> quoted = new ArrayList<>();
		for (String table : tables) {
			String[] parts = table.split("\\.", -1);
			if (parts.length > 2 || table.isBlank()) {
				throw new ReplicationSetupException("Invalid table '" + table + "' in pglogrepl.publication.tables.",
						"Use schema.table or table, e.g. public.orders.");
			}
			StringBuilder sb = new StringBuilder();
			for (int i = 0; i < parts.length; i++) {
				if (parts[i].isEmpty()) {
					throw new ReplicationSetupException("Invalid table '" + table + "' in pglogrepl.publication.tables.",
							"Use schema.table or table, e.g. public.orders.");
				}
				if (i > 0) {
					sb.append('.');
				}
				try {
					sb.append(Identifiers.quoteIdentifier(parts[i]));
				}
				catch (IllegalArgumentException ex) {
					throw new ReplicationSetupException("Invalid table '" + table + "' in pglogrepl.publication.tables: "
							+ ex.getMessage(), "Use schema.table or table, e.g. public.orders.");
				}
			}
			quoted.add(sb.toString());
		}
		return quoted;
	}

	private static Lsn checkSlot(Connection c, StreamSettings settings) throws SQLException {
		if (settings.temporarySlot()) {
			return null;
		}
		try (PreparedStatement ps = c.prepareStatement("SELECT slot_type, plugin, database, current_database(), "
				+ "wal_status, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
			ps.setString(1, settings.slotName());
			try (ResultSet rs = ps.executeQuery()) {
				if (rs.next()) {
					String slot = settings.slotName();
					if (!"logical".equals(rs.getString(1))) {
						throw new ReplicationSetupException("The replication slot '" + slot
								+ "' (pglogrepl.slot.name) is a physical slot.",
								"Set pglogrepl.slot.name to a logical slot, or drop this one.");
					}
					if (!"pgoutput".equals(rs.getString(2))) {
						throw new ReplicationSetupException("The replication slot '" + slot
								+ "' (pglogrepl.slot.name) uses the output plugin '" + rs.getString(2)
								+ "', not pgoutput.",
								"Use another pglogrepl.slot.name, or drop the slot with SELECT pg_drop_replication_slot('"
										+ slot + "') so it is created with pgoutput.");
					}
					if (!rs.getString(4).equals(rs.getString(3))) {
						throw new ReplicationSetupException("The replication slot '" + slot
								+ "' (pglogrepl.slot.name) belongs to database '" + rs.getString(3) + "', not '"
								+ rs.getString(4) + "'.", "Use another pglogrepl.slot.name for this database.");
					}
					if ("lost".equals(rs.getString(5))) {
						throw new ReplicationSetupException("The replication slot '" + slot
								+ "' (pglogrepl.slot.name) is invalidated (wal_status = lost): the WAL it needs was removed, changes were lost.",
								"Drop it with SELECT pg_drop_replication_slot('" + slot
										+ "'), resynchronise the data, and restart (the slot is then created again). Consider raising max_slot_wal_keep_size.");
					}
					String confirmed = rs.getString(6);
					return (confirmed != null) ? Lsn.parse(confirmed) : null;
				}
			}
		}
		if ("NEVER".equals(settings.slotCreate())) {
			throw new ReplicationSetupException(
					"The replication slot '" + settings.slotName() + "' (pglogrepl.slot.name) does not exist.",
					"Create it with SELECT pg_create_logical_replication_slot('" + settings.slotName()
							+ "', 'pgoutput'); or set pglogrepl.slot.create=if-missing.");
		}
		try (ReplicationConnection rc = ReplicationConnection.open(settings.jdbcUrl(), settings.connectionProperties())) {
			Lsn point = rc
				.createReplicationSlot(
						CreateReplicationSlotCommand.logical(settings.slotName(), "pgoutput").snapshot(SnapshotAction.NOTHING))
				.consistentPoint();
			logger.info("Created replication slot '" + settings.slotName() + "' at " + point);
			return point;
		}
		catch (SQLException ex) {
			if ("42710".equals(ex.getSQLState())) {
				return null; // created concurrently by another instance
			}
			throw ex;
		}
	}

	private static PgOutputOptions pgoutput(StreamSettings settings, int major) {
		int max = PgOutputOptions.maxProtoVersion(major);
		int version = (settings.protoVersion() != null) ? settings.protoVersion() : max;
		if (version > max) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.proto-version=" + version + " but PostgreSQL "
					+ major + " supports at most " + max + ".", "Set pglogrepl.pgoutput.proto-version to " + max
							+ " or lower, or remove it to use the highest supported.");
		}
		String streaming = (settings.streaming() != null) ? settings.streaming().toLowerCase(java.util.Locale.ROOT) : "off";
		if ("parallel".equals(streaming) && version < 4) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.streaming=parallel needs protocol version 4 (PostgreSQL 16+).",
					"Set pglogrepl.pgoutput.streaming=on, or use PostgreSQL 16 or later.");
		}
		if ("on".equals(streaming) && version < 2) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.streaming=on needs protocol version 2 or later.",
					"Raise pglogrepl.pgoutput.proto-version or set pglogrepl.pgoutput.streaming=off.");
		}
		if (settings.origin() != null && major < 16) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.origin needs PostgreSQL 16 or later (server: " + major + ").",
					"Remove pglogrepl.pgoutput.origin.");
		}
		try {
			return PgOutputOptions.builder()
				.protoVersion(version)
				.publications(settings.publications())
				.binary(settings.binary())
				.messages(settings.messages())
				.streaming(streaming)
				.origin(settings.origin())
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new ReplicationSetupException("Invalid pglogrepl.pgoutput settings: " + ex.getMessage(),
					"Fix the pglogrepl.pgoutput.* properties.");
		}
	}

}
