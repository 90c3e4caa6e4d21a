package io.github.pglogrepl.spring.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

import io.github.pglogrepl.spring.event.ReplicationEvent;

/**
 * Decides what happens to a record the broker rejected for good ({@link #isRejection(Throwable)}). Declare a bean
 * of this type to decide per record (by topic, by exception); the default,
 * {@link DefaultRejectedRecordHandler}, applies {@code pglogrepl.kafka.on-rejected} to every record. Called on the
 * stream's dispatch thread, once per rejected record.
 */
@FunctionalInterface
public interface RejectedRecordHandler {

	/**
	 * @param record the record as it was sent (its value can be large; do not log it unless asked to)
	 * @param exception the producer's or the broker's error
	 * @param event the change the record came from
	 * @return what to do
	 */
	RejectedRecordAction handle(ProducerRecord<byte[], byte[]> record, Exception exception, ReplicationEvent event);

	/**
	 * @param exception a send's failure
	 * @return whether it is a rejection of this record that sending again cannot cure: too large
	 * ({@link RecordTooLargeException}, {@link RecordBatchTooLargeException}), not authorized
	 * ({@link AuthorizationException}), an invalid topic or record. Anything else — the broker down or slow
	 * (timeouts), a leader moving, the producer fenced or closed, the other records of an aborted Kafka
	 * transaction — is always retried and never reaches a handler.
	 */
	static boolean isRejection(Throwable exception) {
		return exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException
				|| exception instanceof AuthorizationException || exception instanceof InvalidTopicException
				|| exception instanceof InvalidRecordException;
	}

}
