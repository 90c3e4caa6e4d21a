package io.github.pglogrepl.spring.event;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.InsertMessage;

/**
 * A row read by a snapshot (see {@code pglogrepl.snapshot.mode} and {@code Snapshots}): the row's state at the
 * point of the stream where it is delivered. Typed like {@link InsertEvent} — the same table-to-type mapping,
 * {@link #table()}, {@link #newRow()}, {@link #newValue()} — but a class of its own, so listeners of
 * {@code InsertEvent} do not receive it. Both are {@link RowChangeEvent}s, so one listener can take every row
 * event of a table:
 *
 * <pre>{@code
 * @EventListener
 * void on(RowChangeEvent<Order, ?> event) {
 *     switch (event) {
 *         case SnapshotEvent<Order> e -> upsert(e.newValue());
 *         case InsertEvent<Order> e -> upsert(e.newValue());
 *         case UpdateEvent<Order> e -> upsert(e.newValue());   // delete e.oldValue() first if the key changed
 *         case DeleteEvent<Order> e -> delete(e.oldValue());
 *         default -> { }
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #message()} is an insert message built from the row as read (it was not received from the server);
 * {@link #walStart()} is the position of the snapshot chunk's high watermark, where the row was merged into the
 * stream; {@link #xid()} is 0 and {@link #commitLsn()} {@code null}.
 *
 * @param <T> the row type (see {@link RowChangeEvent})
 */
public final class SnapshotEvent<T> extends RowChangeEvent<T, InsertMessage> {

	private static final long serialVersionUID = 1L;

	private final transient ChangeRow newRow;

	private final String snapshotId;

	/**
	 * Creates an event.
	 * @param source the publishing container
	 * @param slotName the slot
	 * @param message the row as an insert message
	 * @param walStart the position where the row is merged into the stream
	 * @param rowType the row type
	 * @param newRow the row
	 * @param snapshotId the snapshot's id
	 */
	public SnapshotEvent(Object source, String slotName, InsertMessage message, Lsn walStart, Class<T> rowType,
			ChangeRow newRow, String snapshotId) {
		super(source, slotName, message, walStart, message.relation(), TransactionInfo.NONE, rowType);
		this.newRow = newRow;
		this.snapshotId = snapshotId;
	}

	/**
	 * @return the row as read
	 */
	public ChangeRow newRow() {
		return this.newRow;
	}

	/**
	 * @return the row mapped to the row type
	 */
	public T newValue() {
		return map(this.newRow);
	}

	/**
	 * @return the id of the snapshot that read the row ({@code initial} for the initial snapshot)
	 */
	public String snapshotId() {
		return this.snapshotId;
	}

	@Override
	void appendValues(StringBuilder sb) {
		appendRow(sb, "newRow", this.newRow);
	}

}
