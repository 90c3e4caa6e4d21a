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

	@Override
	public ErrorAction handle(ReplicationEvent event, Throwable error, int attempt) {
		logger.error("Listener failed on " + event + " (attempt " + attempt
				+ "); will reconnect and redeliver from the last acknowledged position", error);
		return ErrorAction.RETRY;
	}

}
