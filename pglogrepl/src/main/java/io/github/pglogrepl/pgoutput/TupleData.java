package io.github.pglogrepl.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.pglogrepl.protocol.MessageReader;

/**
 * The column values of one row as sent by pgoutput. The structure is parsed when the message is decoded;
 * values stay as bytes in the received buffer (no copy) until asked for.
 *
 * <pre>
 * Int16 columnCount
 * then per column:
 *   Byte1 kind   'n' NULL, 'u' unchanged TOASTed value (not sent), 't' text format, 'b' binary format
 *   Int32 length (only for 't' and 'b')
 *   Byte_n value (only for 't' and 'b')
 * </pre>
 */
public final class TupleData {

	/** How a column value was sent. */
	public enum Kind {

		/** SQL NULL. */
		NULL,
		/** An unchanged TOASTed value that the server did not send (the old value still holds). */
		UNCHANGED_TOAST,
		/** The value in PostgreSQL's text output format. */
		TEXT,
		/** The value in PostgreSQL's binary send format ({@code binary 'true'}). */
		BINARY

	}

	private static final Kind[] KINDS = Kind.values();

	private final byte[] buffer;

	private final byte[] kinds;

	/** Per column: offset of the value in {@link #buffer} at {@code 2i}, its length at {@code 2i + 1}. */
	private final int[] spans;

	private TupleData(byte[] buffer, byte[] kinds, int[] spans) {
		this.buffer = buffer;
		this.kinds = kinds;
		this.spans = spans;
	}

	static TupleData parse(MessageReader r) {
		int count = r.readInt16("tuple column count");
		if (count < 0) {
			throw r.error("negative tuple column count " + count);
		}
		if (count > r.remaining()) {
			throw r.error("tuple column count " + count + " exceeds message length");
		}
		byte[] kinds = new byte[count];
		int[] spans = new int[2 * count];
		for (int i = 0; i < count; i++) {
			int kind = r.readUnsignedByte("tuple column kind");
			switch (kind) {
				case 'n' -> kinds[i] = (byte) Kind.NULL.ordinal();
				case 'u' -> kinds[i] = (byte) Kind.UNCHANGED_TOAST.ordinal();
				case 't', 'b' -> {
					kinds[i] = (byte) ((kind == 't') ? Kind.TEXT.ordinal() : Kind.BINARY.ordinal());
					int length = r.readInt32("tuple column length");
					spans[2 * i + 1] = length;
					spans[2 * i] = r.skip(length, "tuple column value");
				}
				default -> throw new io.github.pglogrepl.protocol.ProtocolException(r.type(), r.offset() - 1,
						"unknown tuple column kind 0x" + Integer.toHexString(kind));
			}
		}
		return new TupleData(r.buffer(), kinds, spans);
	}

	/**
	 * @return the number of columns
	 */
	public int size() {
		return this.kinds.length;
	}

	/**
	 * @param index column index
	 * @return how the value was sent
	 */
	public Kind kind(int index) {
		return KINDS[this.kinds[index]];
	}

	/**
	 * @param index column index
	 * @return whether the value is SQL NULL
	 */
	public boolean isNull(int index) {
		return this.kinds[index] == Kind.NULL.ordinal();
	}

	/**
	 * @param index column index
	 * @return whether the value is an unchanged TOASTed value that was not sent
	 */
	public boolean isUnchangedToast(int index) {
		return this.kinds[index] == Kind.UNCHANGED_TOAST.ordinal();
	}

	/**
	 * @param index column index
	 * @return whether the column carries a value (text or binary)
	 */
	public boolean hasValue(int index) {
		return this.kinds[index] >= Kind.TEXT.ordinal();
	}

	/**
	 * @return the array holding the values (shared, do not modify)
	 */
	public byte[] buffer() {
		return this.buffer;
	}

	/**
	 * @param index column index
	 * @return offset of the value in {@link #buffer()} (0 when the column has no value)
	 */
	public int valueOffset(int index) {
		return this.spans[2 * index];
	}

	/**
	 * @param index column index
	 * @return length of the value in bytes (0 when the column has no value)
	 */
	public int valueLength(int index) {
		return this.spans[2 * index + 1];
	}

	/**
	 * @param index column index
	 * @return the value bytes as UTF-8 text (the text format), or null if the column has no value
	 */
	public String text(int index) {
		return hasValue(index) ? new String(this.buffer, valueOffset(index), valueLength(index), StandardCharsets.UTF_8)
				: null;
	}

	/**
	 * @param index column index
	 * @return a copy of the value bytes, or null if the column has no value
	 */
	public byte[] bytes(int index) {
		return hasValue(index)
				? Arrays.copyOfRange(this.buffer, valueOffset(index), valueOffset(index) + valueLength(index)) : null;
	}

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder("TupleData[");
		for (int i = 0; i < size(); i++) {
			if (i > 0) {
				sb.append(", ");
			}
			switch (kind(i)) {
				case NULL -> sb.append("NULL");
				case UNCHANGED_TOAST -> sb.append("<unchanged toast>");
				case TEXT -> sb.append('\'').append(text(i)).append('\'');
				case BINARY -> sb.append("<binary ").append(valueLength(i)).append(" bytes>");
			}
		}
		return sb.append(']').toString();
	}

}
