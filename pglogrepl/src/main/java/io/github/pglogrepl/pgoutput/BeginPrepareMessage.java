package io.github.pglogrepl.pgoutput;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.PgTimestamps;

/**
 * Begin Prepare ({@code 'b'}, protocol version 3+ on a two-phase slot): start of a transaction that was
 * prepared with {@code PREPARE TRANSACTION}.
 *
 * <pre>
 * Byte1('b')
 * Int64  prepareLsn
 * Int64  endLsn       end LSN of the prepared transaction
 * Int64  prepareTime  microseconds since 2000-01-01
 * Int32  xid
 * String gid          the global transaction identifier
 * </pre>
 *
 * @param prepareLsn LSN of the prepare
 * @param endLsn end LSN of the prepared transaction
 * @param prepareTimeMicros prepare time, microseconds since 2000-01-01 UTC
 * @param xid transaction id
 * @param gid global transaction identifier
 */
public record BeginPrepareMessage(Lsn prepareLsn, Lsn endLsn, long prepareTimeMicros, int xid, String gid)
		implements PgOutputMessage {

	static BeginPrepareMessage parse(MessageReader r) {
		Lsn prepareLsn = Lsn.of(r.readInt64("prepareLsn"));
		Lsn endLsn = Lsn.of(r.readInt64("endLsn"));
		long time = r.readInt64("prepareTime");
		int xid = r.readInt32("xid");
		String gid = r.readCString("gid");
		r.expectEnd();
		return new BeginPrepareMessage(prepareLsn, endLsn, time, xid, gid);
	}

	/**
	 * @return the prepare time
	 */
	public Instant prepareTime() {
		return PgTimestamps.toInstant(this.prepareTimeMicros);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.BEGIN_PREPARE;
	}

}
