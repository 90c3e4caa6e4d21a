package io.github.pglogrepl.spring.stream;

import java.util.ArrayList;
import java.util.List;

import org.springframework.util.Assert;

import io.github.pglogrepl.spring.snapshot.SnapshotMode;

/**
 * How a stream reads snapshots ({@code pglogrepl.snapshot.*}): part of {@link StreamContainerProperties}.
 */
public class SnapshotSettings {

	/** Default {@link #getChunkSize()}: 8,192 rows. */
	public static final int DEFAULT_CHUNK_SIZE = 8192;

	/** Default {@link #getChunkMaxBytes()}: 8 MiB. */
	public static final long DEFAULT_CHUNK_MAX_BYTES = 8L * 1024 * 1024;

	/** Default {@link #getProgressTable()}. */
	public static final String DEFAULT_PROGRESS_TABLE = "pglogrepl_snapshot";

	/** Where the progress of snapshots is kept. */
	public enum ProgressStore {

		/**
		 * A table in the streamed database ({@link #getProgressTable()}), created if missing: a snapshot resumes
		 * after a restart, and an initial snapshot is not repeated. The default.
		 */
		TABLE,

		/**
		 * Only in memory: nothing is created in the database; a snapshot interrupted by a restart is lost, and
		 * an initial snapshot is read again at every start.
		 */
		MEMORY

	}

	private boolean enabled = true;

	private SnapshotMode mode = SnapshotMode.NEVER;

	private List<String> tables = new ArrayList<>();

	private int chunkSize = DEFAULT_CHUNK_SIZE;

	private long chunkMaxBytes = DEFAULT_CHUNK_MAX_BYTES;

	private int threads = 1;

	private ProgressStore progressStore = ProgressStore.TABLE;

	private String progressTable = DEFAULT_PROGRESS_TABLE;

	/**
	 * @return whether snapshots can run on this stream (the initial one and backfills); {@code true} by default.
	 * When {@code true}, the stream asks pgoutput for logical decoding messages, which carry the snapshot's
	 * watermarks (they are not published as {@code LogicalMessageEvent}s unless
	 * {@code pglogrepl.pgoutput.messages=true}).
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * @param enabled whether snapshots can run on this stream
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * @return when the stream reads its tables' rows; {@link SnapshotMode#NEVER} by default
	 */
	public SnapshotMode getMode() {
		return this.mode;
	}

	/**
	 * @param mode when the stream reads its tables' rows
	 */
	public void setMode(SnapshotMode mode) {
		Assert.notNull(mode, "mode must not be null");
		this.mode = mode;
	}

	/**
	 * @return the tables the initial snapshot reads; empty (the default) for every published table
	 */
	public List<String> getTables() {
		return this.tables;
	}

	/**
	 * @param tables the tables the initial snapshot reads
	 */
	public void setTables(List<String> tables) {
		this.tables = (tables != null) ? new ArrayList<>(tables) : new ArrayList<>();
	}

	/**
	 * @return the most rows read in one chunk (one short read-only transaction); 8,192 by default
	 */
	public int getChunkSize() {
		return this.chunkSize;
	}

	/**
	 * @param chunkSize the most rows read in one chunk
	 */
	public void setChunkSize(int chunkSize) {
		Assert.isTrue(chunkSize > 0, "chunkSize must be positive");
		this.chunkSize = chunkSize;
	}

	/**
	 * @return the most bytes of row data held for one chunk: a chunk ends early when its rows reach it, so memory
	 * stays bounded whatever the row size; 8 MiB by default
	 */
	public long getChunkMaxBytes() {
		return this.chunkMaxBytes;
	}

	/**
	 * @param chunkMaxBytes the most bytes of row data held for one chunk
	 */
	public void setChunkMaxBytes(long chunkMaxBytes) {
		Assert.isTrue(chunkMaxBytes > 0, "chunkMaxBytes must be positive");
		this.chunkMaxBytes = chunkMaxBytes;
	}

	/**
	 * @return how many tables are read at the same time (one connection each); 1 by default
	 */
	public int getThreads() {
		return this.threads;
	}

	/**
	 * @param threads how many tables are read at the same time
	 */
	public void setThreads(int threads) {
		Assert.isTrue(threads > 0, "threads must be positive");
		this.threads = threads;
	}

	/**
	 * @return where progress is kept; {@link ProgressStore#TABLE} by default
	 */
	public ProgressStore getProgressStore() {
		return this.progressStore;
	}

	/**
	 * @param progressStore where progress is kept
	 */
	public void setProgressStore(ProgressStore progressStore) {
		Assert.notNull(progressStore, "progressStore must not be null");
		this.progressStore = progressStore;
	}

	/**
	 * @return the progress table ({@code table} or {@code schema.table}, created if missing);
	 * {@value #DEFAULT_PROGRESS_TABLE} by default (in the first schema of the search path)
	 */
	public String getProgressTable() {
		return this.progressTable;
	}

	/**
	 * @param progressTable the progress table
	 */
	public void setProgressTable(String progressTable) {
		Assert.hasText(progressTable, "progressTable must not be empty");
		this.progressTable = progressTable;
	}

}
