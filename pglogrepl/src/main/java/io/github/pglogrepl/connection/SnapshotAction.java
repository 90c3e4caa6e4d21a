package io.github.pglogrepl.connection;

/**
 * What {@code CREATE_REPLICATION_SLOT ... LOGICAL} does with the snapshot at the slot's consistent point.
 */
public enum SnapshotAction {

	/** Export the snapshot so other sessions can import it until the next command on this connection. */
	EXPORT("export", "EXPORT_SNAPSHOT"),

	/** Use the snapshot for the current transaction of this connection (must be inside a transaction). */
	USE("use", "USE_SNAPSHOT"),

	/** Do nothing with the snapshot. */
	NOTHING("nothing", "NOEXPORT_SNAPSHOT");

	private final String optionValue;

	private final String legacyKeyword;

	SnapshotAction(String optionValue, String legacyKeyword) {
		this.optionValue = optionValue;
		this.legacyKeyword = legacyKeyword;
	}

	String optionValue() {
		return this.optionValue;
	}

	String legacyKeyword() {
		return this.legacyKeyword;
	}

}
