package io.github.pglogrepl.pgoutput;

import java.util.HashMap;
import java.util.Map;

import io.github.pglogrepl.protocol.MessageReader;
import io.github.pglogrepl.protocol.ProtocolException;
import io.github.pglogrepl.protocol.XLogData;

/**
 * Decodes the messages of the {@code pgoutput} plugin, protocol versions 1 to 4.
 *
 * <p>The decoder is stateful, one per replication stream: it keeps the latest {@link RelationMessage} and
 * {@link TypeMessage} per OID so that row messages can be read by column name, and it tracks whether it is
 * inside a streamed-transaction block ({@link StreamStartMessage} … {@link StreamStopMessage}) where the
 * data messages carry a transaction id. It is not thread-safe.
 *
 * <p>Only {@link ProtocolException} escapes for malformed input (with the message type and offset); the
 * decoder never trusts a length or count before checking it against the bytes at hand.
 */
public final class PgOutputDecoder {

	private final Map<Integer, RelationMessage> relations = new HashMap<>();

	/** The relation of the last change (most changes in a row are to the same table: no boxing, no hashing). */
	private RelationMessage lastRelation;

	private final Map<Integer, TypeMessage> types = new HashMap<>();

	private boolean inStream;

	/**
	 * Decodes the data of one XLogData message.
	 * @param xlogData the message
	 * @return the decoded pgoutput message
	 */
	public PgOutputMessage decode(XLogData xlogData) {
		return decode(xlogData.buffer(), xlogData.dataOffset(), xlogData.dataLength());
	}

	/**
	 * Decodes one pgoutput message.
	 * @param message the bytes of the message, starting with its type byte
	 * @return the decoded message
	 */
	public PgOutputMessage decode(byte[] message) {
		return decode(message, 0, (message != null) ? message.length : 0);
	}

	/**
	 * Decodes one pgoutput message.
	 * @param buf array holding the message (values of row messages refer to it, not copied)
	 * @param offset first byte (the type byte)
	 * @param length length of the message
	 * @return the decoded message
	 * @throws ProtocolException if the message is malformed, truncated, or refers to an unknown relation
	 */
	public PgOutputMessage decode(byte[] buf, int offset, int length) {
		if (buf == null || offset < 0 || length < 0 || offset > buf.length - length) {
			throw new ProtocolException('?', 0, "message bounds outside buffer");
		}
		if (length == 0) {
			throw new ProtocolException('?', 0, "empty pgoutput message");
		}
		char type = (char) (buf[offset] & 0xFF);
		MessageReader r = new MessageReader(buf, offset, length, type);
		r.skip(1, "type");
		return switch (type) {
			case 'B' -> BeginMessage.parse(r);
			case 'C' -> CommitMessage.parse(r);
			case 'O' -> OriginMessage.parse(r);
			case 'R' -> {
				RelationMessage relation = RelationMessage.parse(r, streamXid(r));
				this.relations.put(relation.relationId(), relation);
				this.lastRelation = null;
				yield relation;
			}
			case 'Y' -> {
				TypeMessage t = TypeMessage.parse(r, streamXid(r));
				this.types.put(t.typeOid(), t);
				yield t;
			}
			case 'I' -> parseInsert(r);
			case 'U' -> parseUpdate(r);
			case 'D' -> parseDelete(r);
			case 'T' -> parseTruncate(r);
			case 'M' -> LogicalDecodingMessage.parse(r, streamXid(r));
			case 'S' -> {
				StreamStartMessage start = StreamStartMessage.parse(r);
				this.inStream = true;
				yield start;
			}
			case 'E' -> {
				r.expectEnd();
				this.inStream = false;
				yield new StreamStopMessage();
			}
			case 'c' -> StreamCommitMessage.parse(r);
			case 'A' -> StreamAbortMessage.parse(r);
			case 'b' -> BeginPrepareMessage.parse(r);
			case 'P' -> PrepareMessage.parse(r);
			case 'K' -> CommitPreparedMessage.parse(r);
			case 'r' -> RollbackPreparedMessage.parse(r);
			case 'p' -> StreamPrepareMessage.parse(r);
			default -> throw new ProtocolException(type, 0,
					"unknown pgoutput message type 0x" + Integer.toHexString(type));
		};
	}

	/**
	 * @return whether the decoder is between a Stream Start and a Stream Stop
	 */
	public boolean inStreamBlock() {
		return this.inStream;
	}

	/**
	 * @param relationId a relation OID
	 * @return the latest Relation message received for it, or {@code null}
	 */
	public RelationMessage relation(int relationId) {
		return this.relations.get(relationId);
	}

	/**
	 * @param typeOid a type OID
	 * @return the latest Type message received for it, or {@code null}
	 */
	public TypeMessage typeInfo(int typeOid) {
		return this.types.get(typeOid);
	}

	/**
	 * Forgets all relations and types and the stream state, as after a reconnect (the server sends Relation
	 * messages again on a new connection).
	 */
	public void reset() {
		this.relations.clear();
		this.lastRelation = null;
		this.types.clear();
		this.inStream = false;
	}

	private int streamXid(MessageReader r) {
		return this.inStream ? r.readInt32("xid") : 0;
	}

	private RelationMessage relationFor(MessageReader r) {
		int at = r.offset();
		int relationId = r.readInt32("relationId");
		RelationMessage relation = this.lastRelation;
		if (relation != null && relation.relationId() == relationId) {
			return relation;
		}
		relation = this.relations.get(relationId);
		this.lastRelation = relation;
		if (relation == null) {
			throw new ProtocolException(r.type(), at,
					"unknown relation OID " + Integer.toUnsignedString(relationId) + " (no Relation message received)");
		}
		return relation;
	}

	private static TupleData tuple(MessageReader r, RelationMessage relation) {
		int at = r.offset();
		TupleData tuple = TupleData.parse(r);
		if (tuple.size() != relation.columns().size()) {
			throw new ProtocolException(r.type(), at, "tuple has " + tuple.size() + " columns but relation "
					+ relation.qualifiedName() + " has " + relation.columns().size());
		}
		return tuple;
	}

	private static void expectMarker(MessageReader r, char expected) {
		int at = r.offset();
		int marker = r.readUnsignedByte("tuple marker");
		if (marker != expected) {
			throw new ProtocolException(r.type(), at,
					"expected tuple marker '" + expected + "', got 0x" + Integer.toHexString(marker));
		}
	}

	private InsertMessage parseInsert(MessageReader r) {
		int xid = streamXid(r);
		RelationMessage relation = relationFor(r);
		expectMarker(r, 'N');
		TupleData tuple = tuple(r, relation);
		r.expectEnd();
		return new InsertMessage(xid, relation, tuple);
	}

	private UpdateMessage parseUpdate(MessageReader r) {
		int xid = streamXid(r);
		RelationMessage relation = relationFor(r);
		int at = r.offset();
		int marker = r.readUnsignedByte("tuple marker");
		char oldType = 0;
		TupleData oldTuple = null;
		if (marker == 'K' || marker == 'O') {
			oldType = (char) marker;
			oldTuple = tuple(r, relation);
			at = r.offset();
			marker = r.readUnsignedByte("tuple marker");
		}
		if (marker != 'N') {
			throw new ProtocolException(r.type(), at, "expected tuple marker 'N', got 0x" + Integer.toHexString(marker));
		}
		TupleData newTuple = tuple(r, relation);
		r.expectEnd();
		return new UpdateMessage(xid, relation, oldType, oldTuple, newTuple);
	}

	private DeleteMessage parseDelete(MessageReader r) {
		int xid = streamXid(r);
		RelationMessage relation = relationFor(r);
		int at = r.offset();
		int marker = r.readUnsignedByte("tuple marker");
		if (marker != 'K' && marker != 'O') {
			throw new ProtocolException(r.type(), at,
					"expected tuple marker 'K' or 'O', got 0x" + Integer.toHexString(marker));
		}
		TupleData tuple = tuple(r, relation);
		r.expectEnd();
		return new DeleteMessage(xid, relation, (char) marker, tuple);
	}

	private TruncateMessage parseTruncate(MessageReader r) {
		int xid = streamXid(r);
		int count = r.readInt32("relationCount");
		int options = r.readUnsignedByte("options");
		if (count < 0 || count > r.remaining() / 4) {
			throw r.error("relation count " + count + " does not match message length");
		}
		RelationMessage[] truncated = new RelationMessage[count];
		for (int i = 0; i < count; i++) {
			truncated[i] = relationFor(r);
		}
		r.expectEnd();
		return new TruncateMessage(xid, options, java.util.List.of(truncated));
	}

}
