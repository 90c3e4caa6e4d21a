package io.github.pglogrepl.spring.event;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.protocol.XLogData;

/**
 * Every XLogData message as received (published when {@code pglogrepl.events.raw=true}), before it is
 * decoded: the raw pgoutput bytes with their WAL position.
 */
public final class XLogDataEvent extends ReplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient XLogData xlogData;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param xlogData the message
	 */
	public XLogDataEvent(Object source, String slotName, XLogData xlogData) {
		super(source, slotName);
		this.xlogData = xlogData;
	}

	/**
	 * @return the WAL position of the data
	 */
	public Lsn walStart() {
		return this.xlogData.walStart();
	}

	/**
	 * @return the server's end of WAL when the message was sent
	 */
	public Lsn serverWalEnd() {
		return this.xlogData.serverWalEnd();
	}

	/**
	 * @return the server's clock when the message was sent
	 */
	public Instant serverTime() {
		return this.xlogData.serverTime();
	}

	/**
	 * @return the data as a read-only buffer (no copy)
	 */
	public ByteBuffer data() {
		return this.xlogData.data();
	}

	/**
	 * @return the data size in bytes
	 */
	public int size() {
		return this.xlogData.dataLength();
	}

	/**
	 * @return the core-library message
	 */
	public XLogData xlogData() {
		return this.xlogData;
	}

	@Override
	public String toString() {
		return "XLogDataEvent[walStart=" + walStart() + ", serverWalEnd=" + serverWalEnd() + ", size=" + size() + "]";
	}

}
