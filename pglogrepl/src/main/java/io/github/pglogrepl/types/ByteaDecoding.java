package io.github.pglogrepl.types;

import java.util.Arrays;

/**
 * Decodes {@code bytea} to a {@code byte[]}; in the binary format also every type without a parser of its
 * own, whose value is then its bytes.
 * <p>
 * Text format ({@code byteaout}): {@code \x} followed by two hex digits a byte, the default since
 * PostgreSQL 9.0, or with {@code bytea_output = escape} the bytes themselves, a backslash doubled and
 * non-printable bytes as {@code \ooo} octal escapes. Binary format ({@code byteasend}): the bytes.
 */
final class ByteaDecoding {

	private ByteaDecoding() {
	}

	static byte[] text(int typeOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		if (length >= 2 && buf[offset] == '\\' && buf[offset + 1] == 'x') {
			int hexLength = length - 2;
			if ((hexLength & 1) != 0) {
				throw ValueDecodingException.invalid(typeOid, "odd number of hex digits in bytea", buf, offset, length);
			}
			byte[] out = new byte[hexLength >> 1];
			for (int i = offset + 2, j = 0; i < end; i += 2, j++) {
				int hi = PgBytes.hexValue(buf[i]);
				int lo = PgBytes.hexValue(buf[i + 1]);
				if (hi < 0 || lo < 0) {
					throw ValueDecodingException.invalid(typeOid, "invalid hex digit in bytea", buf, offset, length);
				}
				out[j] = (byte) ((hi << 4) | lo);
			}
			return out;
		}
		// legacy "escape" format: \\ is a backslash, \ooo an octal byte, everything else literal
		byte[] out = new byte[length];
		int j = 0;
		int i = offset;
		while (i < end) {
			byte b = buf[i];
			if (b != '\\') {
				out[j++] = b;
				i++;
			}
			else if (i + 1 < end && buf[i + 1] == '\\') {
				out[j++] = '\\';
				i += 2;
			}
			else if (i + 3 < end && isOctalEscape(buf, i + 1)) {
				out[j++] = (byte) (((buf[i + 1] - '0') << 6) | ((buf[i + 2] - '0') << 3) | (buf[i + 3] - '0'));
				i += 4;
			}
			else {
				throw ValueDecodingException.invalid(typeOid, "invalid escape sequence in bytea", buf, offset, length);
			}
		}
		return (j == length) ? out : Arrays.copyOf(out, j);
	}

	private static boolean isOctalEscape(byte[] buf, int i) {
		return buf[i] >= '0' && buf[i] <= '3' && buf[i + 1] >= '0' && buf[i + 1] <= '7' && buf[i + 2] >= '0'
				&& buf[i + 2] <= '7';
	}

	/**
	 * Copies the bytes of a binary value: the caller's buffer is reused for the next message.
	 * @param buf the buffer holding the value
	 * @param offset index in {@code buf} of the first byte of the value
	 * @param length number of bytes of the value
	 * @return a new array holding the value's bytes
	 */
	static byte[] binary(byte[] buf, int offset, int length) {
		return Arrays.copyOfRange(buf, offset, offset + length);
	}

}
