package io.github.pglogrepl.protocol;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import io.github.pglogrepl.Lsn;

/**
 * XLogData ({@code 'w'}): a chunk of WAL data, for logical replication one message of the output plugin.
 *
 * <pre>
 * Byte1('w')
 * Int64  walStart      the starting point of the WAL data in this message
 * Int64  serverWalEnd  the current end of WAL on the server
 * Int64  serverTime    the server's system clock at the time of transmission, microseconds since 2000-01-01
 * Byte_n data          a section of the WAL data stream (the output plugin's message)
 * </pre>
 *
 * The data is not copied: this object refers to the array it was parsed from.
 */
public final class XLogData implements ReplicationMessage {

	/** The message type byte. */
	public static final byte TYPE = 'w';

	/** Length of the header before the data. */
	public static final int HEADER_LENGTH = 25;

	private final long walStart;

	private final long serverWalEnd;

	private final long serverTimeMicros;

	private final byte[] buffer;

	private final int dataOffset;

	private final int dataLength;

	/**
	 * Creates a message.
	 * @param walStart start of the WAL data
	 * @param serverWalEnd end of WAL on the server
	 * @param serverTimeMicros server clock, microseconds since 2000-01-01 UTC
	 * @param buffer array holding the data (not copied)
	 * @param dataOffset first data byte in {@code buffer}
	 * @param dataLength number of data bytes
	 */
	public XLogData(long walStart, long serverWalEnd, long serverTimeMicros, byte[] buffer, int dataOffset,
			int dataLength) {
		if (dataOffset < 0 || dataLength < 0 || dataOffset > buffer.length - dataLength) {
			throw new IllegalArgumentException("data bounds outside buffer");
		}
		this.walStart = walStart;
		this.serverWalEnd = serverWalEnd;
		this.serverTimeMicros = serverTimeMicros;
		this.buffer = buffer;
		this.dataOffset = dataOffset;
		this.dataLength = dataLength;
	}

	static XLogData parse(byte[] buf, int offset, int length) {
		MessageReader r = new MessageReader(buf, offset, length, 'w');
		r.skip(1, "type");
		long walStart = r.readInt64("walStart");
		long walEnd = r.readInt64("serverWalEnd");
		long time = r.readInt64("serverTime");
		return new XLogData(walStart, walEnd, time, buf, r.position(), r.remaining());
	}

	/**
	 * @return the WAL position of the start of the data
	 */
	public Lsn walStart() {
		return Lsn.of(this.walStart);
	}

	/**
	 * @return the current end of WAL on the server when the message was sent
	 */
	public Lsn serverWalEnd() {
		return Lsn.of(this.serverWalEnd);
	}

	/**
	 * @return the server's clock when the message was sent
	 */
	public Instant serverTime() {
		return PgTimestamps.toInstant(this.serverTimeMicros);
	}

	/**
	 * @return the server's clock when the message was sent, microseconds since 2000-01-01 UTC
	 */
	public long serverTimeMicros() {
		return this.serverTimeMicros;
	}

	/**
	 * @return the data as a read-only view (no copy)
	 */
	public ByteBuffer data() {
		return ByteBuffer.wrap(this.buffer, this.dataOffset, this.dataLength).slice().asReadOnlyBuffer();
	}

	/**
	 * @return a copy of the data
	 */
	public byte[] dataBytes() {
		return Arrays.copyOfRange(this.buffer, this.dataOffset, this.dataOffset + this.dataLength);
	}

	/**
	 * @return the array holding the data; the data starts at {@link #dataOffset()}. Do not modify it.
	 */
	public byte[] buffer() {
		return this.buffer;
	}

	/**
	 * @return index of the first data byte in {@link #buffer()}
	 */
	public int dataOffset() {
		return this.dataOffset;
	}

	/**
	 * @return number of data bytes
	 */
	public int dataLength() {
		return this.dataLength;
	}

	/**
	 * Encodes this message into its wire form (for tests and tools that replay captures).
	 * @return the bytes, starting with the type byte
	 */
	public byte[] encode() {
		ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + this.dataLength);
		out.put(TYPE).putLong(this.walStart).putLong(this.serverWalEnd).putLong(this.serverTimeMicros);
		out.put(this.buffer, this.dataOffset, this.dataLength);
		return out.array();
	}

	@Override
	public String toString() {
		return "XLogData[walStart=" + walStart() + ", serverWalEnd=" + serverWalEnd() + ", serverTime="
				+ serverTime() + ", dataLength=" + this.dataLength + "]";
	}

}
