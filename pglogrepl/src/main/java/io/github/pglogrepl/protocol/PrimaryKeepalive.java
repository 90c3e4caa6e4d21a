package io.github.pglogrepl.protocol;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.github.pglogrepl.Lsn;

/**
 * Primary keepalive message ({@code 'k'}).
 *
 * <pre>
 * Byte1('k')
 * Int64 serverWalEnd    the current end of WAL on the server
 * Int64 serverTime      the server's clock, microseconds since 2000-01-01
 * Byte1 replyRequested  1 if the client should reply with a status update as soon as possible
 * </pre>
 *
 * @param serverWalEnd current end of WAL on the server
 * @param serverTimeMicros the server's clock, microseconds since 2000-01-01 UTC
 * @param replyRequested whether the server asks for an immediate standby status update
 */
public record PrimaryKeepalive(Lsn serverWalEnd, long serverTimeMicros, boolean replyRequested)
		implements ReplicationMessage {

	/** The message type byte. */
	public static final byte TYPE = 'k';

	/** Length of the message including the type byte. */
	public static final int LENGTH = 18;

	static PrimaryKeepalive parse(byte[] buf, int offset, int length) {
		MessageReader r = new MessageReader(buf, offset, length, 'k');
		r.skip(1, "type");
		long walEnd = r.readInt64("serverWalEnd");
		long time = r.readInt64("serverTime");
		int reply = r.readUnsignedByte("replyRequested");
		if (reply > 1) {
			throw new ProtocolException('k', 17, "replyRequested must be 0 or 1, was " + reply);
		}
		r.expectEnd();
		return new PrimaryKeepalive(Lsn.of(walEnd), time, reply == 1);
	}

	/**
	 * @return the server's clock when the message was sent
	 */
	public Instant serverTime() {
		return PgTimestamps.toInstant(this.serverTimeMicros);
	}

	/**
	 * Encodes this message into its wire form (for tests and tools that replay captures).
	 * @return the 18 bytes
	 */
	public byte[] encode() {
		return ByteBuffer.allocate(LENGTH).put(TYPE).putLong(this.serverWalEnd.asLong()).putLong(this.serverTimeMicros)
				.put((byte) (this.replyRequested ? 1 : 0)).array();
	}

}
