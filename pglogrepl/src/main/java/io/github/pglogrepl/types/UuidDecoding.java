package io.github.pglogrepl.types;

import java.util.UUID;

/**
 * Decodes {@code uuid} to a {@link UUID}. Text format ({@code uuid_out}): 32 hex digits in groups of 8, 4, 4,
 * 4 and 12 separated by hyphens, lower case (upper case is accepted too). Binary format ({@code uuid_send}):
 * the 16 bytes, most significant first.
 */
final class UuidDecoding {

	/** Length of the text form: 32 hex digits and 4 hyphens. */
	private static final int TEXT_LENGTH = 36;

	private UuidDecoding() {
	}

	static UUID text(int typeOid, byte[] buf, int offset, int length) {
		if (length != TEXT_LENGTH) {
			throw ValueDecodingException.invalid(typeOid, "invalid uuid", buf, offset, length);
		}
		long msb = 0;
		long lsb = 0;
		int nibbles = 0;
		for (int k = 0; k < TEXT_LENGTH; k++) {
			byte b = buf[offset + k];
			if (k == 8 || k == 13 || k == 18 || k == 23) {
				if (b != '-') {
					throw ValueDecodingException.invalid(typeOid, "invalid uuid", buf, offset, length);
				}
				continue;
			}
			int v = PgBytes.hexValue(b);
			if (v < 0) {
				throw ValueDecodingException.invalid(typeOid, "invalid uuid", buf, offset, length);
			}
			if (nibbles < 16) {
				msb = (msb << 4) | v;
			}
			else {
				lsb = (lsb << 4) | v;
			}
			nibbles++;
		}
		return new UUID(msb, lsb);
	}

	static UUID binary(int typeOid, byte[] buf, int offset, int length) {
		PgBytes.expectLength(typeOid, length, 16);
		return new UUID(PgBytes.readLong(buf, offset), PgBytes.readLong(buf, offset + 8));
	}

}
