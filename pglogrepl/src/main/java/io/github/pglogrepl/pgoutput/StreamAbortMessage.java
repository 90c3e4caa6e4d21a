package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Stream Abort ({@code 'A'}): a streamed (sub)transaction aborted; discard what was streamed for
 * {@code subXid} (the whole transaction when {@code subXid == xid}).
 *
 * <pre>
 * Byte1('A')
 * Int32 xid
 * Int32 subXid
 * Int64 abortLsn    (protocol version 4 with streaming 'parallel' only)
 * Int64 abortTime   (protocol version 4 with streaming 'parallel' only)
 * </pre>
 *
 * @param xid the top-level transaction
 * @param subXid the aborted subtransaction (equal to {@code xid} for the whole transaction)
 * @param abortLsn LSN of the abort, or {@link Lsn#INVALID} when not sent
 * @param abortTimeMicros abort time in microseconds since 2000-01-01 UTC, or 0 when not sent
 */
public record StreamAbortMessage(int xid, int subXid, Lsn abortLsn, long abortTimeMicros) implements PgOutputMessage {

	static StreamAbortMessage parse(MessageReader r) {
		int xid = r.readInt32("xid");
		int subXid = r.readInt32("subXid");
		Lsn abortLsn = Lsn.INVALID;
		long time = 0;
		if (r.remaining() > 0) {
			abortLsn = Lsn.of(r.readInt64("abortLsn"));
			time = r.readInt64("abortTime");
		}
		r.expectEnd();
		return new StreamAbortMessage(xid, subXid, abortLsn, time);
	}

	/**
	 * @return whether the abort LSN and time were sent (protocol 4, parallel streaming)
	 */
	public boolean hasAbortPosition() {
		return this.abortLsn.isValid();
	}

	/**
	 * @return the abort time, or {@code null} when not sent
	 */
	public Instant abortTime() {
		return hasAbortPosition() ? PgTimestamps.toInstant(this.abortTimeMicros) : null;
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.STREAM_ABORT;
	}

}
