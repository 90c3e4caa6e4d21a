package io.github.pglogrepl.types;

/**
 * OIDs of the built-in PostgreSQL types that {@link ValueDecoder} converts to specific Java types.
 * <p>
 * The values are those of the {@code pg_type} catalog, which are fixed for built-in types across all
 * PostgreSQL versions.
 */
public final class PgTypeOids {

	/** {@code bool}. */
	public static final int BOOL = 16;

	/** {@code bytea}. */
	public static final int BYTEA = 17;

	/** {@code "char"} (the single-byte internal type, not {@code char(n)}). */
	public static final int CHAR = 18;

	/** {@code name}. */
	public static final int NAME = 19;

	/** {@code int8} ({@code bigint}). */
	public static final int INT8 = 20;

	/** {@code int2} ({@code smallint}). */
	public static final int INT2 = 21;

	/** {@code int4} ({@code integer}). */
	public static final int INT4 = 23;

	/** {@code text}. */
	public static final int TEXT = 25;

	/** {@code oid}. */
	public static final int OID = 26;

	/** {@code json}. */
	public static final int JSON = 114;

	/** {@code xml}. */
	public static final int XML = 142;

	/** {@code float4} ({@code real}). */
	public static final int FLOAT4 = 700;

	/** {@code float8} ({@code double precision}). */
	public static final int FLOAT8 = 701;

	/** {@code bpchar} ({@code char(n)}). */
	public static final int BPCHAR = 1042;

	/** {@code varchar}. */
	public static final int VARCHAR = 1043;

	/** {@code date}. */
	public static final int DATE = 1082;

	/** {@code time} (without time zone). */
	public static final int TIME = 1083;

	/** {@code timestamp} (without time zone). */
	public static final int TIMESTAMP = 1114;

	/** {@code timestamptz}. */
	public static final int TIMESTAMPTZ = 1184;

	/** {@code interval}. */
	public static final int INTERVAL = 1186;

	/** {@code timetz}. */
	public static final int TIMETZ = 1266;

	/** {@code numeric}. */
	public static final int NUMERIC = 1700;

	/** {@code uuid}. */
	public static final int UUID = 2950;

	/** {@code jsonb}. */
	public static final int JSONB = 3802;

	/** {@code bool[]}. */
	public static final int BOOL_ARRAY = 1000;

	/** {@code bytea[]}. */
	public static final int BYTEA_ARRAY = 1001;

	/** {@code "char"[]}. */
	public static final int CHAR_ARRAY = 1002;

	/** {@code name[]}. */
	public static final int NAME_ARRAY = 1003;

	/** {@code int2[]}. */
	public static final int INT2_ARRAY = 1005;

	/** {@code int4[]}. */
	public static final int INT4_ARRAY = 1007;

	/** {@code text[]}. */
	public static final int TEXT_ARRAY = 1009;

	/** {@code bpchar[]}. */
	public static final int BPCHAR_ARRAY = 1014;

	/** {@code varchar[]}. */
	public static final int VARCHAR_ARRAY = 1015;

	/** {@code int8[]}. */
	public static final int INT8_ARRAY = 1016;

	/** {@code float4[]}. */
	public static final int FLOAT4_ARRAY = 1021;

	/** {@code float8[]}. */
	public static final int FLOAT8_ARRAY = 1022;

	/** {@code oid[]}. */
	public static final int OID_ARRAY = 1028;

	/** {@code timestamp[]}. */
	public static final int TIMESTAMP_ARRAY = 1115;

	/** {@code date[]}. */
	public static final int DATE_ARRAY = 1182;

	/** {@code time[]}. */
	public static final int TIME_ARRAY = 1183;

	/** {@code timestamptz[]}. */
	public static final int TIMESTAMPTZ_ARRAY = 1185;

	/** {@code numeric[]}. */
	public static final int NUMERIC_ARRAY = 1231;

	/** {@code uuid[]}. */
	public static final int UUID_ARRAY = 2951;

	/** {@code json[]}. */
	public static final int JSON_ARRAY = 199;

	/** {@code jsonb[]}. */
	public static final int JSONB_ARRAY = 3807;

	private PgTypeOids() {
	}

	/**
	 * Returns the element type of one of the array types listed in this class.
	 * @param arrayOid a type OID
	 * @return the OID of the element type, or {@code 0} if {@code arrayOid} is not one of the array types
	 * listed in this class
	 */
	public static int elementTypeOf(int arrayOid) {
		switch (arrayOid) {
			case BOOL_ARRAY:
				return BOOL;
			case BYTEA_ARRAY:
				return BYTEA;
			case CHAR_ARRAY:
				return CHAR;
			case NAME_ARRAY:
				return NAME;
			case INT2_ARRAY:
				return INT2;
			case INT4_ARRAY:
				return INT4;
			case TEXT_ARRAY:
				return TEXT;
			case BPCHAR_ARRAY:
				return BPCHAR;
			case VARCHAR_ARRAY:
				return VARCHAR;
			case INT8_ARRAY:
				return INT8;
			case FLOAT4_ARRAY:
				return FLOAT4;
			case FLOAT8_ARRAY:
				return FLOAT8;
			case OID_ARRAY:
				return OID;
			case TIMESTAMP_ARRAY:
				return TIMESTAMP;
			case DATE_ARRAY:
				return DATE;
			case TIME_ARRAY:
				return TIME;
			case TIMESTAMPTZ_ARRAY:
				return TIMESTAMPTZ;
			case NUMERIC_ARRAY:
				return NUMERIC;
			case UUID_ARRAY:
				return UUID;
			case JSON_ARRAY:
				return JSON;
			case JSONB_ARRAY:
				return JSONB;
			default:
				return 0;
		}
	}

	/**
	 * Tells whether a type OID is one of the scalar or array types listed in this class.
	 * @param oid a type OID
	 * @return {@code true} if {@code oid} is listed in this class
	 */
	public static boolean isKnown(int oid) {
		switch (oid) {
			case BOOL:
			case BYTEA:
			case CHAR:
			case NAME:
			case INT8:
			case INT2:
			case INT4:
			case TEXT:
			case OID:
			case JSON:
			case XML:
			case FLOAT4:
			case FLOAT8:
			case BPCHAR:
			case VARCHAR:
			case DATE:
			case TIME:
			case TIMESTAMP:
			case TIMESTAMPTZ:
			case INTERVAL:
			case TIMETZ:
			case NUMERIC:
			case UUID:
			case JSONB:
				return true;
			default:
				return elementTypeOf(oid) != 0;
		}
	}

}
