package io.github.pglogrepl.pgoutput;

/**
 * Stream Stop ({@code 'E'}): end of a block of a streamed transaction. No fields.
 *
 * <pre>
 * Byte1('E')
 * </pre>
 */
public record StreamStopMessage() implements PgOutputMessage {

	@Override
	public PgOutputMessageType messageType() {
		return PgOutputMessageType.STREAM_STOP;
	}

}
