package io.github.pglogrepl.pgoutput;

/**
 * The kinds of {@code pgoutput} message: the type byte the server sends, a lower-case name for logs and
 * meters, and the part each kind plays in a transaction. A message knows its kind
 * ({@link PgOutputMessage#messageType()}), so no other code lists the kinds again.
 *
 * <p>The type bytes are those of PostgreSQL's "Logical Replication Message Formats" (protocol versions 1 to 4).
 */
public enum PgOutputMessageType {

	/** Begin ({@code 'B'}): a transaction starts. */
	BEGIN('B', "begin", Role.BEGINS),
	/** Commit ({@code 'C'}): a transaction ends. */
	COMMIT('C', "commit", Role.ENDS),
	/** Origin ({@code 'O'}): the transaction was replicated from another origin. */
	ORIGIN('O', "origin", Role.NONE),
	/** Relation ({@code 'R'}): describes a table. */
	RELATION('R', "relation", Role.NONE),
	/** Type ({@code 'Y'}): describes a user-defined type. */
	TYPE('Y', "type", Role.NONE),
	/** Insert ({@code 'I'}). */
	INSERT('I', "insert", Role.NONE),
	/** Update ({@code 'U'}). */
	UPDATE('U', "update", Role.NONE),
	/** Delete ({@code 'D'}). */
	DELETE('D', "delete", Role.NONE),
	/** Truncate ({@code 'T'}). */
	TRUNCATE('T', "truncate", Role.NONE),
	/** Logical decoding message ({@code 'M'}), from {@code pg_logical_emit_message}. */
	MESSAGE('M', "message", Role.NONE),
	/** Stream Start ({@code 'S'}): a block of a streamed (in-progress) transaction starts. */
	STREAM_START('S', "stream_start", Role.NONE),
	/** Stream Stop ({@code 'E'}): a block of a streamed transaction ends. */
	STREAM_STOP('E', "stream_stop", Role.NONE),
	/** Stream Commit ({@code 'c'}): a streamed transaction committed. */
	STREAM_COMMIT('c', "stream_commit", Role.ENDS),
	/** Stream Abort ({@code 'A'}): a streamed (sub)transaction aborted. */
	STREAM_ABORT('A', "stream_abort", Role.NONE),
	/** Begin Prepare ({@code 'b'}): a two-phase transaction's prepared part starts. */
	BEGIN_PREPARE('b', "begin_prepare", Role.BEGINS),
	/** Prepare ({@code 'P'}): a two-phase transaction was prepared. */
	PREPARE('P', "prepare", Role.ENDS),
	/** Commit Prepared ({@code 'K'}). */
	COMMIT_PREPARED('K', "commit_prepared", Role.ENDS),
	/** Rollback Prepared ({@code 'r'}). */
	ROLLBACK_PREPARED('r', "rollback_prepared", Role.ENDS),
	/** Stream Prepare ({@code 'p'}): a streamed two-phase transaction was prepared. */
	STREAM_PREPARE('p', "stream_prepare", Role.ENDS);

	/** What a message of a kind does to the transaction it belongs to. */
	private enum Role {

		BEGINS, ENDS, NONE

	}

	private static final PgOutputMessageType[] BY_CODE = new PgOutputMessageType[128];

	static {
		for (PgOutputMessageType type : values()) {
			BY_CODE[type.code] = type;
		}
	}

	private final char code;

	private final String typeName;

	private final Role role;

	PgOutputMessageType(char code, String typeName, Role role) {
		this.code = code;
		this.typeName = typeName;
		this.role = role;
	}

	/**
	 * @return the type byte as sent by the server, e.g. {@code 'I'}
	 */
	public char code() {
		return this.code;
	}

	/**
	 * @return the lower-case name used in logs and meter tags, e.g. {@code "stream_commit"}
	 */
	public String typeName() {
		return this.typeName;
	}

	/**
	 * @return whether a message of this kind opens a transaction whose changes follow ({@code BEGIN},
	 * {@code BEGIN_PREPARE})
	 */
	public boolean beginsTransaction() {
		return this.role == Role.BEGINS;
	}

	/**
	 * @return whether a message of this kind ends a transaction, so that its end LSN
	 * ({@link PgOutputMessage#transactionEnd()}) can be acknowledged once it was processed
	 */
	public boolean endsTransaction() {
		return this.role == Role.ENDS;
	}

	/**
	 * @param code a type byte
	 * @return its kind, or {@code null} for a byte that is no pgoutput message type
	 */
	public static PgOutputMessageType of(char code) {
		return (code < BY_CODE.length) ? BY_CODE[code] : null;
	}

	@Override
	public String toString() {
		return this.typeName;
	}

}
