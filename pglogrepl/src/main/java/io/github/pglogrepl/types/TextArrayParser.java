package io.github.pglogrepl.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the text form of an array ({@code array_out}): an optional dimension decoration
 * ({@code [lb:ub]...=}, printed when a lower bound is not 1) followed by braces holding comma-separated
 * elements, each either double-quoted with backslash escapes or unquoted ({@code NULL}, in any case, being
 * SQL NULL); one level of braces per dimension. Each element's text is decoded as a value of the element
 * type, through {@link ValueDecoder}. A parser holds its position in one value, so each value gets a new one.
 */
final class TextArrayParser {

	private final int arrayOid;

	private final int elementOid;

	private final byte[] buf;

	private final int start;

	private final int end;

	private int pos;

	TextArrayParser(int arrayOid, int elementOid, byte[] buf, int offset, int length) {
		this.arrayOid = arrayOid;
		this.elementOid = elementOid;
		this.buf = buf;
		this.start = offset;
		this.end = offset + length;
		this.pos = offset;
	}

	private ValueDecodingException error(String what) {
		return ValueDecodingException.invalid(this.arrayOid, what, this.buf, this.start, this.end - this.start);
	}

	private static boolean isSpace(byte b) {
		return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
	}

	private void skipSpaces() {
		while (this.pos < this.end && isSpace(this.buf[this.pos])) {
			this.pos++;
		}
	}

	private byte next() {
		if (this.pos >= this.end) {
			throw error("unexpected end of array");
		}
		return this.buf[this.pos++];
	}

	List<Object> parse() {
		skipSpaces();
		if (this.pos < this.end && this.buf[this.pos] == '[') {
			skipDimensions();
		}
		if (next() != '{') {
			throw error("array must start with \"{\"");
		}
		List<Object> result = parseLevel(1);
		skipSpaces();
		if (this.pos != this.end) {
			throw error("junk after closing brace of array");
		}
		return result;
	}

	private void skipDimensions() {
		while (this.pos < this.end && this.buf[this.pos] == '[') {
			this.pos++;
			skipBound();
			if (this.pos < this.end && this.buf[this.pos] == ':') {
				this.pos++;
				skipBound();
			}
			if (next() != ']') {
				throw error("invalid array dimension decoration");
			}
		}
		skipSpaces();
		if (next() != '=') {
			throw error("missing \"=\" after array dimensions");
		}
		skipSpaces();
	}

	private void skipBound() {
		if (this.pos < this.end && (this.buf[this.pos] == '-' || this.buf[this.pos] == '+')) {
			this.pos++;
		}
		int from = this.pos;
		while (this.pos < this.end && this.buf[this.pos] >= '0' && this.buf[this.pos] <= '9') {
			this.pos++;
		}
		if (this.pos == from) {
			throw error("invalid array dimension decoration");
		}
	}

	/** Parses the contents of one brace level; {@code pos} is just after its opening brace. */
	private List<Object> parseLevel(int depth) {
		if (depth > ArrayDecoding.MAX_DIMENSIONS) {
			throw error("array has more than " + ArrayDecoding.MAX_DIMENSIONS + " dimensions");
		}
		List<Object> list = new ArrayList<>();
		skipSpaces();
		if (this.pos < this.end && this.buf[this.pos] == '}') {
			this.pos++;
			return list;
		}
		int kind = 0; // 1 = sub-arrays, 2 = elements
		while (true) {
			skipSpaces();
			if (this.pos < this.end && this.buf[this.pos] == '{') {
				if (kind == 2) {
					throw error("mixed elements and sub-arrays");
				}
				kind = 1;
				this.pos++;
				list.add(parseLevel(depth + 1));
			}
			else {
				if (kind == 1) {
					throw error("mixed elements and sub-arrays");
				}
				kind = 2;
				list.add(parseElement());
			}
			skipSpaces();
			byte b = next();
			if (b == '}') {
				return list;
			}
			if (b != ',') {
				throw error("expected \",\" or \"}\"");
			}
		}
	}

	private Object parseElement() {
		if (this.pos >= this.end) {
			throw error("unexpected end of array");
		}
		if (this.buf[this.pos] == '"') {
			return parseQuoted();
		}
		int from = this.pos;
		int trimmedEnd = from;
		boolean escaped = false;
		while (this.pos < this.end) {
			byte b = this.buf[this.pos];
			if (b == ',' || b == '}') {
				break;
			}
			if (b == '"' || b == '{') {
				throw error("unexpected character in unquoted array element");
			}
			if (b == '\\') {
				escaped = true;
				this.pos += 2;
				if (this.pos > this.end) {
					throw error("unexpected end of array");
				}
				trimmedEnd = this.pos;
			}
			else {
				this.pos++;
				if (!isSpace(b)) {
					trimmedEnd = this.pos;
				}
			}
		}
		int len = trimmedEnd - from;
		if (len == 0) {
			throw error("empty unquoted array element");
		}
		if (escaped) {
			byte[] value = unescape(from, trimmedEnd);
			return decodeElement(value, 0, value.length);
		}
		if (len == 4 && isNull(from)) {
			return null;
		}
		return decodeElement(this.buf, from, len);
	}

	private boolean isNull(int at) {
		return (this.buf[at] | 0x20) == 'n' && (this.buf[at + 1] | 0x20) == 'u' && (this.buf[at + 2] | 0x20) == 'l'
				&& (this.buf[at + 3] | 0x20) == 'l';
	}

	private Object parseQuoted() {
		this.pos++; // opening quote
		int from = this.pos;
		boolean escaped = false;
		while (true) {
			if (this.pos >= this.end) {
				throw error("unterminated quoted array element");
			}
			byte b = this.buf[this.pos];
			if (b == '"') {
				break;
			}
			if (b == '\\') {
				escaped = true;
				this.pos += 2;
			}
			else {
				this.pos++;
			}
		}
		int to = this.pos;
		this.pos++; // closing quote
		if (escaped) {
			byte[] value = unescape(from, to);
			return decodeElement(value, 0, value.length);
		}
		return decodeElement(this.buf, from, to - from);
	}

	/** Copies {@code buf[from, to)} dropping each escaping backslash (the range ends on a complete escape). */
	private byte[] unescape(int from, int to) {
		byte[] out = new byte[to - from];
		int j = 0;
		for (int i = from; i < to; i++) {
			byte b = this.buf[i];
			if (b == '\\') {
				i++;
				b = this.buf[i];
			}
			out[j++] = b;
		}
		return Arrays.copyOf(out, j);
	}

	private Object decodeElement(byte[] bytes, int offset, int length) {
		try {
			return ValueDecoder.decodeText(this.elementOid, bytes, offset, length);
		}
		catch (ValueDecodingException ex) {
			throw ArrayDecoding.invalidElement(this.arrayOid, ex);
		}
	}

}
