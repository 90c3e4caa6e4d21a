package io.github.pglogrepl.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady load for the latency test: single-row INSERT transactions (autocommit) at a fixed rate from a few
 * connections, open loop (each transaction has a scheduled start; a thread that falls behind catches up
 * without sleeping, so a machine that cannot keep up shows as a lower achieved rate).
 */
final class LoadGenerator {

	/** What was generated. */
	record Result(long rows, long warmupRows, long measureFromMicros, double measuredSeconds, double achievedRate) {
	}

	private final Server server;

	private final int threads;

	LoadGenerator(Server server, int threads) {
		this.server = server;
		this.threads = threads;
	}

	Result run(long firstId, int rate, int warmupSeconds, int seconds) throws Exception {
		return run(firstId, rate, warmupSeconds, seconds, () -> false);
	}

	/**
	 * @param firstId the first row's id
	 * @param rate transactions per second
	 * @param warmupSeconds seconds of warm-up (rows before the measured window)
	 * @param seconds the most seconds after the warm-up
	 * @param stop checked after the warm-up before each transaction: ends the load early
	 * @return what was generated
	 */
	Result run(long firstId, int rate, int warmupSeconds, int seconds, java.util.function.BooleanSupplier stop)
			throws Exception {
		long interval = 1_000_000_000L / rate;
		long warmupCount = (long) rate * warmupSeconds;
		long total = warmupCount + (long) rate * seconds;
		AtomicLong failures = new AtomicLong();
		AtomicLong inserted = new AtomicLong();
		long[] measuredStart = new long[1];
		long[] measuredEnd = new long[this.threads];
		Thread[] workers = new Thread[this.threads];
		long t0 = System.nanoTime() + 200_000_000L;
		Instant wall0 = Instant.now().plusNanos(t0 - System.nanoTime());
		long measureFromMicros = wall0.getEpochSecond() * 1_000_000L + wall0.getNano() / 1_000
				+ warmupCount * interval / 1_000;
		for (int w = 0; w < this.threads; w++) {
			int worker = w;
			workers[w] = new Thread(() -> {
				try (Connection c = this.server.connect();
						PreparedStatement insert = c.prepareStatement("INSERT INTO bench (id, name, qty, price, created_at) "
								+ "VALUES (?, ?, ?, ?, now())")) {
					for (long i = worker; i < total; i += this.threads) {
						long due = t0 + i * interval;
						long wait = due - System.nanoTime();
						if (wait > 0) {
							LockSupport.parkNanos(wait);
						}
						if (i == warmupCount) {
							measuredStart[0] = System.nanoTime();
						}
						if (i >= warmupCount && stop.getAsBoolean()) {
							break;
						}
						long id = firstId + i;
						insert.setLong(1, id);
						insert.setString(2, "customer-" + Long.toHexString(id * 0x9E3779B97F4A7C15L));
						insert.setInt(3, (int) (id % 1000));
						insert.setBigDecimal(4, java.math.BigDecimal.valueOf(id % 100000, 2));
						insert.executeUpdate();
						inserted.incrementAndGet();
					}
					measuredEnd[worker] = System.nanoTime();
				}
				catch (SQLException ex) {
					failures.incrementAndGet();
					ex.printStackTrace();
				}
			}, "bench-load-" + w);
			workers[w].start();
		}
		for (Thread t : workers) {
			t.join();
		}
		if (failures.get() > 0) {
			throw new IllegalStateException("load generator failed");
		}
		long start = (measuredStart[0] != 0) ? measuredStart[0] : t0 + warmupCount * interval;
		long end = 0;
		for (long e : measuredEnd) {
			end = Math.max(end, e);
		}
		double measured = (end - start) / 1e9;
		long rows = inserted.get();
		return new Result(rows, warmupCount, measureFromMicros, measured, (rows - warmupCount) / measured);
	}

}
