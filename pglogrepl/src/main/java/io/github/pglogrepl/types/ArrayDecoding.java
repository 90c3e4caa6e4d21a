package io.github.pglogrepl.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the array types (those {@link PgTypeOids#elementTypeOf} knows) to a new, mutable {@link ArrayList}
 * of the element values: SQL NULL elements are {@code null}, a multidimensional array is a list of lists, an
 * empty array is an empty list; the lower bounds are dropped. Each element is decoded through
 * {@link ValueDecoder} as a value of the element type, and its failure is reported as the array's, with the
 * element's as the cause.
 * <p>
 * Text format: parsed by {@link TextArrayParser}. Binary format ({@code array_send}), big-endian:
 * <pre>
 * int32 ndim                 number of dimensions, 0 for an empty array
 * int32 flags                1 if the array holds a NULL, else 0
 * int32 element type OID
 * ndim * (int32 length, int32 lower bound)
 * per element, in row-major order: int32 length (-1: NULL), then that many bytes of the element's binary form
 * </pre>
 */
final class ArrayDecoding {

	/** The most dimensions an array can have, PostgreSQL's {@code MAXDIM}. */
	static final int MAX_DIMENSIONS = 6;

	private ArrayDecoding() {
	}

	/**
	 * The text decoder of the arrays of one element type.
	 * @param elementOid the element type's OID
	 * @return a decoder, built once per array type
	 */
	static TypeDecoder text(int elementOid) {
		return (arrayOid, buf, offset, length) -> new TextArrayParser(arrayOid, elementOid, buf, offset, length)
			.parse();
	}

	/**
	 * The binary decoder of the arrays of one element type.
	 * @param elementOid the element type's OID
	 * @return a decoder, built once per array type
	 */
	static TypeDecoder binary(int elementOid) {
		return (arrayOid, buf, offset, length) -> decodeBinary(arrayOid, elementOid, buf, offset, length);
	}

	/**
	 * Reports an element that failed to decode as a failure of the whole array.
	 * @param arrayOid the array type's OID
	 * @param ex the element's failure
	 * @return the exception, for the caller to throw
	 */
	static ValueDecodingException invalidElement(int arrayOid, ValueDecodingException ex) {
		return new ValueDecodingException(arrayOid, "invalid array element: " + ex.getMessage(), ex);
	}

	private static List<Object> decodeBinary(int arrayOid, int elementOid, byte[] buf, int offset, int length) {
		int end = offset + length;
		if (length < 12) {
			throw new ValueDecodingException(arrayOid, "binary array header truncated: " + length + " bytes");
		}
		int ndim = PgBytes.readInt(buf, offset);
		int flags = PgBytes.readInt(buf, offset + 4);
		int actualElementOid = PgBytes.readInt(buf, offset + 8);
		if (ndim < 0 || ndim > MAX_DIMENSIONS) {
			throw new ValueDecodingException(arrayOid, "invalid number of array dimensions: " + ndim);
		}
		if (flags != 0 && flags != 1) {
			throw new ValueDecodingException(arrayOid, "invalid array flags: " + flags);
		}
		if (actualElementOid != elementOid) {
			throw new ValueDecodingException(arrayOid,
					"array element type OID " + actualElementOid + " does not match expected " + elementOid);
		}
		int pos = offset + 12;
		if (ndim == 0) {
			if (pos != end) {
				throw new ValueDecodingException(arrayOid, "junk after empty binary array");
			}
			return new ArrayList<>(0);
		}
		if (end - pos < 8 * ndim) {
			throw new ValueDecodingException(arrayOid, "binary array dimensions truncated");
		}
		int[] dims = new int[ndim];
		boolean empty = false;
		for (int i = 0; i < ndim; i++) {
			int dim = PgBytes.readInt(buf, pos);
			int lowerBound = PgBytes.readInt(buf, pos + 4);
			pos += 8;
			if (dim < 0) {
				throw new ValueDecodingException(arrayOid, "negative array dimension: " + dim);
			}
			if ((long) lowerBound + dim - 1 > Integer.MAX_VALUE) {
				throw new ValueDecodingException(arrayOid, "array upper bound overflows");
			}
			dims[i] = dim;
			empty |= (dim == 0);
		}
		if (empty) {
			if (pos != end) {
				throw new ValueDecodingException(arrayOid, "junk after empty binary array");
			}
			return new ArrayList<>(0);
		}
		// each element takes at least its 4-byte length word: bound the count before allocating anything
		long maxElements = (end - pos) / 4;
		long count = 1;
		for (int dim : dims) {
			count *= dim;
			if (count > maxElements) {
				throw new ValueDecodingException(arrayOid,
						"array dimensions " + Arrays.toString(dims) + " exceed the " + (end - pos) + " bytes of data");
			}
		}
		BinaryArrayReader reader = new BinaryArrayReader(arrayOid, elementOid, buf, pos, end, dims);
		List<Object> result = reader.read(0);
		if (reader.pos != end) {
			throw new ValueDecodingException(arrayOid, (end - reader.pos) + " bytes of junk after binary array");
		}
		return result;
	}

	/** Reads the elements of a binary array into nested lists, one nesting level per dimension. */
	private static final class BinaryArrayReader {

		private final int arrayOid;

		private final int elementOid;

		private final byte[] buf;

		private final int end;

		private final int[] dims;

		private int pos;

		BinaryArrayReader(int arrayOid, int elementOid, byte[] buf, int pos, int end, int[] dims) {
			this.arrayOid = arrayOid;
			this.elementOid = elementOid;
			this.buf = buf;
			this.pos = pos;
			this.end = end;
			this.dims = dims;
		}

		List<Object> read(int level) {
			int n = this.dims[level];
			List<Object> list = new ArrayList<>(n);
			boolean innermost = level == this.dims.length - 1;
			for (int i = 0; i < n; i++) {
				list.add(innermost ? readElement() : read(level + 1));
			}
			return list;
		}

		Object readElement() {
			if (this.end - this.pos < 4) {
				throw new ValueDecodingException(this.arrayOid, "binary array truncated");
			}
			int length = PgBytes.readInt(this.buf, this.pos);
			this.pos += 4;
			if (length == -1) {
				return null;
			}
			if (length < 0 || length > this.end - this.pos) {
				throw new ValueDecodingException(this.arrayOid, "invalid binary array element length " + length
						+ " with " + (this.end - this.pos) + " bytes left");
			}
			Object value;
			try {
				value = ValueDecoder.decodeBinary(this.elementOid, this.buf, this.pos, length);
			}
			catch (ValueDecodingException ex) {
				throw invalidElement(this.arrayOid, ex);
			}
			this.pos += length;
			return value;
		}

	}

}
