package io.github.pglogrepl.pgoutput;

import io.github.pglogrepl.Lsn;

/**
 * A message of the {@code pgoutput} logical decoding output plugin (protocol versions 1 to 4). Obtain them
 * from a {@link PgOutputDecoder}. Each implementation documents its byte layout next to its parser.
 */
public sealed interface PgOutputMessage permits BeginMessage, CommitMessage, OriginMessage, RelationMessage,
		TypeMessage, InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalDecodingMessage,
		StreamStartMessage, StreamStopMessage, StreamCommitMessage, StreamAbortMessage, BeginPrepareMessage,
		PrepareMessage, CommitPreparedMessage, RollbackPreparedMessage, StreamPrepareMessage {

	/**
	 * @return the kind of message (type byte, name, part in a transaction)
	 */
	PgOutputMessageType messageType();

	/**
	 * @return the message type byte as sent by the server, e.g. {@code 'I'} for Insert
	 */
	default char type() {
		return messageType().code();
	}

	/**
	 * The position to acknowledge (report as flushed) once this message and everything before it was
	 * processed: the end LSN of a transaction that this message ends (Commit, Stream Commit, Prepare, Stream
	 * Prepare, Commit Prepared, Rollback Prepared).
	 * @return the transaction's end LSN, or {@code null} if this message does not end a transaction
	 */
	default Lsn transactionEnd() {
		return null;
	}

}
