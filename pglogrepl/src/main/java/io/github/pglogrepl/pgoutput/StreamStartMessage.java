package io.github.pglogrepl.pgoutput;

import io.github.pglogrepl.protocol.MessageReader;

/**
 * Stream Start ({@code 'S'}, protocol version 2+ with {@code streaming}): the following messages, up to
 * {@link StreamStopMessage}, belong to the in-progress transaction {@code xid} and carry its id.
 *
 * <pre>
 * Byte1('S')
 * Int32 xid
 * Int8  firstSegment  1 if this is the first stream segment of the transaction
 * </pre>
 *
 * @param xid the streamed transaction
 * @param firstSegment whether this is the transaction's first segment
 */
public record StreamStartMessage(int xid, boolean firstSegment) implements PgOutputMessage {

	static StreamStartMessage parse(MessageReader r) {
		int xid = r.readInt32("xid");
		int first = r.readUnsignedByte("firstSegment");
		r.expectEnd();
		return new StreamStartMessage(xid, first == 1);
	}

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.STREAM_START;
	}

}
