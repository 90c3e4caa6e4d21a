package io.github.pglogrepl.pgoutput;

import java.util.List;

import io.github.pglogrepl.protocol.MessageReader;

/**
 * Relation ({@code 'R'}): describes a table before the first change to it (and again after it changes).
 * The decoder keeps the latest one per relation id so that row messages can name their columns.
 *
 * <pre>
 * Byte1('R')
 * Int32  xid              (only inside a streamed transaction)
 * Int32  relationId       OID of the relation
 * String namespace        schema ("" for pg_catalog)
 * String name             relation name
 * Int8   replicaIdentity  'd' default, 'n' nothing, 'f' full, 'i' index
 * Int16  columnCount
 * then per column:
 *   Int8   flags          1 = part of the key
 *   String name
 *   Int32  typeOid
 *   Int32  typeModifier
 * </pre>
 *
 * @param xid transaction id when inside a streamed transaction, otherwise 0
 * @param relationId OID of the relation
 * @param namespace schema name
 * @param name relation name
 * @param replicaIdentity replica identity setting: {@code 'd'}, {@code 'n'}, {@code 'f'} or {@code 'i'}
 * @param columns the published columns in order
 */
public record RelationMessage(int xid, int relationId, String namespace, String name, char replicaIdentity,
		List<Column> columns) implements PgOutputMessage {

	/**
	 * A column of a relation.
	 * @param key whether the column is part of the replica identity key
	 * @param name column name
	 * @param typeOid OID of the column's data type
	 * @param typeModifier type modifier ({@code atttypmod}), -1 if none
	 */
	public record Column(boolean key, String name, int typeOid, int typeModifier) {
	}

	/**
	 * Creates a relation description.
	 * @param xid transaction id when streamed, otherwise 0
	 * @param relationId relation OID
	 * @param namespace schema
	 * @param name relation name
	 * @param replicaIdentity replica identity setting
	 * @param columns columns in order
	 */
	public RelationMessage {
		columns = List.copyOf(columns);
	}

	static RelationMessage parse(MessageReader r, int xid) {
		int relationId = r.readInt32("relationId");
		String namespace = r.readCString("namespace");
		String name = r.readCString("name");
		int identity = r.readUnsignedByte("replicaIdentity");
		if (identity != 'd' && identity != 'n' && identity != 'f' && identity != 'i') {
			throw r.error("unknown replica identity '" + (char) identity + "'");
		}
		int count = r.readInt16("columnCount");
		if (count < 0) {
			throw r.error("negative column count " + count);
		}
		// each column takes at least 10 bytes: do not trust the count before checking the length
		if (count > r.remaining() / 10) {
			throw r.error("column count " + count + " exceeds message length");
		}
		Column[] columns = new Column[count];
		for (int i = 0; i < count; i++) {
			int flags = r.readUnsignedByte("column flags");
			String columnName = r.readCString("column name");
			int typeOid = r.readInt32("column type");
			int typmod = r.readInt32("column typmod");
			columns[i] = new Column((flags & 1) != 0, columnName, typeOid, typmod);
		}
		r.expectEnd();
		return new RelationMessage(xid, relationId, namespace, name, (char) identity, List.of(columns));
	}

	/**
	 * @return the schema-qualified name, e.g. {@code public.orders} (not quoted)
	 */
	public String qualifiedName() {
		return this.namespace.isEmpty() ? this.name : this.namespace + "." + this.name;
	}

	/**
	 * @param columnName a column name
	 * @return its index, or -1 if the relation has no such column
	 */
	public int indexOf(String columnName) {
		List<Column> cols = this.columns;
		for (int i = 0; i < cols.size(); i++) {
			if (cols.get(i).name().equals(columnName)) {
				return i;
			}
		}
		return -1;
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.RELATION;
	}

}
