package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Commit Prepared ({@code 'K'}, protocol version 3+): {@code COMMIT PREPARED} of a transaction sent earlier.
 *
 * <pre>
 * Byte1('K')
 * Int8   flags       unused (0)
 * Int64  commitLsn   LSN of the commit prepared
 * Int64  endLsn      end LSN of the commit prepared transaction
 * Int64  commitTime  microseconds since 2000-01-01
 * Int32  xid
 * String gid
 * </pre>
 *
 * @param flags unused flags
 * @param commitLsn LSN of the commit prepared
 * @param endLsn end LSN of the commit prepared transaction
 * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC
 * @param xid transaction id
 * @param gid global transaction identifier
 */
public record CommitPreparedMessage(int flags, Lsn commitLsn, Lsn endLsn, long commitTimeMicros, int xid, String gid)
		implements PgOutputMessage {

	static CommitPreparedMessage parse(MessageReader r) {
		int flags = r.readUnsignedByte("flags");
		Lsn commitLsn = Lsn.of(r.readInt64("commitLsn"));
		Lsn endLsn = Lsn.of(r.readInt64("endLsn"));
		long time = r.readInt64("commitTime");
		int xid = r.readInt32("xid");
		String gid = r.readCString("gid");
		r.expectEnd();
		return new CommitPreparedMessage(flags, commitLsn, endLsn, time, xid, gid);
	}

	/**
	 * @return the commit time
	 */
	public Instant commitTime() {
		return PgTimestamps.toInstant(this.commitTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.COMMIT_PREPARED;
	}

	/**
	 * @return {@link #endLsn()}: acknowledging it tells the server this transaction was processed
	 */
	@Override
	public Lsn transactionEnd() {
		return this.endLsn;
	}

}
