package io.github.pglogrepl.connection;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputOptions;

/**
 * The {@code START_REPLICATION} command, logical (with output plugin options) or physical (with timeline).
 *
 * <pre>{@code
 * START_REPLICATION SLOT "slot" LOGICAL 0/0 ("proto_version" '4', "publication_names" '"pub"')
 * START_REPLICATION SLOT "slot" PHYSICAL 0/3000000 TIMELINE 1
 * }</pre>
 */
public final class StartReplicationCommand {

	private final String slotName;

	private final boolean logical;

	private final Lsn startLsn;

	private final Map<String, String> options = new LinkedHashMap<>();

	private int timeline;

	private StartReplicationCommand(String slotName, boolean logical, Lsn startLsn) {
		this.slotName = slotName;
		this.logical = logical;
		this.startLsn = (startLsn != null) ? startLsn : Lsn.INVALID;
	}

	/**
	 * @param slotName the logical slot
	 * @param startLsn where to start; {@link Lsn#INVALID} (0/0) starts at the slot's confirmed position
	 * @return a logical replication command
	 */
	public static StartReplicationCommand logical(String slotName, Lsn startLsn) {
		return new StartReplicationCommand(Identifiers.validateSlotName(slotName), true, startLsn);
	}

	/**
	 * @param slotName a physical slot, or {@code null} to stream without a slot
	 * @param startLsn where to start
	 * @return a physical replication command
	 */
	public static StartReplicationCommand physical(String slotName, Lsn startLsn) {
		return new StartReplicationCommand((slotName != null) ? Identifiers.validateSlotName(slotName) : null, false,
				startLsn);
	}

	/**
	 * Adds an output plugin option (logical only).
	 * @param name option name
	 * @param value option value, or {@code null} for an option without a value
	 * @return this command
	 */
	public StartReplicationCommand option(String name, String value) {
		if (!this.logical) {
			throw new IllegalStateException("Plugin options apply to logical replication only");
		}
		Identifiers.quoteIdentifier(name);
		if (value != null) {
			Identifiers.quoteLiteral(value);
		}
		this.options.put(name, value);
		return this;
	}

	/**
	 * Adds the options of the {@code pgoutput} plugin.
	 * @param pgoutput the options
	 * @return this command
	 */
	public StartReplicationCommand pgoutput(PgOutputOptions pgoutput) {
		pgoutput.toMap().forEach(this::option);
		return this;
	}

	/**
	 * Sets the timeline to stream from (physical only).
	 * @param timeline the timeline id, or 0 for the current one
	 * @return this command
	 */
	public StartReplicationCommand timeline(int timeline) {
		if (this.logical) {
			throw new IllegalStateException("TIMELINE applies to physical replication only");
		}
		this.timeline = timeline;
		return this;
	}

	/**
	 * @return whether this is logical replication
	 */
	public boolean isLogical() {
		return this.logical;
	}

	/**
	 * @return the slot, or {@code null}
	 */
	public String slotName() {
		return this.slotName;
	}

	/**
	 * @return the start position
	 */
	public Lsn startLsn() {
		return this.startLsn;
	}

	/**
	 * @return the command text
	 */
	public String toSql() {
		StringBuilder sql = new StringBuilder("START_REPLICATION");
		if (this.slotName != null) {
			sql.append(" SLOT ").append(Identifiers.quoteIdentifier(this.slotName));
		}
		sql.append(this.logical ? " LOGICAL " : " PHYSICAL ").append(this.startLsn);
		if (this.logical && !this.options.isEmpty()) {
			sql.append(" (");
			boolean first = true;
			for (Map.Entry<String, String> option : this.options.entrySet()) {
				if (!first) {
					sql.append(", ");
				}
				first = false;
				sql.append(Identifiers.quoteIdentifier(option.getKey()));
				if (option.getValue() != null) {
					sql.append(' ').append(Identifiers.quoteLiteral(option.getValue()));
				}
			}
			sql.append(')');
		}
		if (!this.logical && this.timeline > 0) {
			sql.append(" TIMELINE ").append(this.timeline);
		}
		return sql.toString();
	}

}
