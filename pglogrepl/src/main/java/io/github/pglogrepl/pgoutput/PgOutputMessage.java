package io.github.pglogrepl.pgoutput;

/**
 * A message of the {@code pgoutput} logical decoding output plugin (protocol versions 1 to 4). Obtain them
 * from a {@link PgOutputDecoder}. Each implementation documents its byte layout next to its parser.
 */
public sealed interface PgOutputMessage permits BeginMessage, CommitMessage, OriginMessage, RelationMessage,
		TypeMessage, InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalDecodingMessage,
		StreamStartMessage, StreamStopMessage, StreamCommitMessage, StreamAbortMessage, BeginPrepareMessage,
		PrepareMessage, CommitPreparedMessage, RollbackPreparedMessage, StreamPrepareMessage {

	/**
	 * @return the message type byte as sent by the server, e.g. {@code 'I'} for Insert
	 */
	char type();

}
