package io.github.pglogrepl.spring.kafka;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.github.pglogrepl.spring.event.ReplicationEvent;

/**
 * Applies one {@link RejectedRecordAction} to every rejected record ({@code pglogrepl.kafka.on-rejected}) and logs
 * it with the topic, the change (without row values unless {@code pglogrepl.log-row-values}) and the reason.
 */
public class DefaultRejectedRecordHandler implements RejectedRecordHandler {

	private static final Log logger = LogFactory.getLog(DefaultRejectedRecordHandler.class);

	private final RejectedRecordAction action;

	private final boolean logRowValues;

	/**
	 * @param action what to do with every rejected record
	 * @param logRowValues whether the log line shows the row's values
	 */
	public DefaultRejectedRecordHandler(RejectedRecordAction action, boolean logRowValues) {
		this.action = action;
		this.logRowValues = logRowValues;
	}

	@Override
	public RejectedRecordAction handle(ProducerRecord<byte[], byte[]> record, Exception exception,
			ReplicationEvent event) {
		int size = ((record.key() != null) ? record.key().length : 0)
				+ ((record.value() != null) ? record.value().length : 0);
		String what = "The broker rejected a record for topic " + record.topic() + " (" + size + " bytes) of "
				+ event.describe(this.logRowValues) + ": " + exception;
		switch (this.action) {
			case DEAD_LETTER -> logger.error(what + "; it goes to the dead-letter topic (pglogrepl.kafka.on-rejected="
					+ "dead-letter)");
			case STOP -> logger.error(what + "; stopping the stream (pglogrepl.kafka.on-rejected=stop): fix the cause"
					+ " (topic max.message.bytes, ACLs) and start it again");
			default -> logger.error(what + "; it is sent again with the stream's back-off until accepted "
					+ "(pglogrepl.kafka.on-rejected=retry): fix the cause (topic max.message.bytes, ACLs) or choose "
					+ "dead-letter");
		}
		return this.action;
	}

	/**
	 * @return the action applied to every rejected record
	 */
	public RejectedRecordAction action() {
		return this.action;
	}

}
