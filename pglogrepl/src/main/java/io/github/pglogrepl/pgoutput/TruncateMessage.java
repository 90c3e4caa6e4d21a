package io.github.pglogrepl.pgoutput;

import java.util.List;

/**
 * Truncate ({@code 'T'}).
 *
 * <pre>
 * Byte1('T')
 * Int32 xid            (only inside a streamed transaction)
 * Int32 relationCount
 * Int8  options        bit 1: CASCADE, bit 2: RESTART IDENTITY
 * Int32 relationId     × relationCount
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param options the option bits
 * @param relations the truncated tables, from the decoder's relation cache
 */
public record TruncateMessage(int xid, int options, List<RelationMessage> relations) implements PgOutputMessage {

	/** Option bit for {@code TRUNCATE ... CASCADE}. */
	public static final int CASCADE = 1;

	/** Option bit for {@code TRUNCATE ... RESTART IDENTITY}. */
	public static final int RESTART_IDENTITY = 2;

	/**
	 * Creates a message.
	 * @param xid transaction id when streamed, otherwise 0
	 * @param options option bits
	 * @param relations truncated tables
	 */
	public TruncateMessage {
		relations = List.copyOf(relations);
	}

	/**
	 * @return whether {@code CASCADE} was given
	 */
	public boolean cascade() {
		return (this.options & CASCADE) != 0;
	}

	/**
	 * @return whether {@code RESTART IDENTITY} was given
	 */
	public boolean restartIdentity() {
		return (this.options & RESTART_IDENTITY) != 0;
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.TRUNCATE;
	}

}
