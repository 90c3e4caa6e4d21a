package io.github.pglogrepl.protocol;

/**
 * A message sent by the server inside the CopyBoth stream of {@code START_REPLICATION}: either
 * {@link XLogData} or a {@link PrimaryKeepalive}.
 */
public sealed interface ReplicationMessage permits XLogData, PrimaryKeepalive {

	/**
	 * Parses one CopyData payload received from the server.
	 * @param buf the bytes (not copied: {@link XLogData} keeps a reference to them)
	 * @param offset first byte of the message (its type byte)
	 * @param length length of the message
	 * @return the message
	 * @throws ProtocolException if the type is unknown or the message is truncated
	 */
	static ReplicationMessage parse(byte[] buf, int offset, int length) {
		if (buf == null || offset < 0 || length < 0 || offset > buf.length - length) {
			throw new ProtocolException('?', 0, "message bounds outside buffer");
		}
		if (length == 0) {
			throw new ProtocolException('?', 0, "empty CopyData message");
		}
		byte type = buf[offset];
		return switch (type) {
			case XLogData.TYPE -> XLogData.parse(buf, offset, length);
			case PrimaryKeepalive.TYPE -> PrimaryKeepalive.parse(buf, offset, length);
			default -> throw new ProtocolException((char) (type & 0xFF), 0,
					"unknown replication message type 0x" + Integer.toHexString(type & 0xFF));
		};
	}

	/**
	 * Parses one CopyData payload received from the server.
	 * @param message the whole message
	 * @return the message
	 * @throws ProtocolException if the type is unknown or the message is truncated
	 */
	static ReplicationMessage parse(byte[] message) {
		return parse(message, 0, (message != null) ? message.length : 0);
	}

}
