package io.github.pglogrepl.spring.event;

/**
 * The earlier, partial delivery of a streamed transaction is void ({@code pglogrepl.pgoutput.streaming}): the
 * connection was lost, or delivery started over after a listener failure, between the transaction's first
 * {@link StreamStartEvent} and its {@link StreamCommitEvent} (or the {@link StreamAbortEvent} of the whole
 * transaction). Discard what you kept of {@link #xid()}, as for a {@code StreamAbortEvent} of the whole
 * transaction.
 *
 * <p>It is published when the new connection starts, before any event received on it. The server then decodes
 * the transaction again from its start: if it committed (or is still in progress) it comes again in full — in
 * streamed blocks beginning with a {@code StreamStartEvent} whose {@code message().firstSegment()} is true, or as
 * a plain {@code BeginEvent} … {@code CommitEvent} if it no longer exceeds {@code logical_decoding_work_mem}; if it
 * aborted, the server may send nothing more of it.
 *
 * <p>The container knows what it delivered only while it runs: after an application restart there is no such
 * event, and a {@code StreamStartEvent} with {@code firstSegment()} true for an xid you hold partial changes of
 * says the same.
 */
public final class StreamInterruptedEvent extends ReplicationEvent {

	private static final long serialVersionUID = 1L;

	private final long xid;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param xid the streamed transaction whose partial delivery is void
	 */
	public StreamInterruptedEvent(Object source, String slotName, long xid) {
		super(source, slotName);
		this.xid = xid;
	}

	/**
	 * @return the top-level transaction id, as {@link StreamStartEvent#xid()} gave it
	 */
	public long xid() {
		return this.xid;
	}

	@Override
	public String toString() {
		return "StreamInterruptedEvent[xid=" + this.xid + "]";
	}

}
