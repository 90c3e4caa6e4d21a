package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

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

	/**
	 * What the checks found.
	 *
	 * @param serverMajorVersion the server's major version
	 * @param pgoutput the pgoutput options to stream with
	 * @param confirmedFlush the slot's confirmed position, or {@code null} (temporary slot, or created concurrently)
	 * @param serverWalEnd the server's current WAL position
	 * @param slotRecreatedAfter the loss after which the slot was created again ({@code pglogrepl.slot.on-lost}),
	 * or {@code null}
	 */
	record Result(int serverMajorVersion, PgOutputOptions pgoutput, Lsn confirmedFlush, Lsn serverWalEnd,
			SlotLoss slotRecreatedAfter) {
	}

	/** The slot's confirmed position, and the loss it was re-created after. */
	private record SlotSetup(Lsn confirmed, SlotLoss recreatedAfter) {
	}

	static Result run(StreamContainerProperties settings, StreamConnectionFactory connections) {
		try {
			Identifiers.validateSlotName(settings.getSlotName());
		}
		catch (IllegalArgumentException ex) {
			throw new ReplicationSetupException("Invalid pglogrepl.slot.name: " + ex.getMessage(),
					"Set pglogrepl.slot.name to 1-63 lower-case letters, digits or underscores, e.g. orders_cdc.");
		}
		if (settings.getPublications().isEmpty()) {
			throw new ReplicationSetupException("No publication configured (pglogrepl.publication.names is empty).",
					"Set pglogrepl.publication.names to the publication(s) to stream, e.g. pglogrepl.publication.names=orders_pub.");
		}
		for (String name : settings.getPublications()) {
			try {
				Identifiers.quoteIdentifier(name);
			}
			catch (IllegalArgumentException ex) {
				throw new ReplicationSetupException("Invalid publication name '" + name
						+ "' in pglogrepl.publication.names: " + ex.getMessage(),
						"Set pglogrepl.publication.names to the names of existing publications (or of publications to create).");
			}
		}
		try (Connection c = connections.openConnection("setup")) {
			ServerCatalog catalog = new ServerCatalog(c);
			int major = catalog.serverMajorVersion();
			checkWalLevel(catalog);
			checkReplicationPrivilege(catalog);
			// validate the options before creating anything, so a configuration error leaves no slot behind
			PgOutputOptions options = pgoutput(settings, major);
			checkFailover(settings, major);
			checkSlotLossPolicy(settings);
			checkPublications(catalog, settings);
			SlotSetup slot = checkSlot(c, catalog, settings, connections);
			if (settings.isSlotFailover()) {
				logFailoverReadiness(settings, FailoverReadiness.check(settings, connections));
			}
			return new Result(major, options, slot.confirmed(), catalog.currentWalLsn(), slot.recreatedAfter());
		}
		catch (SQLException ex) {
			String state = ex.getSQLState();
			if (state != null && state.startsWith("08")) {
				throw new ReplicationSetupException("Cannot connect to PostgreSQL at " + JdbcUrls.maskPassword(settings.getJdbcUrl())
						+ " (pglogrepl.url, or spring.datasource.url when unset): "
						+ ex.getMessage(),
						isTlsFailure(ex) ? TLS_ACTION
								: "Check that the server is running and reachable, and that pglogrepl.url (or spring.datasource.url) points to it.",
						ex);
			}
			if ("28P01".equals(state) || "28000".equals(state)) {
				String message = String.valueOf(ex.getMessage());
				throw new ReplicationSetupException("Authentication failed for user '" + settings.getConnectionProperties().getProperty("user")
						+ "' at " + JdbcUrls.maskPassword(settings.getJdbcUrl()) + ": " + message,
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

	private static void checkWalLevel(ServerCatalog catalog) throws SQLException {
		String level = catalog.walLevel();
		if (!"logical".equals(level)) {
			throw new ReplicationSetupException(
					"The server setting wal_level is '" + level + "'; logical replication needs 'logical'.",
					"Set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL.");
		}
	}

	private static void checkReplicationPrivilege(ServerCatalog catalog) throws SQLException {
		String user = catalog.userWithoutReplication();
		if (user != null) {
			throw new ReplicationSetupException(
					"The user '" + user + "' has no REPLICATION privilege, which a replication connection needs.",
					"Run ALTER ROLE " + Identifiers.quoteIdentifier(user)
							+ " REPLICATION; or set pglogrepl.username to a user that has it.");
		}
	}

	private static void checkPublications(ServerCatalog catalog, StreamContainerProperties settings)
			throws SQLException {
		for (String name : settings.getPublications()) {
			if (catalog.publicationExists(name)) {
				continue;
			}
			if (settings.getPublicationCreation() != PublicationCreation.IF_MISSING) {
				throw new ReplicationSetupException(
						"The publication '" + name + "' (pglogrepl.publication.names) does not exist.",
						"Create it with CREATE PUBLICATION " + Identifiers.quoteIdentifier(name)
								+ " FOR TABLE ...; or set pglogrepl.publication.create=if-missing and list the tables in pglogrepl.publication.tables.");
			}
			List<String> tables;
			try {
				tables = ServerCatalog.quoteTables(settings.getPublicationTables());
			}
			catch (IllegalArgumentException ex) {
				throw new ReplicationSetupException(ex.getMessage() + " in pglogrepl.publication.tables.",
						"Use schema.table or table, e.g. public.orders.");
			}
			try {
				logger.info("Created publication: " + catalog.createPublication(name, tables));
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

	private static SlotSetup checkSlot(Connection c, ServerCatalog catalog, StreamContainerProperties settings,
			StreamConnectionFactory connections) throws SQLException {
		if (settings.isTemporarySlot()) {
			return new SlotSetup(null, null);
		}
		String slot = settings.getSlotName();
		SlotHistory history = new SlotHistory(settings.getSnapshot(), slot);
		ServerCatalog.SlotInfo info = catalog.slot(slot);
		SlotLoss lost = null;
		if (info != null) {
			if (!"logical".equals(info.slotType())) {
				throw new ReplicationSetupException("The replication slot '" + slot
						+ "' (pglogrepl.slot.name) is a physical slot.",
						"Set pglogrepl.slot.name to a logical slot, or drop this one.");
			}
			if (!"pgoutput".equals(info.plugin())) {
				throw new ReplicationSetupException("The replication slot '" + slot
						+ "' (pglogrepl.slot.name) uses the output plugin '" + info.plugin() + "', not pgoutput.",
						"Use another pglogrepl.slot.name, or drop the slot with SELECT pg_drop_replication_slot('"
								+ slot + "') so it is created with pgoutput.");
			}
			if (!info.currentDatabase().equals(info.database())) {
				throw new ReplicationSetupException("The replication slot '" + slot
						+ "' (pglogrepl.slot.name) belongs to database '" + info.database() + "', not '"
						+ info.currentDatabase() + "'.", "Use another pglogrepl.slot.name for this database.");
			}
			lost = SlotLoss.check(catalog, slot, null);
			if (lost == null) {
				if (settings.isSlotFailover()) {
					enableFailover(catalog, slot, connections);
				}
				if (!settings.isDropSlotOnShutdown()) {
					history.record(c);
				}
				return new SlotSetup(info.confirmedFlushLsn(), null);
			}
		}
		else if (!settings.isDropSlotOnShutdown()) {
			// a slot dropped on every shutdown is expected to be missing at startup
			SlotHistory.Entry marker = history.find(c);
			if (marker != null) {
				lost = new SlotLoss(slot, true, null, null, marker);
			}
		}
		if (lost != null) {
			slotLost(lost, settings, history);
			if (!lost.missing()) {
				try (ReplicationConnection rc = connections.openReplicationConnection()) {
					rc.dropReplicationSlot(slot, true);
				}
				logger.info("Dropped the invalidated replication slot '" + slot + "' (pglogrepl.slot.on-lost="
						+ SlotLoss.propertyValue(settings.getSlotLossPolicy()) + ")");
			}
		}
		// pglogrepl.slot.on-lost=recreate* asks for the re-creation of a lost slot, also with slot.create=never
		if (lost == null && settings.getSlotCreation() == SlotCreation.NEVER) {
			throw new ReplicationSetupException(
					"The replication slot '" + settings.getSlotName() + "' (pglogrepl.slot.name) does not exist.",
					"Create it with SELECT pg_create_logical_replication_slot('" + settings.getSlotName()
							+ "', 'pgoutput'); or set pglogrepl.slot.create=if-missing.");
		}
		if (!settings.isDropSlotOnShutdown()) {
			// before the slot exists: the marker's own insert is never streamed
			history.record(c);
		}
		try (ReplicationConnection rc = connections.openReplicationConnection()) {
			CreateReplicationSlotCommand create = CreateReplicationSlotCommand.logical(settings.getSlotName(), "pgoutput")
				.snapshot(SnapshotAction.NOTHING);
			if (settings.isSlotFailover()) {
				create.failover();
			}
			Lsn point = rc.createReplicationSlot(create).consistentPoint();
			if (lost != null) {
				lost.logRecreated(point, settings.getSlotLossPolicy());
			}
			else {
				logger.info("Created replication slot '" + settings.getSlotName() + "' at " + point
						+ (settings.isSlotFailover() ? " (FAILOVER: synchronised to standbys with sync_replication_slots = on)" : ""));
			}
			return new SlotSetup(point, lost);
		}
		catch (SQLException ex) {
			if ("42710".equals(ex.getSQLState())) {
				return new SlotSetup(null, null); // created concurrently by another instance
			}
			throw ex;
		}
	}

	/** A lost slot at startup: refused with {@code on-lost=fail}, else logged before it is created again. */
	private static void slotLost(SlotLoss lost, StreamContainerProperties settings, SlotHistory history) {
		String slot = settings.getSlotName();
		if (settings.getSlotLossPolicy() == SlotLossPolicy.FAIL) {
			throw new ReplicationSetupException("The replication slot '" + slot + "' (pglogrepl.slot.name) "
					+ lost.what() + (lost.missing() ? ", although this application streamed from it before (recorded in "
							+ history.quotedTable() + ")" : "")
					+ ": " + lost.lost() + ". It is not created again silently (pglogrepl.slot.on-lost=fail).",
					lost.waysOut(history.quotedTable()));
		}
		logger.error("The replication slot '" + slot + "' (pglogrepl.slot.name) " + lost.what() + ": " + lost.lost()
				+ ". pglogrepl.slot.on-lost=" + SlotLoss.propertyValue(settings.getSlotLossPolicy())
				+ ": creating it again at the server's current WAL position");
	}

	private static void checkSlotLossPolicy(StreamContainerProperties settings) {
		if (settings.getSlotLossPolicy() != SlotLossPolicy.RECREATE_AND_SNAPSHOT) {
			return;
		}
		if (!settings.getSnapshot().isEnabled() || settings.getStreaming() != StreamingMode.OFF) {
			throw new ReplicationSetupException("pglogrepl.slot.on-lost=recreate-and-snapshot needs snapshots: "
					+ "pglogrepl.snapshot.enabled=true and pglogrepl.pgoutput.streaming=off (is: snapshot.enabled="
					+ settings.getSnapshot().isEnabled() + ", streaming=" + settings.getStreaming().value() + ").",
					"Set pglogrepl.snapshot.enabled=true and pglogrepl.pgoutput.streaming=off, or choose "
							+ "pglogrepl.slot.on-lost=fail or recreate.");
		}
	}

	private static void checkFailover(StreamContainerProperties settings, int major) {
		if (!settings.isSlotFailover()) {
			return;
		}
		if (major < 17) {
			throw new ReplicationSetupException("pglogrepl.slot.failover=true needs PostgreSQL 17 or later (server: "
					+ major + "): failover slots, synchronised to standbys, came with PostgreSQL 17.",
					"Remove pglogrepl.slot.failover, or upgrade the server to PostgreSQL 17 or later. Before 17 a slot "
							+ "exists only on the primary: after a failover it has to be created again on the new primary "
							+ "and the tables read again.");
		}
		if (settings.isTemporarySlot()) {
			throw new ReplicationSetupException("pglogrepl.slot.failover=true with pglogrepl.slot.create=temporary: "
					+ "a temporary slot cannot be synchronised to standbys.",
					"Set pglogrepl.slot.create=if-missing (or never), or remove pglogrepl.slot.failover.");
		}
	}

	/** Switches an existing slot to a failover slot, if it is not one. */
	private static void enableFailover(ServerCatalog catalog, String slot, StreamConnectionFactory connections)
			throws SQLException {
		if (Boolean.TRUE.equals(catalog.slotFailover(slot))) {
			return;
		}
		try (ReplicationConnection rc = connections.openReplicationConnection()) {
			rc.alterReplicationSlotFailover(slot, true);
			logger.info("Replication slot '" + slot + "' is now a failover slot (ALTER_REPLICATION_SLOT " + slot
					+ " (FAILOVER true), pglogrepl.slot.failover=true): standbys with sync_replication_slots = on keep a copy");
		}
		catch (SQLException ex) {
			if ("55006".equals(ex.getSQLState())) {
				// another instance streams from it: it switches the slot itself when it starts with the same setting
				logger.warn("Replication slot '" + slot + "' is not a failover slot and could not be switched to one "
						+ "now: " + ex.getMessage() + ". It is switched when this instance starts while no other "
						+ "connection uses the slot; until then standbys keep no copy of it.");
				return;
			}
			throw new ReplicationSetupException("Switching replication slot '" + slot
					+ "' to a failover slot (pglogrepl.slot.failover=true) failed: " + ex.getMessage(),
					"Run ALTER_REPLICATION_SLOT " + slot + " (FAILOVER true) on a replication connection as a user with "
							+ "the REPLICATION attribute, or remove pglogrepl.slot.failover.",
					ex);
		}
	}

	private static void logFailoverReadiness(StreamContainerProperties settings, FailoverReadiness readiness) {
		String slot = settings.getSlotName();
		if (readiness.error() != null) {
			logger.warn("Failover slot '" + slot + "': " + readiness.error());
			return;
		}
		for (FailoverReadiness.Standby standby : readiness.standbys()) {
			logger.info("Failover slot '" + slot + "' on standby " + standby.host() + ": "
					+ (standby.failoverReady() ? "synchronised (failover_ready), confirmed_flush_lsn "
							+ standby.confirmedFlushLsn() : "not ready: " + standby.reason()));
		}
		if (readiness.warning() != null) {
			logger.warn("Failover slot '" + slot + "': " + readiness.warning());
		}
		else {
			logger.info("Failover slot '" + slot + "': the primary waits for standby slot(s) "
					+ readiness.synchronizedStandbySlots().stream().map(ServerCatalog.StandbySlot::name).toList()
					+ " (synchronized_standby_slots) before sending changes, so none is lost in a failover");
		}
	}

	private static PgOutputOptions pgoutput(StreamContainerProperties settings, int major) {
		int max = PgOutputOptions.maxProtoVersion(major);
		int version = (settings.getProtoVersion() != null) ? settings.getProtoVersion() : max;
		if (version > max) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.proto-version=" + version + " but PostgreSQL "
					+ major + " supports at most " + max + ".", "Set pglogrepl.pgoutput.proto-version to " + max
							+ " or lower, or remove it to use the highest supported.");
		}
		String streaming = settings.getStreaming().value();
		if ("parallel".equals(streaming) && version < 4) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.streaming=parallel needs protocol version 4 (PostgreSQL 16+).",
					"Set pglogrepl.pgoutput.streaming=on, or use PostgreSQL 16 or later.");
		}
		if ("on".equals(streaming) && version < 2) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.streaming=on needs protocol version 2 or later.",
					"Raise pglogrepl.pgoutput.proto-version or set pglogrepl.pgoutput.streaming=off.");
		}
		if (settings.getSnapshot().getMode() != io.github.pglogrepl.spring.snapshot.SnapshotMode.NEVER
				&& settings.getStreaming() != StreamingMode.OFF) {
			throw new ReplicationSetupException("pglogrepl.snapshot.mode=" + settings.getSnapshot().getMode().name()
					.toLowerCase(java.util.Locale.ROOT) + " needs pglogrepl.pgoutput.streaming=off: a transaction streamed "
					+ "before it commits cannot be merged with a snapshot chunk yet.",
					"Set pglogrepl.pgoutput.streaming=off, or pglogrepl.snapshot.mode=never.");
		}
		if (settings.getOrigin() != null && major < 16) {
			throw new ReplicationSetupException("pglogrepl.pgoutput.origin needs PostgreSQL 16 or later (server: " + major + ").",
					"Remove pglogrepl.pgoutput.origin.");
		}
		try {
			return PgOutputOptions.builder()
				.protoVersion(version)
				.publications(settings.getPublications())
				.binary(settings.isBinary())
				// snapshots' watermarks and outbox events are logical decoding messages
				.messages(settings.isMessages() || settings.getSnapshot().isEnabled() || settings.isOutboxEnabled())
				.streaming(streaming)
				.origin((settings.getOrigin() != null) ? settings.getOrigin().value() : null)
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new ReplicationSetupException("Invalid pglogrepl.pgoutput settings: " + ex.getMessage(),
					"Fix the pglogrepl.pgoutput.* properties.");
		}
	}

}
