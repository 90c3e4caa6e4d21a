package io.github.pglogrepl.spring.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.spring.event.TableName;
import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotStatus;

/**
 * One table of a snapshot, read chunk after chunk by a snapshot thread: low watermark (with the progress of the
 * chunk before), read, high watermark, wait until the dispatch thread delivered the chunk, then on to the next
 * key. A chunk the dispatch thread could not trust is read again.
 */
final class TableSnapshot implements Runnable {

	private static final Log logger = LogFactory.getLog(TableSnapshot.class);

	/** Chunks start small and grow (×4) up to the chunk size, so large rows never make a large first read. */
	private static final int FIRST_LIMIT = 32;

	/**
	 * A chunk read again this many times in a row fails the table; between attempts the thread waits 50 ms,
	 * doubling up to 5 s (about 5 minutes in all).
	 */
	private static final int MAX_RETRIES = 70;

	/** Chunks read ahead of the one being delivered (bounded memory: this many chunks per thread). */
	private static final int IN_FLIGHT = 2;

	final SnapshotCoordinator.Job job;

	final ServerCatalog.PublishedTable table;

	final RelationMessage relation;

	final TableName tableName;

	final ChunkReader reader;

	private final SnapshotCoordinator coordinator;

	private volatile SnapshotStatus status;

	private volatile long rows;

	private volatile long chunks;

	private volatile long retries;

	private volatile long rowsEstimate;

	private volatile Instant startedAt;

	private volatile Instant finishedAt;

	private volatile String reason;

	private volatile List<String> cursor;

	/** Dispatch thread: whether the started event went out in this run. */
	boolean startedPublished;

	/** Dispatch thread: rows delivered, those recorded before this run included. */
	private long rowsDispatched;

	TableSnapshot(SnapshotCoordinator coordinator, SnapshotCoordinator.Job job, ServerCatalog.PublishedTable table,
			SnapshotProgressStore.Entry stored) {
		this.coordinator = coordinator;
		this.job = job;
		this.table = table;
		this.tableName = new TableName(table.schema(), table.name());
		List<RelationMessage.Column> columns = new ArrayList<>();
		for (ServerCatalog.TableColumn column : table.columns()) {
			columns.add(new RelationMessage.Column(column.identity(), column.name(), column.typeOid(),
					column.typeModifier()));
		}
		this.relation = new RelationMessage(0, (int) table.oid(), table.schema(), table.name(),
				table.replicaIdentity(), columns);
		this.reader = new ChunkReader(table, job.condition);
		this.status = SnapshotStatus.PENDING;
		this.rowsEstimate = -1;
		if (stored != null) {
			this.status = stored.status();
			this.rows = stored.rows();
			this.chunks = stored.chunks();
			this.rowsEstimate = stored.rowsEstimate();
			this.startedAt = stored.startedAt();
			this.finishedAt = stored.finishedAt();
			this.reason = stored.reason();
			this.cursor = stored.cursor();
			this.rowsDispatched = stored.rows();
		}
	}

	/** A table that cannot be read, reported as failed with the reason. */
	TableSnapshot(SnapshotCoordinator coordinator, SnapshotCoordinator.Job job, String qualifiedName, String reason) {
		this.coordinator = coordinator;
		this.job = job;
		this.table = null;
		this.relation = null;
		this.reader = null;
		int dot = qualifiedName.indexOf('.');
		this.tableName = new TableName(qualifiedName.substring(0, Math.max(dot, 0)), qualifiedName.substring(dot + 1));
		this.status = SnapshotStatus.FAILED;
		this.rowsEstimate = -1;
		this.reason = reason;
		this.finishedAt = Instant.now();
	}

	String qualifiedName() {
		return this.tableName.toString();
	}

	SnapshotStatus status() {
		return this.status;
	}

	long rows() {
		return this.rows;
	}

	long retries() {
		return this.retries;
	}

	Instant startedAt() {
		return this.startedAt;
	}

	SnapshotProgress.TableProgress progress() {
		return new SnapshotProgress.TableProgress(qualifiedName(), this.status, this.rows, this.chunks, this.retries,
				this.rowsEstimate, this.startedAt, this.finishedAt, this.reason);
	}

	SnapshotProgressStore.Entry entry() {
		return new SnapshotProgressStore.Entry(this.job.id, qualifiedName(), this.status, this.job.condition,
				this.cursor, this.rows, this.chunks, this.rowsEstimate, this.startedAt, this.finishedAt, this.reason,
				null);
	}

	/** Dispatch thread, before the chunk's outcome completes: the rows it delivered. */
	void chunkDelivered(SnapshotChunk chunk, int delivered) {
		chunk.delivered = delivered;
		this.rowsDispatched += delivered;
	}

	/** @return dispatch thread: rows delivered so far (recorded before this run included) */
	long rowsDispatched() {
		return this.rowsDispatched;
	}

	SnapshotCoordinator.Counters counters() {
		return this.coordinator.counters();
	}

	/** Cancelled before it started: nothing was delivered. */
	void cancelPending() {
		this.status = SnapshotStatus.CANCELLED;
		this.reason = "cancelled";
		this.finishedAt = Instant.now();
	}

	@Override
	public void run() {
		if (this.status.isFinished() || this.coordinator.isStopping()) {
			return;
		}
		if (this.job.cancelled) {
			cancelPending();
			this.coordinator.saveQuietly(entry());
			return;
		}
		try (Connection connection = this.coordinator.openConnection("snapshot of " + qualifiedName())) {
			read(connection);
		}
		catch (SQLException | RuntimeException ex) {
			if (this.coordinator.isStopping()) {
				return;
			}
			this.status = SnapshotStatus.FAILED;
			this.reason = ex.getMessage();
			this.finishedAt = Instant.now();
			logger.error("Snapshot " + this.job.id + " of table " + this.table.quotedName() + " failed after "
					+ this.rows + " rows: " + ex.getMessage()
					+ " (the rows delivered stay delivered; start a backfill of the table to read it again)");
			this.coordinator.saveQuietly(entry());
		}
	}

	private void read(Connection connection) throws SQLException {
		boolean resumed = this.cursor != null;
		this.status = SnapshotStatus.RUNNING;
		if (this.startedAt == null) {
			this.startedAt = Instant.now();
		}
		this.rowsEstimate = this.coordinator.rowsEstimate(connection, this.table);
		this.coordinator.store().save(connection, entry());
		logger.info("Snapshot " + this.job.id + ": reading table " + this.table.quotedName()
				+ (resumed ? " from where it stopped (" + this.rows + " rows delivered before)" : "")
				+ ((this.rowsEstimate >= 0) ? ", about " + this.rowsEstimate + " rows" : ""));
		int limit = Math.min(FIRST_LIMIT, this.coordinator.settings().getChunkSize());
		boolean progressToSave = false;
		int retriesInARow = 0;
		// chunks written and read, waiting for the dispatch thread, oldest first: the next chunk is read while
		// the one before is delivered
		Deque<SnapshotChunk> inFlight = new ArrayDeque<>();
		List<String> readCursor = this.cursor;
		boolean readAll = false;
		try {
			while (true) {
				if (this.job.cancelled) {
					abandon(inFlight);
					cancel(connection);
					return;
				}
				if (this.coordinator.isStopping()) {
					return;
				}
				SnapshotChunk next = (inFlight.size() < IN_FLIGHT && !readAll) ? this.coordinator.register(this, 'H')
						: null;
				if (next != null && retryPending(inFlight)) {
					// a chunk before it is to be read again (decided on the dispatch thread before this one was
					// registered): reading on now would deliver this one twice
					this.coordinator.unregister(next);
					next.finish(SnapshotChunk.Outcome.ABANDONED);
					next = null;
				}
				if (next != null) {
					SnapshotChunk chunk = next;
					inFlight.add(chunk);
					SnapshotProgressStore.Entry progress = progressToSave ? entry() : null;
					chunk.watermark('L').emit(connection,
							(progress != null) ? (c) -> this.coordinator.store().save(c, progress) : null);
					progressToSave = false;
					ChunkReader.Result result = this.reader.read(connection, readCursor, limit,
							this.coordinator.settings().getChunkMaxBytes());
					chunk.filled(result);
					chunk.watermark('H').emit(connection, null);
					if (result.lastKey() != null) {
						readCursor = result.lastKey();
					}
					readAll = result.last();
					if (result.rows().size() < limit && !result.last()) {
						// cut by the byte budget: read about as many next time
						limit = Math.max(1, result.rows().size());
					}
					else {
						limit = (int) Math.min(this.coordinator.settings().getChunkSize(), 4L * limit);
					}
					continue;
				}
				SnapshotChunk chunk = inFlight.peek();
				SnapshotChunk.Outcome outcome = await(chunk);
				if (outcome == SnapshotChunk.Outcome.ABANDONED) {
					continue;
				}
				if (outcome == SnapshotChunk.Outcome.RETRY) {
					// read again from the last delivered chunk (the ones read after it are given up)
					abandon(inFlight);
					readCursor = this.cursor;
					readAll = false;
					this.retries++;
					counters().chunksReadAgain.incrementAndGet();
					if (++retriesInARow > MAX_RETRIES) {
						throw new IllegalStateException("a chunk could not be merged into the stream after "
								+ MAX_RETRIES + " attempts: the stream kept reconnecting, a listener kept failing, or a "
								+ "transaction streamed before the chunk stayed invisible (a commit waiting for a "
								+ "synchronous standby?)");
					}
					pause(Math.min(5000L, 50L << Math.min(retriesInARow - 1, 7)));
					continue;
				}
				inFlight.poll();
				retriesInARow = 0;
				this.rows += chunk.delivered;
				this.chunks++;
				ChunkReader.Result result = chunk.result();
				if (result.lastKey() != null) {
					this.cursor = result.lastKey();
				}
				if (result.last()) {
					this.status = SnapshotStatus.COMPLETED;
					this.finishedAt = Instant.now();
					this.coordinator.store().save(connection, entry());
					logger.info("Snapshot " + this.job.id + ": table " + this.table.quotedName() + " completed, "
							+ this.rows + " rows in " + this.chunks + " chunks, "
							+ Duration.between(this.startedAt, this.finishedAt).toMillis() + " ms"
							+ ((this.retries > 0) ? " (" + this.retries + " chunks read again)" : ""));
					return;
				}
				progressToSave = true;
			}
		}
		finally {
			abandon(inFlight);
		}
	}

	/** @return whether a chunk in flight is to be read again (checked after registering the next one) */
	private static boolean retryPending(Deque<SnapshotChunk> inFlight) {
		for (SnapshotChunk chunk : inFlight) {
			if (chunk.outcome().getNow(null) == SnapshotChunk.Outcome.RETRY) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Gives up chunks not delivered yet: the dispatch thread will ignore their high watermarks. A chunk the
	 * dispatch thread is delivering is waited for (unless the stream stops), so its rows are counted.
	 */
	private void abandon(Deque<SnapshotChunk> inFlight) {
		for (SnapshotChunk chunk : inFlight) {
			if (this.coordinator.unregister(chunk)) {
				chunk.finish(SnapshotChunk.Outcome.ABANDONED);
				continue;
			}
			while (!chunk.isFinished() && !this.coordinator.isStopping()) {
				try {
					chunk.outcome().get(100, TimeUnit.MILLISECONDS);
				}
				catch (TimeoutException | ExecutionException ex) {
					// checked again
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			if (chunk.outcome().getNow(SnapshotChunk.Outcome.ABANDONED) == SnapshotChunk.Outcome.DELIVERED) {
				this.rows += chunk.delivered;
				this.chunks++;
			}
			chunk.finish(SnapshotChunk.Outcome.ABANDONED);
		}
		inFlight.clear();
	}

	private void pause(long millis) {
		long deadline = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < deadline && !this.job.cancelled && !this.coordinator.isStopping()) {
			try {
				Thread.sleep(Math.min(100, Math.max(1, deadline - System.currentTimeMillis())));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private SnapshotChunk.Outcome await(SnapshotChunk chunk) {
		while (true) {
			try {
				return chunk.outcome().get(200, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				// a cancelled chunk is abandoned unless the dispatch thread is delivering it (then its rows are
				// counted once delivered); a stopping stream may never finish delivering it
				if ((this.job.cancelled && this.coordinator.unregister(chunk)) || this.coordinator.isStopping()) {
					this.coordinator.unregister(chunk);
					chunk.finish(SnapshotChunk.Outcome.ABANDONED);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.coordinator.unregister(chunk);
				chunk.finish(SnapshotChunk.Outcome.ABANDONED);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(ex.getCause());
			}
		}
	}

	private void cancel(Connection connection) throws SQLException {
		this.status = SnapshotStatus.CANCELLED;
		this.reason = "cancelled";
		this.finishedAt = Instant.now();
		SnapshotChunk marker = this.coordinator.register(this, 'C');
		SnapshotProgressStore.Entry progress = entry();
		marker.watermark('C').emit(connection, (c) -> this.coordinator.store().save(c, progress));
		logger.info("Snapshot " + this.job.id + ": table " + this.table.quotedName() + " cancelled after "
				+ this.rows + " rows");
	}

}
