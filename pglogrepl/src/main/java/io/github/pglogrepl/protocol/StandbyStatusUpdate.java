package io.github.pglogrepl.protocol;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.github.pglogrepl.Lsn;

/**
 * Standby status update ({@code 'r'}), sent by the client to report progress. For logical replication the
 * flush position is what the server keeps in the slot's {@code confirmed_flush_lsn}: WAL before it may be
 * recycled and will not be sent again.
 *
 * <pre>
 * Byte1('r')
 * Int64 writeLsn        last WAL byte + 1 received and written
 * Int64 flushLsn        last WAL byte + 1 flushed (durably processed)
 * Int64 applyLsn        last WAL byte + 1 applied
 * Int64 clientTime      the client's clock, microseconds since 2000-01-01
 * Byte1 replyRequested  1 if the client asks the server to reply immediately
 * </pre>
 *
 * @param writeLsn last WAL position received
 * @param flushLsn last WAL position durably processed
 * @param applyLsn last WAL position applied
 * @param clientTimeMicros the client's clock, microseconds since 2000-01-01 UTC
 * @param replyRequested whether the server should reply with a keepalive at once
 */
public record StandbyStatusUpdate(Lsn writeLsn, Lsn flushLsn, Lsn applyLsn, long clientTimeMicros,
		boolean replyRequested) {

	/** The message type byte. */
	public static final byte TYPE = 'r';

	/** Length of the message including the type byte. */
	public static final int LENGTH = 34;

	/**
	 * Creates an update reporting the same position for write, flush and apply, stamped now.
	 * @param lsn the position
	 * @return the update
	 */
	public static StandbyStatusUpdate of(Lsn lsn) {
		return new StandbyStatusUpdate(lsn, lsn, lsn, PgTimestamps.nowPgMicros(), false);
	}

	/**
	 * @return the client time as an instant
	 */
	public Instant clientTime() {
		return PgTimestamps.toInstant(this.clientTimeMicros);
	}

	/**
	 * @return the 34-byte wire form
	 */
	public byte[] encode() {
		return ByteBuffer.allocate(LENGTH).put(TYPE).putLong(this.writeLsn.asLong()).putLong(this.flushLsn.asLong())
				.putLong(this.applyLsn.asLong()).putLong(this.clientTimeMicros).put((byte) (this.replyRequested ? 1 : 0))
				.array();
	}

	/**
	 * Parses the wire form (useful for tests and proxies).
	 * @param buf the bytes
	 * @return the update
	 * @throws ProtocolException if the bytes are not a status update
	 */
	public static StandbyStatusUpdate parse(byte[] buf) {
		MessageReader r = new MessageReader(buf, 0, (buf != null) ? buf.length : 0, 'r');
		int type = r.readUnsignedByte("type");
		if (type != TYPE) {
			throw new ProtocolException((char) type, 0, "not a standby status update");
		}
		Lsn write = Lsn.of(r.readInt64("writeLsn"));
		Lsn flush = Lsn.of(r.readInt64("flushLsn"));
		Lsn apply = Lsn.of(r.readInt64("applyLsn"));
		long time = r.readInt64("clientTime");
		int reply = r.readUnsignedByte("replyRequested");
		r.expectEnd();
		return new StandbyStatusUpdate(write, flush, apply, time, reply != 0);
	}

}
