package io.github.pglogrepl.spring.security;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import org.springframework.boot.diagnostics.FailureAnalysis;

import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.test.TestPostgres;

/**
 * Helpers of the security tests: URLs, the server's slots and publications, a canary table, log capture and
 * the text of exception chains.
 */
final class SecurityTestSupport {

	/** The canary table that SQL fragments in names try to drop. */
	static final String VICTIM = "victim";

	private SecurityTestSupport() {
	}

	/** @return the JDBC URL of the test server without a user parameter (pgjdbc lets URL parameters win) */
	static String urlWithoutUser(TestPostgres pg) {
		String url = pg.jdbcUrl();
		int q = url.indexOf('?');
		if (q < 0) {
			return url;
		}
		StringBuilder query = new StringBuilder();
		for (String param : url.substring(q + 1).split("&")) {
			if (!param.startsWith("user=") && !param.isEmpty()) {
				query.append((query.length() == 0) ? "?" : "&").append(param);
			}
		}
		return url.substring(0, q) + query;
	}

	/** @return the URL with a query parameter added */
	static String withParam(String url, String param) {
		return url + ((url.indexOf('?') < 0) ? "?" : "&") + param;
	}

	/** @return the user to connect as */
	static String user(TestPostgres pg) {
		return (pg.user() != null) ? pg.user() : "postgres";
	}

	// ------------------------------------------------------------------ server objects

	/** Creates the canary table (once) and returns its row count. */
	static long createVictim(TestPostgres pg) {
		pg.execute("CREATE TABLE IF NOT EXISTS " + VICTIM + " (id int PRIMARY KEY, note text)",
				"INSERT INTO " + VICTIM + " VALUES (1, 'canary') ON CONFLICT DO NOTHING");
		return victimRows(pg);
	}

	/** @return the canary's row count; fails if the table is gone */
	static long victimRows(TestPostgres pg) {
		String exists = pg.queryString("SELECT to_regclass('public." + VICTIM + "')::text");
		if (exists == null) {
			throw new AssertionError("The canary table " + VICTIM + " was dropped");
		}
		return Long.parseLong(pg.queryString("SELECT count(*) FROM " + VICTIM));
	}

	/** @return the names of all publications */
	static Set<String> publications(TestPostgres pg) {
		return names(pg, "SELECT pubname FROM pg_publication");
	}

	/** @return the names of all replication slots */
	static Set<String> slots(TestPostgres pg) {
		return names(pg, "SELECT slot_name FROM pg_replication_slots");
	}

	/** @return the tables of a publication, as schema.table */
	static Set<String> publicationTables(TestPostgres pg, String publication) {
		Set<String> result = new TreeSet<>();
		try (Connection c = pg.connect();
				PreparedStatement ps = c.prepareStatement(
						"SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
			ps.setString(1, publication);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					result.add(rs.getString(1));
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return result;
	}

	private static Set<String> names(TestPostgres pg, String sql) {
		Set<String> result = new TreeSet<>();
		try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
			while (rs.next()) {
				result.add(rs.getString(1));
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return result;
	}

	/** @return the elements of {@code after} not in {@code before} */
	static Set<String> added(Set<String> before, Set<String> after) {
		Set<String> result = new TreeSet<>(after);
		result.removeAll(before);
		return result;
	}

	/** Waits until no slot outside {@code before} exists (temporary slots vanish shortly after their connection). */
	static Set<String> addedSlotsAfterSettling(TestPostgres pg, Set<String> before) {
		long deadline = System.nanoTime() + 10_000_000_000L;
		Set<String> added = added(before, slots(pg));
		while (!added.isEmpty() && System.nanoTime() < deadline) {
			sleep(50);
			added = added(before, slots(pg));
		}
		return added;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	// ------------------------------------------------------------------ failures

	/** @return the ReplicationSetupException in the causes of a failure, or null */
	static ReplicationSetupException setupException(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof ReplicationSetupException ex) {
				return ex;
			}
		}
		return null;
	}

	/** @return description and action */
	static String text(FailureAnalysis analysis) {
		return analysis.getDescription() + "\n" + analysis.getAction();
	}

	/**
	 * @return everything an exception shows: toString, message and stack trace of it, its causes and suppressed
	 * exceptions (printStackTrace covers them all)
	 */
	static String text(Throwable failure) {
		StringWriter out = new StringWriter();
		try (PrintWriter writer = new PrintWriter(out)) {
			failure.printStackTrace(writer);
			Map<Throwable, Boolean> seen = new IdentityHashMap<>();
			for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
				writer.println(t.getMessage());
				writer.println(t.getLocalizedMessage());
				writer.println(t);
			}
		}
		return out.toString();
	}

	// ------------------------------------------------------------------ logs

	/**
	 * Captures every log event (SLF4J/Logback and Commons Logging at DEBUG and below, pgjdbc's
	 * java.util.logging at every level) until closed, with messages, arguments and stack traces.
	 */
	static final class LogCapture implements AutoCloseable {

		private static final String[] TRACE_LOGGERS = { "io.github.pglogrepl", "org.postgresql", "com.zaxxer" };

		private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

		private final Map<String, Level> levels = new java.util.HashMap<>();

		private final java.util.logging.Logger pgjdbc = java.util.logging.Logger.getLogger("org.postgresql");

		private final java.util.logging.Level pgjdbcLevel;

		private final List<String> julRecords = Collections.synchronizedList(new ArrayList<>());

		private final Handler handler = new Handler() {

			private final SimpleFormatter formatter = new SimpleFormatter();

			@Override
			public void publish(LogRecord record) {
				LogCapture.this.julRecords.add(this.formatter.format(record));
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};

		LogCapture() {
			LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
			this.appender.setContext(context);
			this.appender.start();
			Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
			root.addAppender(this.appender);
			this.levels.put(org.slf4j.Logger.ROOT_LOGGER_NAME, root.getLevel());
			root.setLevel(Level.DEBUG);
			for (String name : TRACE_LOGGERS) {
				Logger logger = context.getLogger(name);
				this.levels.put(name, logger.getLevel());
				logger.setLevel(Level.TRACE);
			}
			this.pgjdbcLevel = this.pgjdbc.getLevel();
			this.pgjdbc.setLevel(java.util.logging.Level.ALL);
			this.handler.setLevel(java.util.logging.Level.ALL);
			this.pgjdbc.addHandler(this.handler);
		}

		/** @return number of captured events */
		int size() {
			return this.appender.list.size() + this.julRecords.size();
		}

		/** @return all captured events as text */
		String text() {
			StringBuilder sb = new StringBuilder();
			for (ILoggingEvent event : List.copyOf(this.appender.list)) {
				sb.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(' ')
					.append(event.getFormattedMessage()).append('\n');
				if (event.getArgumentArray() != null) {
					for (Object argument : event.getArgumentArray()) {
						sb.append("  arg: ").append(argument).append('\n');
					}
				}
				if (event.getThrowableProxy() != null) {
					sb.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
				}
			}
			synchronized (this.julRecords) {
				for (String record : this.julRecords) {
					sb.append("JUL ").append(record);
				}
			}
			return sb.toString();
		}

		@Override
		public void close() {
			LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
			context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this.appender);
			this.appender.stop();
			this.levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
			this.pgjdbc.removeHandler(this.handler);
			this.pgjdbc.setLevel(this.pgjdbcLevel);
		}

	}

}
