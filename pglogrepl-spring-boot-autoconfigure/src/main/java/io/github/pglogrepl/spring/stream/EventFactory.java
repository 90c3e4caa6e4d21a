package io.github.pglogrepl.spring.stream;

import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.BeginMessage;
import io.github.pglogrepl.pgoutput.BeginPrepareMessage;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.CommitPreparedMessage;
import io.github.pglogrepl.pgoutput.DeleteMessage;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;
import io.github.pglogrepl.pgoutput.OriginMessage;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PrepareMessage;
import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.RollbackPreparedMessage;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.StreamAbortMessage;
import io.github.pglogrepl.pgoutput.StreamCommitMessage;
import io.github.pglogrepl.pgoutput.StreamPrepareMessage;
import io.github.pglogrepl.pgoutput.StreamStartMessage;
import io.github.pglogrepl.pgoutput.StreamStopMessage;
import io.github.pglogrepl.pgoutput.TruncateMessage;
import io.github.pglogrepl.pgoutput.TypeMessage;
import io.github.pglogrepl.pgoutput.UpdateMessage;
import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.BeginPrepareEvent;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.CommitPreparedEvent;
import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.LogicalMessageEvent;
import io.github.pglogrepl.spring.event.OriginEvent;
import io.github.pglogrepl.spring.event.PrepareEvent;
import io.github.pglogrepl.spring.event.RelationEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.RollbackPreparedEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.StreamAbortEvent;
import io.github.pglogrepl.spring.event.StreamCommitEvent;
import io.github.pglogrepl.spring.event.StreamPrepareEvent;
import io.github.pglogrepl.spring.event.StreamStartEvent;
import io.github.pglogrepl.spring.event.StreamStopEvent;
import io.github.pglogrepl.spring.event.TransactionInfo;
import io.github.pglogrepl.spring.event.TruncateEvent;
import io.github.pglogrepl.spring.event.TypeEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;

/**
 * Turns decoded pgoutput messages into events, tracking the enclosing transaction. Used by the dispatch
 * thread only.
 */
final class EventFactory {

	/** The transaction being delivered (dispatch thread only). */
	static final class Transaction {

		TransactionInfo current;

	}

	private final Object source;

	private final String slot;

	private final RowTypeRegistry rowTypes;

	private final ConversionService conversionService;

	private final boolean primitivesDefaultedForNullValue;

	private io.github.pglogrepl.spring.outbox.OutboxCodec outboxCodec;

	private OutboxPayloadTypes outboxPayloadTypes = new OutboxPayloadTypes();

	private boolean publishMessages = true;

	/**
	 * @param publishMessages whether logical decoding messages other than outbox events are published
	 * ({@code pgoutput.messages})
	 */
	void setPublishMessages(boolean publishMessages) {
		this.publishMessages = publishMessages;
	}

	EventFactory(Object source, String slot, RowTypeRegistry rowTypes, ConversionService conversionService) {
		this(source, slot, rowTypes, conversionService, false);
	}

	EventFactory(Object source, String slot, RowTypeRegistry rowTypes, ConversionService conversionService,
			boolean primitivesDefaultedForNullValue) {
		this.source = source;
		this.slot = slot;
		this.rowTypes = (rowTypes != null) ? rowTypes : new RowTypeRegistry();
		this.conversionService = conversionService;
		this.primitivesDefaultedForNullValue = primitivesDefaultedForNullValue;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	ReplicationEvent create(PgOutputMessage message, Lsn walStart, Transaction txn) {
		if (message instanceof InsertMessage m) {
			Class type = rowType(m.relation());
			return new InsertEvent(this.source, this.slot, m, walStart, info(txn, m.xid()), type, row(m.newRow(), false));
		}
		if (message instanceof UpdateMessage m) {
			Class type = rowType(m.relation());
			return new UpdateEvent(this.source, this.slot, m, walStart, info(txn, m.xid()), type, row(m.newRow(), false),
					row(m.oldRow(), m.oldTupleType() == 'K'));
		}
		if (message instanceof DeleteMessage m) {
			Class type = rowType(m.relation());
			return new DeleteEvent(this.source, this.slot, m, walStart, info(txn, m.xid()), type,
					row(m.oldRow(), m.oldTupleType() == 'K'));
		}
		return createOther(message, walStart, txn);
	}

	/**
	 * @param relation the table, as the snapshot describes it
	 * @param tuple a row read by a snapshot
	 * @param walStart where it is merged into the stream (the chunk's high watermark)
	 * @param snapshotId the snapshot's id
	 * @return the row's event
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	ReplicationEvent snapshotRow(RelationMessage relation, io.github.pglogrepl.pgoutput.TupleData tuple, Lsn walStart,
			String snapshotId) {
		InsertMessage message = new InsertMessage(0, relation, tuple);
		Class type = rowType(relation);
		return new SnapshotEvent(this.source, this.slot, message, walStart, type, row(message.newRow(), false),
				snapshotId);
	}

	/** The messages other than row changes: once per transaction or rarer (kept out of the row path). */
	private ReplicationEvent createOther(PgOutputMessage message, Lsn walStart, Transaction txn) {
		if (message instanceof BeginMessage m) {
			txn.current = new TransactionInfo(Integer.toUnsignedLong(m.xid()), m.finalLsn(), m.commitTime(), false);
			return new BeginEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof CommitMessage m) {
			txn.current = null;
			return new CommitEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof RelationMessage m) {
			return new RelationEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof TruncateMessage m) {
			return new TruncateEvent(this.source, this.slot, m, walStart, info(txn, m.xid()));
		}
		if (message instanceof LogicalDecodingMessage m) {
			if (this.outboxCodec != null && this.outboxCodec.prefix().equals(m.prefix())) {
				return outboxEvent(m, walStart, txn);
			}
			// messages may be streamed for snapshots or the outbox only: published when asked for
			return this.publishMessages ? new LogicalMessageEvent(this.source, this.slot, m, walStart) : null;
		}
		if (message instanceof TypeMessage m) {
			return new TypeEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof OriginMessage m) {
			return new OriginEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof StreamStartMessage m) {
			return new StreamStartEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof StreamStopMessage m) {
			return new StreamStopEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof StreamCommitMessage m) {
			return new StreamCommitEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof StreamAbortMessage m) {
			return new StreamAbortEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof BeginPrepareMessage m) {
			txn.current = new TransactionInfo(Integer.toUnsignedLong(m.xid()), m.prepareLsn(), m.prepareTime(), false);
			return new BeginPrepareEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof PrepareMessage m) {
			txn.current = null;
			return new PrepareEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof CommitPreparedMessage m) {
			return new CommitPreparedEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof RollbackPreparedMessage m) {
			return new RollbackPreparedEvent(this.source, this.slot, m, walStart);
		}
		if (message instanceof StreamPrepareMessage m) {
			return new StreamPrepareEvent(this.source, this.slot, m, walStart);
		}
		return null;
	}

	/**
	 * @param codec reads outbox events (messages with its prefix); {@code null}: no outbox
	 * @param payloadTypes the payload type of each event type
	 */
	void setOutbox(io.github.pglogrepl.spring.outbox.OutboxCodec codec, OutboxPayloadTypes payloadTypes) {
		this.outboxCodec = codec;
		this.outboxPayloadTypes = (payloadTypes != null) ? payloadTypes : new OutboxPayloadTypes();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private ReplicationEvent outboxEvent(LogicalDecodingMessage m, Lsn walStart, Transaction txn) {
		io.github.pglogrepl.spring.outbox.OutboxMessage outbox;
		try {
			outbox = this.outboxCodec.decode(m.content());
		}
		catch (IllegalArgumentException ex) {
			// not written by Outbox: delivered as what it is, a logical decoding message, never dropped
			org.apache.commons.logging.LogFactory.getLog(EventFactory.class)
				.warn("A logical decoding message with the outbox prefix '" + m.prefix() + "' at " + walStart
						+ " is not an outbox event (" + ex.getMessage() + "); delivered as LogicalMessageEvent");
			return new LogicalMessageEvent(this.source, this.slot, m, walStart);
		}
		Class type = this.outboxPayloadTypes.typeFor(outbox.eventType());
		TransactionInfo transaction = m.transactional() ? info(txn, m.xid()) : new TransactionInfo(0, null, null, false);
		return new io.github.pglogrepl.spring.event.OutboxEvent(this.source, this.slot, m, walStart, transaction, outbox,
				type, this.outboxCodec);
	}

	private TransactionInfo info(Transaction txn, int streamedXid) {
		if (streamedXid != 0) {
			return new TransactionInfo(Integer.toUnsignedLong(streamedXid), null, null, true);
		}
		return (txn.current != null) ? txn.current : new TransactionInfo(0, null, null, false);
	}

	private final java.util.Map<RelationMessage, Class<?>> rowTypeByRelation = new java.util.IdentityHashMap<>();

	private Class<?> rowType(RelationMessage relation) {
		Class<?> type = this.rowTypeByRelation.get(relation);
		if (type == null) {
			if (this.rowTypeByRelation.size() > 10_000) {
				this.rowTypeByRelation.clear();
			}
			type = this.rowTypes.typeFor(relation.namespace(), relation.name());
			this.rowTypeByRelation.put(relation, type);
		}
		return type;
	}

	private ChangeRow row(Row row, boolean keyOnly) {
		return (row != null)
				? new ChangeRow(row, this.conversionService, keyOnly, this.primitivesDefaultedForNullValue) : null;
	}

}
