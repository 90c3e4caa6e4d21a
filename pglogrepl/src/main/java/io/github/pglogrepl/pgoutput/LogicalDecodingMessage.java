package io.github.pglogrepl.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.MessageReader;

/**
 * Message ({@code 'M'}): written with {@code pg_logical_emit_message()}; sent only with the {@code messages}
 * option.
 *
 * <pre>
 * Byte1('M')
 * Int32  xid            (only inside a streamed transaction)
 * Int8   flags          1 = transactional
 * Int64  lsn            LSN of the message
 * String prefix
 * Int32  contentLength
 * Byte_n content
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param transactional whether the message was emitted as part of a transaction
 * @param lsn LSN of the message
 * @param prefix the prefix given to {@code pg_logical_emit_message}
 * @param content the content bytes
 */
public record LogicalDecodingMessage(int xid, boolean transactional, Lsn lsn, String prefix, byte[] content)
		implements PgOutputMessage {

	static LogicalDecodingMessage parse(MessageReader r, int xid) {
		int flags = r.readUnsignedByte("flags");
		Lsn lsn = Lsn.of(r.readInt64("lsn"));
		String prefix = r.readCString("prefix");
		int length = r.readInt32("content length");
		int at = r.skip(length, "content");
		r.expectEnd();
		return new LogicalDecodingMessage(xid, (flags & 1) != 0, lsn, prefix,
				Arrays.copyOfRange(r.buffer(), at, at + length));
	}

	/**
	 * @return the content decoded as UTF-8
	 */
	public String contentAsString() {
		return new String(this.content, StandardCharsets.UTF_8);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.MESSAGE;
	}

	@Override
	public boolean equals(Object obj) {
		return (obj instanceof LogicalDecodingMessage m) && m.xid == this.xid && m.transactional == this.transactional
				&& m.lsn.equals(this.lsn) && m.prefix.equals(this.prefix) && Arrays.equals(m.content, this.content);
	}

	@Override
	public int hashCode() {
		return 31 * this.lsn.hashCode() + Arrays.hashCode(this.content);
	}

	@Override
	public String toString() {
		return "LogicalDecodingMessage[xid=" + this.xid + ", transactional=" + this.transactional + ", lsn=" + this.lsn
				+ ", prefix=" + this.prefix + ", contentLength=" + this.content.length + "]";
	}

}
