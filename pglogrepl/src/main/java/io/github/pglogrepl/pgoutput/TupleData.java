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
	 * Parses one row of {@code COPY ... TO STDOUT} in text format (the default format): values separated by
	 * tabs, the row ended by a newline, {@code \N} for NULL, and backslash escapes ({@code \\}, {@code \t},
	 * {@code \n}, {@code \r}, {@code \b}, {@code \f}, {@code \v}, octal {@code \ddd}, hex {@code \xhh}).
	 * COPY writes each value with the type's output function, as pgoutput does in text mode, so the result reads
	 * like a row of an insert message. The values are copied, unescaped, into a new array.
	 * @param line one COPY data row (with or without its newline)
	 * @param columns the number of columns expected
	 * @return the row's values, every column in the text format or NULL
	 * @throws IllegalArgumentException if the row does not have {@code columns} values or has a bad escape
	 */
	public static TupleData fromCopyText(byte[] line, int columns) {
		int end = line.length;
		if (end > 0 && line[end - 1] == '\n') {
			end--;
		}
		if (columns == 0) {
			if (end != 0) {
				throw new IllegalArgumentException("COPY row has values, expected none");
			}
			return new TupleData(new byte[0], new byte[0], new int[0]);
		}
		byte[] buffer = new byte[end];
		byte[] kinds = new byte[columns];
		int[] spans = new int[2 * columns];
		int column = 0;
		int out = 0;
		int start = 0;
		int i = 0;
		while (true) {
			if (column >= columns) {
				throw new IllegalArgumentException("COPY row has more than " + columns + " values");
			}
			if (i + 1 < end && line[i] == '\\' && line[i + 1] == 'N' && (i + 2 == end || line[i + 2] == '\t')) {
				kinds[column] = (byte) Kind.NULL.ordinal();
				i += 2;
			}
			else {
				while (i < end && line[i] != '\t') {
					byte b = line[i++];
					if (b != '\\') {
						buffer[out++] = b;
						continue;
					}
					if (i >= end) {
						throw new IllegalArgumentException("COPY row ends with a backslash");
					}
					byte e = line[i++];
					switch (e) {
						case 'b' -> buffer[out++] = '\b';
						case 'f' -> buffer[out++] = '\f';
						case 'n' -> buffer[out++] = '\n';
						case 'r' -> buffer[out++] = '\r';
						case 't' -> buffer[out++] = '\t';
						case 'v' -> buffer[out++] = 0x0b;
						case 'x' -> {
							int value = 0;
							int digits = 0;
							while (digits < 2 && i < end && Character.digit(line[i], 16) >= 0) {
								value = value * 16 + Character.digit(line[i++], 16);
								digits++;
							}
							if (digits == 0) {
								buffer[out++] = 'x';
							}
							else {
								buffer[out++] = (byte) value;
							}
						}
						default -> {
							if (e >= '0' && e <= '7') {
								int value = e - '0';
								int digits = 1;
								while (digits < 3 && i < end && line[i] >= '0' && line[i] <= '7') {
									value = value * 8 + (line[i++] - '0');
									digits++;
								}
								buffer[out++] = (byte) value;
							}
							else {
								buffer[out++] = e;
							}
						}
					}
				}
				kinds[column] = (byte) Kind.TEXT.ordinal();
				spans[2 * column] = start;
				spans[2 * column + 1] = out - start;
				start = out;
			}
			column++;
			if (i >= end) {
				break;
			}
			if (line[i] != '\t') {
				throw new IllegalArgumentException("COPY row: NULL marker followed by data in column " + column);
			}
			i++;
		}
		if (column != columns) {
			throw new IllegalArgumentException("COPY row has " + column + " values, expected " + columns);
		}
		return new TupleData(buffer, kinds, spans);
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
