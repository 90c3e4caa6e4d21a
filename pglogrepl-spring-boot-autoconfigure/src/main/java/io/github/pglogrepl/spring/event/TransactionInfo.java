package io.github.pglogrepl.spring.event;

import java.time.Instant;

import io.github.pglogrepl.Lsn;

/**
 * The transaction a change belongs to, as known when the change is delivered.
 *
 * @param xid the transaction id
 * @param commitLsn LSN of the commit (or prepare) record; {@code null} for a streamed in-progress
 * transaction, whose commit is not known yet
 * @param commitTime commit (or prepare) time; {@code null} for a streamed in-progress transaction
 * @param streamed whether the change was streamed before its transaction ended
 *
 */
public record TransactionInfo(long xid, Lsn commitLsn, Instant commitTime, boolean streamed) {

	/** No transaction: the rows of a {@link SnapshotEvent} (xid 0). */
	public static final TransactionInfo NONE = new TransactionInfo(0, null, null, false);

}
