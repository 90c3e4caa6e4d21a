package io.github.pglogrepl.connection;

import java.lang.reflect.Field;
import java.sql.Connection;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.QueryExecutorBase;

/**
 * Lets a non-blocking CopyBoth read wait briefly in the socket instead of returning at once.
 *
 * <p>pgjdbc's {@code readFromCopy(false)} asks its {@code PGStream} whether a message is pending. By default
 * that answers from the bytes already buffered and only once a second peeks at the socket (with a 1 ms
 * timeout); pgjdbc's own replication API turns the once-a-second limit off ({@code
 * setMinStreamAvailableCheckDelay(0)}), so every poll that finds nothing buffered waits up to 1 ms in the
 * kernel and returns as soon as bytes arrive. This class does the same for our stream: the reader then sleeps
 * in the socket rather than in a park loop (fewer wake-ups, no polling delay), and a writer on another thread
 * still waits at most about 1 ms for the connection's lock. pgjdbc has no public setter for it, so the
 * stream is reached by reflection; if that fails (another driver version or a security manager), the stream
 * keeps polling with short parks.
 */
final class SocketWaits {

	private SocketWaits() {
	}

	/**
	 * @param connection a pgjdbc connection
	 * @return whether non-blocking reads now wait up to 1 ms in the socket
	 */
	static boolean enable(Connection connection) {
		try {
			QueryExecutor executor = connection.unwrap(BaseConnection.class).getQueryExecutor();
			if (!(executor instanceof QueryExecutorBase)) {
				return false;
			}
			Field field = QueryExecutorBase.class.getDeclaredField("pgStream");
			field.setAccessible(true);
			((PGStream) field.get(executor)).setMinStreamAvailableCheckDelay(0);
			return true;
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError | java.sql.SQLException ex) {
			return false;
		}
	}

}
