package io.github.pglogrepl.connection;

/**
 * The {@code CREATE_REPLICATION_SLOT} command, built fluently and rendered for the server version:
 * PostgreSQL 15+ gets the option-list syntax, 14 the legacy keyword syntax.
 *
 * <pre>{@code
 * CreateReplicationSlotCommand.logical("my_slot", "pgoutput").temporary().snapshot(SnapshotAction.NOTHING)
 * }</pre>
 */
public final class CreateReplicationSlotCommand {

	private final String slotName;

	private final String plugin;

	private boolean temporary;

	private SnapshotAction snapshot;

	private boolean twoPhase;

	private boolean reserveWal;

	private boolean failover;

	private CreateReplicationSlotCommand(String slotName, String plugin) {
		this.slotName = Identifiers.validateSlotName(slotName);
		this.plugin = plugin;
	}

	/**
	 * @param slotName slot name (lower-case letters, digits, underscores)
	 * @param plugin the output plugin, e.g. {@code pgoutput}
	 * @return a command creating a logical slot
	 */
	public static CreateReplicationSlotCommand logical(String slotName, String plugin) {
		if (plugin == null || plugin.isEmpty()) {
			throw new IllegalArgumentException("Output plugin must not be empty");
		}
		return new CreateReplicationSlotCommand(slotName, plugin);
	}

	/**
	 * @param slotName slot name (lower-case letters, digits, underscores)
	 * @return a command creating a physical slot
	 */
	public static CreateReplicationSlotCommand physical(String slotName) {
		return new CreateReplicationSlotCommand(slotName, null);
	}

	/**
	 * Makes the slot temporary: it is dropped when this connection ends.
	 * @return this command
	 */
	public CreateReplicationSlotCommand temporary() {
		this.temporary = true;
		return this;
	}

	/**
	 * @param action what to do with the snapshot (logical slots only)
	 * @return this command
	 */
	public CreateReplicationSlotCommand snapshot(SnapshotAction action) {
		requireLogical("SNAPSHOT");
		this.snapshot = action;
		return this;
	}

	/**
	 * Enables decoding of prepared transactions (logical slots only, PostgreSQL 15+ through this command).
	 * @return this command
	 */
	public CreateReplicationSlotCommand twoPhase() {
		requireLogical("TWO_PHASE");
		this.twoPhase = true;
		return this;
	}

	/**
	 * Makes the slot reserve WAL immediately (physical slots only).
	 * @return this command
	 */
	public CreateReplicationSlotCommand reserveWal() {
		if (this.plugin != null) {
			throw new IllegalStateException("RESERVE_WAL applies to physical slots only");
		}
		this.reserveWal = true;
		return this;
	}

	/**
	 * Enables synchronisation of the slot to standbys (logical slots only, PostgreSQL 17+).
	 * @return this command
	 */
	public CreateReplicationSlotCommand failover() {
		requireLogical("FAILOVER");
		this.failover = true;
		return this;
	}

	private void requireLogical(String option) {
		if (this.plugin == null) {
			throw new IllegalStateException(option + " applies to logical slots only");
		}
	}

	/**
	 * @return the slot name
	 */
	public String slotName() {
		return this.slotName;
	}

	/**
	 * Renders the command text.
	 * @param serverMajorVersion the server's major version, e.g. 18
	 * @return the command
	 * @throws UnsupportedFeatureException if an option needs a newer server
	 */
	public String toSql(int serverMajorVersion) {
		if (this.failover && serverMajorVersion < 17) {
			throw new UnsupportedFeatureException("FAILOVER slots", 17, serverMajorVersion);
		}
		if (this.twoPhase && serverMajorVersion < 15) {
			throw new UnsupportedFeatureException("TWO_PHASE in CREATE_REPLICATION_SLOT", 15, serverMajorVersion);
		}
		StringBuilder sql = new StringBuilder("CREATE_REPLICATION_SLOT ")
			.append(Identifiers.quoteIdentifier(this.slotName));
		if (this.temporary) {
			sql.append(" TEMPORARY");
		}
		if (this.plugin == null) {
			sql.append(" PHYSICAL");
		}
		else {
			sql.append(" LOGICAL ").append(Identifiers.quoteIdentifier(this.plugin));
		}
		if (serverMajorVersion >= 15) {
			StringBuilder options = new StringBuilder();
			if (this.snapshot != null) {
				options.append("SNAPSHOT ").append(Identifiers.quoteLiteral(this.snapshot.optionValue()));
			}
			appendFlag(options, this.twoPhase, "TWO_PHASE");
			appendFlag(options, this.reserveWal, "RESERVE_WAL");
			appendFlag(options, this.failover, "FAILOVER");
			if (options.length() > 0) {
				sql.append(" (").append(options).append(')');
			}
		}
		else {
			if (this.reserveWal) {
				sql.append(" RESERVE_WAL");
			}
			if (this.snapshot != null) {
				sql.append(' ').append(this.snapshot.legacyKeyword());
			}
		}
		return sql.toString();
	}

	private static void appendFlag(StringBuilder options, boolean flag, String name) {
		if (flag) {
			if (options.length() > 0) {
				options.append(", ");
			}
			options.append(name);
		}
	}

}
