package io.github.pglogrepl.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked big-endian cursor over one message in a byte array. Every read checks the remaining length
 * first and throws {@link ProtocolException} naming the message type and offset, so parsers built on it never
 * throw {@link ArrayIndexOutOfBoundsException}. Not thread-safe; one per message.
 */
public final class MessageReader {

	private final byte[] buf;

	private final int start;

	private final int end;

	private int pos;

	private final char type;

	/**
	 * Creates a reader over {@code buf[offset, offset+length)}.
	 * @param buf the bytes
	 * @param offset the first byte of the message
	 * @param length the message length
	 * @param type the message type, for error messages
	 */
	public MessageReader(byte[] buf, int offset, int length, char type) {
		if (buf == null || offset < 0 || length < 0 || offset > buf.length - length) {
			throw new ProtocolException(type, 0, "message bounds [" + offset + ", +" + length + ") outside buffer");
		}
		this.buf = buf;
		this.start = offset;
		this.end = offset + length;
		this.pos = offset;
		this.type = type;
	}

	/**
	 * @return the underlying array (not copied)
	 */
	public byte[] buffer() {
		return this.buf;
	}

	/**
	 * @return the absolute index of the next byte in {@link #buffer()}
	 */
	public int position() {
		return this.pos;
	}

	/**
	 * @return the offset of the next byte from the start of the message
	 */
	public int offset() {
		return this.pos - this.start;
	}

	/**
	 * @return the number of unread bytes
	 */
	public int remaining() {
		return this.end - this.pos;
	}

	/**
	 * @return the message type this reader reports in errors
	 */
	public char type() {
		return this.type;
	}

	private void need(int n, String field) {
		if (this.end - this.pos < n) {
			throw new ProtocolException(this.type, offset(),
					"truncated: " + field + " needs " + n + " bytes, " + remaining() + " left");
		}
	}

	/**
	 * Creates an exception pointing at the current offset.
	 * @param message what is wrong
	 * @return the exception, to be thrown by the caller
	 */
	public ProtocolException error(String message) {
		return new ProtocolException(this.type, offset(), message);
	}

	/**
	 * @param field name of the field, for errors
	 * @return the next byte, unsigned
	 */
	public int readUnsignedByte(String field) {
		need(1, field);
		return this.buf[this.pos++] & 0xFF;
	}

	/**
	 * @param field name of the field, for errors
	 * @return the next big-endian 16-bit value, signed
	 */
	public short readInt16(String field) {
		need(2, field);
		int v = ((this.buf[this.pos] & 0xFF) << 8) | (this.buf[this.pos + 1] & 0xFF);
		this.pos += 2;
		return (short) v;
	}

	/**
	 * @param field name of the field, for errors
	 * @return the next big-endian 32-bit value
	 */
	public int readInt32(String field) {
		need(4, field);
		int v = getInt32(this.buf, this.pos);
		this.pos += 4;
		return v;
	}

	/**
	 * @param field name of the field, for errors
	 * @return the next big-endian 64-bit value
	 */
	public long readInt64(String field) {
		need(8, field);
		long v = ((long) getInt32(this.buf, this.pos) << 32) | (getInt32(this.buf, this.pos + 4) & 0xFFFFFFFFL);
		this.pos += 8;
		return v;
	}

	/**
	 * Reads a NUL-terminated UTF-8 string.
	 * @param field name of the field, for errors
	 * @return the string without its terminator
	 */
	public String readCString(String field) {
		int from = this.pos;
		for (int i = from; i < this.end; i++) {
			if (this.buf[i] == 0) {
				this.pos = i + 1;
				return (i == from) ? "" : new String(this.buf, from, i - from, StandardCharsets.UTF_8);
			}
		}
		throw error("truncated: " + field + " has no NUL terminator");
	}

	/**
	 * Skips {@code n} bytes after checking they are there.
	 * @param n number of bytes
	 * @param field name of the field, for errors
	 * @return the absolute index of the first skipped byte
	 */
	public int skip(int n, String field) {
		if (n < 0) {
			throw error(field + " has negative length " + n);
		}
		need(n, field);
		int at = this.pos;
		this.pos += n;
		return at;
	}

	/**
	 * Throws if bytes are left over: a message longer than its fields is malformed.
	 */
	public void expectEnd() {
		if (this.pos != this.end) {
			throw error(remaining() + " unexpected trailing bytes");
		}
	}

	static int getInt32(byte[] b, int i) {
		return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
	}

}
