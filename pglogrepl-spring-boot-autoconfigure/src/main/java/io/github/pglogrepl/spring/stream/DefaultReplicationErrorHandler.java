package io.github.pglogrepl.spring.stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.spring.event.ReplicationEvent;

/**
 * The default error handler: logs the failure and returns {@link ErrorAction#RETRY}, so the container backs
 * off, reconnects and redelivers the transaction (at-least-once; nothing is acknowledged past it).
 */
public class DefaultReplicationErrorHandler implements ReplicationErrorHandler {

	private static final Log logger = LogFactory.getLog(DefaultReplicationErrorHandler.class);

	private final boolean logRowValues;

	/**
	 * Creates a handler that logs the failed event without its column values.
	 */
	public DefaultReplicationErrorHandler() {
		this(false);
	}

	/**
	 * @param logRowValues whether the log shows the column values of a failed row event (row contents can be
	 * personal data: {@code pglogrepl.log-row-values})
	 */
	public DefaultReplicationErrorHandler(boolean logRowValues) {
		this.logRowValues = logRowValues;
	}

	@Override
	public ErrorAction handle(ReplicationEvent event, Throwable error, int attempt) {
		String described = (event != null) ? event.describe(this.logRowValues) : "an event";
		logger.error("Listener failed on " + described + " (attempt " + attempt
				+ "); will reconnect and redeliver from the last acknowledged position", error);
		return ErrorAction.RETRY;
	}

}
