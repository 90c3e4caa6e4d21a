package io.github.pglogrepl.spring.event;

import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.PrimaryKeepalive;

/**
 * A primary keepalive message (published when {@code pglogrepl.events.keepalive=true}). The container answers
 * reply requests itself; this event is informational.
 */
public final class KeepaliveEvent extends ReplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient PrimaryKeepalive keepalive;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param keepalive the message
	 */
	public KeepaliveEvent(Object source, String slotName, PrimaryKeepalive keepalive) {
		super(source, slotName);
		this.keepalive = keepalive;
	}

	/**
	 * @return the server's end of WAL
	 */
	public Lsn serverWalEnd() {
		return this.keepalive.serverWalEnd();
	}

	/**
	 * @return the server's clock
	 */
	public Instant serverTime() {
		return this.keepalive.serverTime();
	}

	/**
	 * @return whether the server asked for an immediate reply
	 */
	public boolean replyRequested() {
		return this.keepalive.replyRequested();
	}

}
