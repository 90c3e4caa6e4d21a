package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Commit ({@code 'C'}): end of a transaction. Acknowledging {@link #endLsn()} as flushed tells the server that
 * the whole transaction was processed.
 *
 * <pre>
 * Byte1('C')
 * Int8  flags       currently unused (0)
 * Int64 commitLsn   LSN of the commit record
 * Int64 endLsn      end LSN of the transaction
 * Int64 commitTime  commit timestamp, microseconds since 2000-01-01
 * </pre>
 *
 * @param flags the flags byte (unused, 0)
 * @param commitLsn LSN of the commit record
 * @param endLsn end LSN of the transaction
 * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC
 */
public record CommitMessage(int flags, Lsn commitLsn, Lsn endLsn, long commitTimeMicros) implements PgOutputMessage {

	static CommitMessage parse(MessageReader r) {
		int flags = r.readUnsignedByte("flags");
		Lsn commitLsn = Lsn.of(r.readInt64("commitLsn"));
		Lsn endLsn = Lsn.of(r.readInt64("endLsn"));
		long time = r.readInt64("commitTime");
		r.expectEnd();
		return new CommitMessage(flags, commitLsn, endLsn, time);
	}

	/**
	 * @return the commit time
	 */
	public Instant commitTime() {
		return PgTimestamps.toInstant(this.commitTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.COMMIT;
	}

	/**
	 * @return {@link #endLsn()}: acknowledging it tells the server this transaction was processed
	 */
	@Override
	public Lsn transactionEnd() {
		return this.endLsn;
	}

}
