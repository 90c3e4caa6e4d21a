package io.github.pglogrepl.reliability.support;

import java.sql.Connection;
import java.sql.DriverManager;
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
public final class Writer implements AutoCloseable {

	private final String url;

	private final Properties properties;

	private final String table;

	private final int maxRowsPerTransaction;

	private final long pauseMillis;

	private final AtomicLong nextId;

	private final AtomicLong lastAcked = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong transactions = new AtomicLong();

	private final BitSet acked = new BitSet();

	private final long firstId;

	private volatile boolean running;

	private Thread thread;

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
		this.url = url;
		this.properties = properties;
		this.table = table;
		this.firstId = firstId;
		this.nextId = new AtomicLong(firstId);
		this.maxRowsPerTransaction = maxRowsPerTransaction;
		this.pauseMillis = pauseMillis;
	}

	/**
	 * @return this, writing
	 */
	public Writer start() {
		this.running = true;
		this.thread = new Thread(this::run, "reliability-writer-" + this.table);
		this.thread.setDaemon(true);
		this.thread.start();
		return this;
	}

	private void run() {
		Connection connection = null;
		while (this.running) {
			try {
				if (connection == null) {
					connection = DriverManager.getConnection(this.url, this.properties);
					connection.setAutoCommit(false);
				}
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
				this.transactions.incrementAndGet();
			}
			catch (SQLException ex) {
				this.failures.incrementAndGet();
				close(connection);
				connection = null;
				Soak.sleep(100);
			}
			if (this.pauseMillis > 0) {
				Soak.sleep(this.pauseMillis);
			}
		}
		close(connection);
	}

	private static void close(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// gone already
			}
		}
	}

	/**
	 * @return the highest id whose commit returned normally (every id above it committed later, if at all)
	 */
	public long lastAcked() {
		return this.lastAcked.get();
	}

	/**
	 * @return transactions committed
	 */
	public long transactions() {
		return this.transactions.get();
	}

	/**
	 * @return transactions that failed (commit outcome unknown)
	 */
	public long failures() {
		return this.failures.get();
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

	/** Stops writing and waits for the last transaction. */
	public void stop() {
		this.running = false;
		if (this.thread != null) {
			try {
				this.thread.join(30_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void close() {
		stop();
	}

}
