package io.github.pglogrepl.pgoutput;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;

/**
 * Origin ({@code 'O'}): the transaction was replicated into this server from the named replication origin.
 *
 * <pre>
 * Byte1('O')
 * Int64  commitLsn  LSN of the commit on the origin server
 * String name       name of the origin
 * </pre>
 *
 * @param commitLsn commit LSN on the origin server
 * @param name origin name
 */
public record OriginMessage(Lsn commitLsn, String name) implements PgOutputMessage {

	static OriginMessage parse(MessageReader r) {
		Lsn lsn = Lsn.of(r.readInt64("commitLsn"));
		String name = r.readCString("name");
		r.expectEnd();
		return new OriginMessage(lsn, name);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.ORIGIN;
	}

}
