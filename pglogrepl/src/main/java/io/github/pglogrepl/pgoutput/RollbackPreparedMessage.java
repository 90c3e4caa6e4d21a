package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Rollback Prepared ({@code 'r'}, protocol version 3+): {@code ROLLBACK PREPARED} of a transaction sent earlier.
 *
 * <pre>
 * Byte1('r')
 * Int8   flags          unused (0)
 * Int64  preparedEndLsn end LSN of the prepared transaction
 * Int64  rollbackEndLsn end LSN of the rollback prepared transaction
 * Int64  prepareTime    microseconds since 2000-01-01
 * Int64  rollbackTime   microseconds since 2000-01-01
 * Int32  xid
 * String gid
 * </pre>
 *
 * @param flags unused flags
 * @param preparedEndLsn end LSN of the prepared transaction
 * @param rollbackEndLsn end LSN of the rollback prepared transaction
 * @param prepareTimeMicros prepare time, microseconds since 2000-01-01 UTC
 * @param rollbackTimeMicros rollback time, microseconds since 2000-01-01 UTC
 * @param xid transaction id
 * @param gid global transaction identifier
 */
public record RollbackPreparedMessage(int flags, Lsn preparedEndLsn, Lsn rollbackEndLsn, long prepareTimeMicros,
		long rollbackTimeMicros, int xid, String gid) implements PgOutputMessage {

	static RollbackPreparedMessage parse(MessageReader r) {
		int flags = r.readUnsignedByte("flags");
		Lsn preparedEnd = Lsn.of(r.readInt64("preparedEndLsn"));
		Lsn rollbackEnd = Lsn.of(r.readInt64("rollbackEndLsn"));
		long prepareTime = r.readInt64("prepareTime");
		long rollbackTime = r.readInt64("rollbackTime");
		int xid = r.readInt32("xid");
		String gid = r.readCString("gid");
		r.expectEnd();
		return new RollbackPreparedMessage(flags, preparedEnd, rollbackEnd, prepareTime, rollbackTime, xid, gid);
	}

	/**
	 * @return the rollback time
	 */
	public Instant rollbackTime() {
		return PgTimestamps.toInstant(this.rollbackTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.ROLLBACK_PREPARED;
	}

	/**
	 * @return {@link #rollbackEndLsn()}: acknowledging it tells the server this transaction was processed
	 */
	@Override
	public Lsn transactionEnd() {
		return this.rollbackEndLsn;
	}

}
