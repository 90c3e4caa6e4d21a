package io.github.pglogrepl.spring.event;

import java.time.Instant;

import org.springframework.core.ResolvableType;
import org.springframework.core.ResolvableTypeProvider;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.RelationMessage;

/**
 * Base class of {@link InsertEvent}, {@link UpdateEvent} and {@link DeleteEvent}. The type parameter is the
 * Java type rows of the table map to: a record or bean registered for the table (see
 * {@code @ReplicatedTable}), or {@link ChangeRow} for tables without one. Listeners declared for
 * {@code InsertEvent<Order>} receive only inserts into the table mapped to {@code Order}; listeners for
 * {@code InsertEvent<?>} receive all.
 *
 * @param <T> the row type
 * @param <M> the message type
 */
public abstract class RowChangeEvent<T, M extends PgOutputMessage> extends PgOutputEvent<M>
		implements ResolvableTypeProvider {

	private static final long serialVersionUID = 1L;

	private final TableName table;

	private final transient java.util.List<String> columnNames;

	private final transient TransactionInfo transaction;

	private final Class<T> rowType;

	private final transient ResolvableType resolvableType;

	RowChangeEvent(Object source, String slotName, M message, Lsn walStart, RelationMessage relation,
			TransactionInfo transaction, Class<T> rowType) {
		super(source, slotName, message, walStart);
		this.table = new TableName(relation.namespace(), relation.name());
		this.columnNames = new ColumnNames(relation);
		this.transaction = transaction;
		this.rowType = rowType;
		this.resolvableType = resolvableType(getClass(), rowType);
	}

	/** Per row type (a ClassValue lookup): its resolved event types in a small map by event class. */
	private static final ClassValue<java.util.Map<Class<?>, ResolvableType>> TYPES = new ClassValue<>() {

		@Override
		protected java.util.Map<Class<?>, ResolvableType> computeValue(Class<?> rowType) {
			return new java.util.concurrent.ConcurrentHashMap<>(4);
		}

	};

	private static ResolvableType resolvableType(Class<?> eventClass, Class<?> rowType) {
		java.util.Map<Class<?>, ResolvableType> byEvent = TYPES.get(rowType);
		ResolvableType type = byEvent.get(eventClass);
		if (type == null) {
			type = ResolvableType.forClassWithGenerics(eventClass, rowType);
			byEvent.put(eventClass, type);
		}
		return type;
	}

	/**
	 * @return the table
	 */
	public TableName table() {
		return this.table;
	}

	/**
	 * @return the transaction the change belongs to
	 */
	public TransactionInfo transaction() {
		return this.transaction;
	}

	/**
	 * @return the transaction id
	 */
	public long xid() {
		return this.transaction.xid();
	}

	/**
	 * @return the commit LSN of the transaction, or {@code null} for a streamed in-progress transaction
	 */
	public Lsn commitLsn() {
		return this.transaction.commitLsn();
	}

	/**
	 * @return the commit time, or {@code null} for a streamed in-progress transaction
	 */
	public Instant commitTime() {
		return this.transaction.commitTime();
	}

	/**
	 * @return the Java type rows map to
	 */
	public Class<T> rowType() {
		return this.rowType;
	}

	@SuppressWarnings("unchecked")
	T map(ChangeRow row) {
		if (row == null) {
			return null;
		}
		return (this.rowType == ChangeRow.class) ? (T) row : row.as(this.rowType);
	}

	@Override
	public ResolvableType getResolvableType() {
		return this.resolvableType;
	}

	/**
	 * @return the table, WAL position, transaction and column names, without values
	 */
	@Override
	public String toString() {
		return describe(false);
	}

	@Override
	public String describe(boolean withRowValues) {
		StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("[table=")
			.append(this.table)
			.append(", lsn=")
			.append(walStart())
			.append(", xid=")
			.append(xid());
		if (commitLsn() != null) {
			sb.append(", commitLsn=").append(commitLsn());
		}
		sb.append(", columns=").append(this.columnNames);
		if (withRowValues) {
			appendValues(sb);
		}
		return sb.append(']').toString();
	}

	/**
	 * Appends the rows' values, for {@link #describe(boolean)}.
	 * @param sb where to append
	 */
	abstract void appendValues(StringBuilder sb);

	static void appendRow(StringBuilder sb, String name, ChangeRow row) {
		if (row != null) {
			sb.append(", ").append(name).append('=').append(row.toMap());
		}
	}

}
