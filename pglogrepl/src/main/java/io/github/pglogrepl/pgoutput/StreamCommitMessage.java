package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Stream Commit ({@code 'c'}): a streamed transaction committed; everything streamed for {@code xid} (minus
 * aborted subtransactions) is now committed.
 *
 * <pre>
 * Byte1('c')
 * Int32 xid
 * Int8  flags       unused (0)
 * Int64 commitLsn
 * Int64 endLsn
 * Int64 commitTime  microseconds since 2000-01-01
 * </pre>
 *
 * @param xid the transaction
 * @param flags unused flags
 * @param commitLsn LSN of the commit record
 * @param endLsn end LSN of the transaction
 * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC
 */
public record StreamCommitMessage(int xid, int flags, Lsn commitLsn, Lsn endLsn, long commitTimeMicros)
		implements PgOutputMessage {

	static StreamCommitMessage parse(MessageReader r) {
		int xid = r.readInt32("xid");
		int flags = r.readUnsignedByte("flags");
		Lsn commitLsn = Lsn.of(r.readInt64("commitLsn"));
		Lsn endLsn = Lsn.of(r.readInt64("endLsn"));
		long time = r.readInt64("commitTime");
		r.expectEnd();
		return new StreamCommitMessage(xid, flags, commitLsn, endLsn, time);
	}

	/**
	 * @return the commit time
	 */
	public Instant commitTime() {
		return PgTimestamps.toInstant(this.commitTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.STREAM_COMMIT;
	}

	/**
	 * @return {@link #endLsn()}: acknowledging it tells the server this transaction was processed
	 */
	@Override
	public Lsn transactionEnd() {
		return this.endLsn;
	}

}
