package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Prepare ({@code 'P'}): prepared with {@code PREPARE TRANSACTION}; the changes since Begin Prepare are its content.
 *
 * <pre>
 * Byte1('P')
 * Int8   flags        unused (0)
 * Int64  prepareLsn
 * Int64  endLsn       end LSN of the prepared transaction
 * Int64  prepareTime  microseconds since 2000-01-01
 * Int32  xid
 * String gid          the global transaction identifier
 * </pre>
 *
 * @param flags unused flags
 * @param prepareLsn LSN of the prepare
 * @param endLsn end LSN of the prepared transaction
 * @param prepareTimeMicros prepare time, microseconds since 2000-01-01 UTC
 * @param xid transaction id
 * @param gid global transaction identifier
 */
public record PrepareMessage(int flags, Lsn prepareLsn, Lsn endLsn, long prepareTimeMicros, int xid, String gid)
		implements PgOutputMessage {

	static PrepareMessage parse(MessageReader r) {
		int flags = r.readUnsignedByte("flags");
		Lsn prepareLsn = Lsn.of(r.readInt64("prepareLsn"));
		Lsn endLsn = Lsn.of(r.readInt64("endLsn"));
		long time = r.readInt64("prepareTime");
		int xid = r.readInt32("xid");
		String gid = r.readCString("gid");
		r.expectEnd();
		return new PrepareMessage(flags, prepareLsn, endLsn, time, xid, gid);
	}

	/**
	 * @return the prepare time
	 */
	public Instant prepareTime() {
		return PgTimestamps.toInstant(this.prepareTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.PREPARE;
	}

	/**
	 * @return {@link #endLsn()}: acknowledging it tells the server this transaction was processed
	 */
	@Override
	public Lsn transactionEnd() {
		return this.endLsn;
	}

}
