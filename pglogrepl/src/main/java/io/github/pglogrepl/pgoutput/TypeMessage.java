package io.github.pglogrepl.pgoutput;

import io.github.pglogrepl.protocol.MessageReader;

/**
 * Type ({@code 'Y'}): describes a non-built-in data type used by a following relation's column.
 *
 * <pre>
 * Byte1('Y')
 * Int32  xid        (only inside a streamed transaction)
 * Int32  typeOid
 * String namespace  ("" for pg_catalog)
 * String name
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param typeOid OID of the type
 * @param namespace schema of the type
 * @param name type name
 */
public record TypeMessage(int xid, int typeOid, String namespace, String name) implements PgOutputMessage {

	static TypeMessage parse(MessageReader r, int xid) {
		int oid = r.readInt32("typeOid");
		String namespace = r.readCString("namespace");
		String name = r.readCString("name");
		r.expectEnd();
		return new TypeMessage(xid, oid, namespace, name);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.TYPE;
	}

}
