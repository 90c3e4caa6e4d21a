package io.github.pglogrepl.reliability.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer's thread: one transaction after another on a connection of its own, {@code pauseMillis} apart; a
 * transaction that fails (the server restarting, say) is given up, the connection opened again 100 ms later.
 * The writers ({@link Writer}, {@link KafkaWriter}) say what a transaction writes.
 */
abstract class TransactionLoop implements AutoCloseable {

	private final String url;

	private final Properties properties;

	private final String threadName;

	private final long pauseMillis;

	private final AtomicLong transactions = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private volatile boolean running;

	private Thread thread;

	TransactionLoop(String url, Properties properties, String threadName, long pauseMillis) {
		this.url = url;
		this.properties = properties;
		this.threadName = threadName;
		this.pauseMillis = pauseMillis;
	}

	/**
	 * Writes and commits one transaction.
	 * @param connection the loop's connection (auto-commit off)
	 * @throws SQLException if it fails: the transaction is given up and the connection closed
	 */
	abstract void transaction(Connection connection) throws SQLException;

	/** Starts the thread. */
	final void startLoop() {
		this.running = true;
		this.thread = new Thread(this::run, this.threadName);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void run() {
		Connection connection = null;
		while (this.running) {
			try {
				if (connection == null) {
					connection = DriverManager.getConnection(this.url, this.properties);
					connection.setAutoCommit(false);
				}
				transaction(connection);
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
