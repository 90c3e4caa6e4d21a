package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Begin ({@code 'B'}): start of a transaction.
 *
 * <pre>
 * Byte1('B')
 * Int64 finalLsn    the final LSN of the transaction (its commit record)
 * Int64 commitTime  commit timestamp, microseconds since 2000-01-01
 * Int32 xid         transaction id
 * </pre>
 *
 * @param finalLsn LSN of the transaction's commit record
 * @param commitTimeMicros commit time, microseconds since 2000-01-01 UTC
 * @param xid transaction id
 */
public record BeginMessage(Lsn finalLsn, long commitTimeMicros, int xid) implements PgOutputMessage {

	static BeginMessage parse(MessageReader r) {
		Lsn finalLsn = Lsn.of(r.readInt64("finalLsn"));
		long time = r.readInt64("commitTime");
		int xid = r.readInt32("xid");
		r.expectEnd();
		return new BeginMessage(finalLsn, time, xid);
	}

	/**
	 * @return the commit time
	 */
	public Instant commitTime() {
		return PgTimestamps.toInstant(this.commitTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.BEGIN;
	}

}
