package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Checks, on its own thread and connection, that the stream's publications still exist. A dropped publication
 * is not an error for every server version (PostgreSQL 18 only logs a warning and sends nothing for it), so
 * without this check the stream would go on silently missing changes; with it the stream reports a problem
 * (health DOWN, logged once) until the publication is back.
 *
 * <p>On the same thread and connection it polls how much WAL the slot holds back
 * ({@link ServerCatalog#slotRetention(String)}, for the retention meters and health): the replication connection
 * cannot run SQL, and the I/O thread must not wait for a query.
 *
 * <p>It keeps one ordinary connection open (application name ending in {@code -watchdog}) and opens a new one
 * only after a failure; connection problems themselves are the reader's to report.
 */
final class PublicationWatchdog {

	private static final Log logger = LogFactory.getLog(PublicationWatchdog.class);

	private final List<String> publications;

	private final StreamConnectionFactory connections;

	private final StreamMonitor monitor;

	private final String streamName;

	private final String slotName;

	private final long periodMillis;

	private ScheduledExecutorService executor;

	/** Used by the watchdog thread; closed by {@link #stop()} after the thread ended. */
	private volatile Connection connection;

	PublicationWatchdog(String streamName, List<String> publications, StreamConnectionFactory connections,
			StreamMonitor monitor, Duration period) {
		this.streamName = streamName;
		this.slotName = monitor.slotName();
		this.publications = List.copyOf(publications);
		this.connections = connections;
		this.monitor = monitor;
		this.periodMillis = Math.max(1000, period.toMillis());
	}

	/** Starts checking, every {@code status-interval} (at least every second). */
	void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pglogrepl-watchdog-" + this.streamName);
			thread.setDaemon(true);
			return thread;
		});
		this.executor.scheduleWithFixedDelay(this::check, this.periodMillis, this.periodMillis, TimeUnit.MILLISECONDS);
		// at once, so the retention figures are there from the start
		this.executor.scheduleWithFixedDelay(this::pollRetention, 0, this.periodMillis, TimeUnit.MILLISECONDS);
	}

	private void check() {
		try {
			if (this.connection == null) {
				this.connection = this.connections.openConnection("watchdog");
			}
			List<String> missing = new ServerCatalog(this.connection).missingPublications(this.publications);
			String problem = missing.isEmpty() ? null : "Publication(s) " + missing
					+ " (pglogrepl.publication.names) no longer exist: their changes are not streamed";
			if (problem != null && !problem.equals(this.monitor.problem())) {
				logger.error(problem + ". Create them again (CREATE PUBLICATION ...) or fix pglogrepl.publication.names.");
			}
			this.monitor.problem(problem);
		}
		catch (SQLException ex) {
			closeConnection();
		}
	}

	private void pollRetention() {
		try {
			if (this.connection == null) {
				this.connection = this.connections.openConnection("watchdog");
			}
			this.monitor.slotRetention(new ServerCatalog(this.connection).slotRetention(this.slotName));
		}
		catch (SQLException ex) {
			closeConnection();
		}
	}

	/** Stops the checks and closes the connection (waits up to 5 s for a check in progress). */
	void stop() {
		if (this.executor == null) {
			return;
		}
		this.executor.shutdownNow();
		try {
			this.executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		closeConnection();
	}

	private void closeConnection() {
		Connection c = this.connection;
		this.connection = null;
		if (c != null) {
			try {
				c.close();
			}
			catch (SQLException ex) {
				// already broken
			}
		}
	}

}
