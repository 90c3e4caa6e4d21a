package io.github.pglogrepl.spring.stream;

import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.XLogData;

/**
 * A message the reader received and hands to the dispatcher: a decoded change (with its XLogData) or, when
 * keepalive events are published, a keepalive.
 */
sealed interface Received permits Received.Change, Received.Keepalive {

	/**
	 * An XLogData message and its decoded pgoutput message.
	 *
	 * @param data the XLogData (WAL position, raw bytes)
	 * @param message the decoded message
	 */
	record Change(XLogData data, PgOutputMessage message) implements Received {
	}

	/**
	 * A primary keepalive, published as {@code KeepaliveEvent}.
	 *
	 * @param keepalive the keepalive
	 */
	record Keepalive(PrimaryKeepalive keepalive) implements Received {
	}

}
