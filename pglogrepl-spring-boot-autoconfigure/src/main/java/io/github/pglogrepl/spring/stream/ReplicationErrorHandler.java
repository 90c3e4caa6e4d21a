package io.github.pglogrepl.spring.stream;

import io.github.pglogrepl.spring.event.ReplicationEvent;

/**
 * Decides what happens when a listener throws. Declare a bean of this type to replace the default
 * ({@link DefaultReplicationErrorHandler}: log and retry). Called on the stream's dispatch thread, right after the
 * listener threw; the stream delivers nothing else until it returns.
 */
@FunctionalInterface
public interface ReplicationErrorHandler {

	/**
	 * Handles a listener failure.
	 * @param event the event whose listener threw
	 * @param error the exception
	 * @param attempt how many times in a row delivery failed at this position (1 on the first failure)
	 * @return what to do
	 */
	ErrorAction handle(ReplicationEvent event, Throwable error, int attempt);

}
