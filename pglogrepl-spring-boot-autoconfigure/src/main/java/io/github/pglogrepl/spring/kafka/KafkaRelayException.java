package io.github.pglogrepl.spring.kafka;

/**
 * A record the relay sent was not acknowledged by the broker (or could not be sent). Thrown from the relay's
 * listener on the stream's dispatch thread, it goes to the stream's {@code ReplicationErrorHandler}: the default
 * retries, delivering the stream again from the last acknowledged position, so nothing is lost. The message names
 * the topic and the event (table, WAL position, transaction), never row values.
 */
public class KafkaRelayException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed
	 * @param cause the producer's exception
	 */
	public KafkaRelayException(String message, Throwable cause) {
		super(message, cause);
	}

}
