package io.github.pglogrepl.spring.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.PgOutputEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;

/**
 * The records of one stream that the {@link RejectedRecordHandler} sent to the dead-letter topic: remembered when
 * the rejection is seen (on the producer's thread), and taken when the stream delivers the change again, so the
 * record is then sent to {@code <topic><suffix>} in its place. A record is known by its topic, its change's
 * position in the WAL (a snapshot row by its table's topic and key alone: a chunk read again has a new
 * position), its key and its place among the change's records — the same on every delivery of the change.
 *
 * <p>The dead-letter record keeps the key and the headers and adds Spring Kafka's {@code kafka_dlt-*} headers
 * (original topic, exception class and message, as {@code DeadLetterPublishingRecoverer} writes them) and
 * {@code pglogrepl_lsn}; the value is kept unless the record was too large, then it is left out (null) and
 * {@code pglogrepl_dlt-value-omitted} says how many bytes it had.
 */
final class DeadLetters {

	static final String ORIGINAL_TOPIC = "kafka_dlt-original-topic";

	static final String EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";

	static final String EXCEPTION_MESSAGE = "kafka_dlt-exception-message";

	static final String LSN = "pglogrepl_lsn";

	static final String VALUE_OMITTED = "pglogrepl_dlt-value-omitted";

	private final String suffix;

	/** The most records remembered; the oldest are forgotten beyond (they are rejected and handled again). */
	private static final int MAX_REMEMBERED = 10_000;

	/** Record id → the rejection and the change's position ({@code null} for a snapshot row). */
	private final java.util.Map<String, Rejection> rejected = new ConcurrentHashMap<>();

	private record Rejection(Exception exception, Lsn position) {
	}

	DeadLetters(String suffix) {
		this.suffix = suffix;
	}

	/**
	 * @param record a record
	 * @param index its place among its change's records
	 * @param event its change
	 * @return its identity across deliveries
	 */
	static String id(ProducerRecord<byte[], byte[]> record, int index, ReplicationEvent event) {
		Lsn walStart = walStart(event);
		String position = (event instanceof SnapshotEvent<?>) ? "r"
				: String.valueOf((walStart != null) ? walStart.asLong() : -1);
		String key = (record.key() != null) ? Base64.getEncoder().encodeToString(record.key()) : "-";
		return record.topic() + '|' + position + '|' + key + '|' + index;
	}

	/**
	 * The record is to go to the dead-letter topic when its change is delivered again.
	 * @param id its {@link #id}
	 * @param exception why it was rejected
	 */
	void remember(String id, Exception exception, ReplicationEvent event) {
		if (this.rejected.size() >= MAX_REMEMBERED) {
			this.rejected.clear();
		}
		this.rejected.put(id, new Rejection(exception, (event instanceof SnapshotEvent<?>) ? null : walStart(event)));
	}

	/**
	 * The slot was acknowledged up to a position: changes before it are not delivered again, their records need
	 * not be remembered.
	 * @param acknowledged the acknowledged position
	 */
	void acknowledged(Lsn acknowledged) {
		if (!this.rejected.isEmpty()) {
			this.rejected.values()
				.removeIf((rejection) -> rejection.position() != null && rejection.position().isBefore(acknowledged));
		}
	}

	/**
	 * @param record a record about to be sent
	 * @param id its {@link #id}
	 * @param event its change
	 * @return the record, or its dead-letter record if it was rejected before
	 */
	ProducerRecord<byte[], byte[]> route(ProducerRecord<byte[], byte[]> record, String id, ReplicationEvent event) {
		if (this.rejected.isEmpty()) {
			return record;
		}
		// kept until acknowledged past: every delivery of the change sends its dead letter (at-least-once)
		Rejection rejection = this.rejected.get(id);
		if (rejection == null) {
			return record;
		}
		Exception exception = rejection.exception();
		boolean tooLarge = exception instanceof RecordTooLargeException
				|| exception instanceof RecordBatchTooLargeException;
		ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(record.topic() + this.suffix, null, record.key(),
				tooLarge ? null : record.value());
		for (Header header : record.headers()) {
			letter.headers().add(header);
		}
		letter.headers().add(ORIGINAL_TOPIC, utf8(record.topic()));
		letter.headers().add(EXCEPTION_FQCN, utf8(exception.getClass().getName()));
		letter.headers().add(EXCEPTION_MESSAGE, utf8(String.valueOf(exception.getMessage())));
		Lsn walStart = walStart(event);
		if (walStart != null) {
			letter.headers().add(LSN, utf8(walStart.toString()));
		}
		if (tooLarge && record.value() != null) {
			letter.headers().add(VALUE_OMITTED, utf8(String.valueOf(record.value().length)));
		}
		return letter;
	}

	/**
	 * @return how many rejected records are routed to their dead-letter topic when delivered again
	 */
	int waiting() {
		return this.rejected.size();
	}

	private static Lsn walStart(ReplicationEvent event) {
		return (event instanceof PgOutputEvent<?> pgoutput) ? pgoutput.walStart() : null;
	}

	private static byte[] utf8(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
