package io.github.pglogrepl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds big-endian byte vectors for parser tests.
 */
public final class TestBytes {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	public static TestBytes of(char type) {
		return new TestBytes().i8(type);
	}

	public static TestBytes empty() {
		return new TestBytes();
	}

	public TestBytes i8(int v) {
		this.out.write(v);
		return this;
	}

	public TestBytes i16(int v) {
		return i8(v >>> 8).i8(v);
	}

	public TestBytes i32(int v) {
		return i16(v >>> 16).i16(v);
	}

	public TestBytes i64(long v) {
		return i32((int) (v >>> 32)).i32((int) v);
	}

	public TestBytes str(String s) {
		bytes(s.getBytes(StandardCharsets.UTF_8));
		return i8(0);
	}

	public TestBytes bytes(byte[] b) {
		this.out.write(b, 0, b.length);
		return this;
	}

	/** A text-format tuple column. */
	public TestBytes text(String s) {
		byte[] b = s.getBytes(StandardCharsets.UTF_8);
		return i8('t').i32(b.length).bytes(b);
	}

	public byte[] build() {
		return this.out.toByteArray();
	}

}
