package io.github.pglogrepl.reliability.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commits rows continuously: transactions of 1 to {@code maxRowsPerTransaction} rows with increasing ids,
 * one transaction every {@code pauseMillis}. A failed transaction (the server restarting, say) is given up
 * and its ids are not reused; whether it committed is for the table to tell, which is why the tests take
 * the set of committed rows from the table itself. Ids whose commit returned normally are remembered to
 * check that the server kept every acknowledged commit.
 */
public final class Writer extends TransactionLoop {

	private final String table;

	private final int maxRowsPerTransaction;

	private final AtomicLong nextId;

	private final AtomicLong lastAcked = new AtomicLong();

	private final BitSet acked = new BitSet();

	private final long firstId;

	/**
	 * @param url JDBC URL
	 * @param properties connection properties
	 * @param table table with columns {@code id bigint primary key, payload text}
	 * @param firstId first id
	 * @param maxRowsPerTransaction rows per transaction, at most
	 * @param pauseMillis pause between transactions
	 */
	public Writer(String url, Properties properties, String table, long firstId, int maxRowsPerTransaction,
			long pauseMillis) {
		super(url, properties, "reliability-writer-" + table, pauseMillis);
		this.table = table;
		this.firstId = firstId;
		this.nextId = new AtomicLong(firstId);
		this.maxRowsPerTransaction = maxRowsPerTransaction;
	}

	/**
	 * @return this, writing
	 */
	public Writer start() {
		startLoop();
		return this;
	}

	@Override
	void transaction(Connection connection) throws SQLException {
		int rows = ThreadLocalRandom.current().nextInt(1, this.maxRowsPerTransaction + 1);
		long from = this.nextId.getAndAdd(rows);
		long to = from + rows - 1;
		try (Statement st = connection.createStatement()) {
			st.execute("INSERT INTO " + this.table + " (id, payload) SELECT g, 'row ' || g FROM generate_series("
					+ from + ", " + to + ") g");
		}
		connection.commit();
		synchronized (this.acked) {
			this.acked.set((int) (from - this.firstId), (int) (to - this.firstId + 1));
		}
		this.lastAcked.set(to);
	}

	/**
	 * @return the highest id whose commit returned normally (every id above it committed later, if at all)
	 */
	public long lastAcked() {
		return this.lastAcked.get();
	}

	/**
	 * @return ids whose commit returned normally
	 */
	public java.util.Set<Long> ackedIds() {
		java.util.Set<Long> ids = new java.util.HashSet<>();
		synchronized (this.acked) {
			this.acked.stream().forEach((i) -> ids.add(this.firstId + i));
		}
		return ids;
	}

}
