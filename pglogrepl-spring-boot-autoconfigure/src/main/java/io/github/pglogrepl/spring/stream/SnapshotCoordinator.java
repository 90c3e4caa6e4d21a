package io.github.pglogrepl.spring.stream;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.BeginMessage;
import io.github.pglogrepl.pgoutput.DeleteMessage;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.LogicalDecodingMessage;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.Row;
import io.github.pglogrepl.pgoutput.TruncateMessage;
import io.github.pglogrepl.pgoutput.TupleData;
import io.github.pglogrepl.pgoutput.UpdateMessage;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotChunkEndEvent;
import io.github.pglogrepl.spring.event.SnapshotTableCancelledEvent;
import io.github.pglogrepl.spring.event.SnapshotTableCompletedEvent;
import io.github.pglogrepl.spring.event.SnapshotTableStartedEvent;
import io.github.pglogrepl.spring.snapshot.SnapshotMode;
import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;
import io.github.pglogrepl.spring.snapshot.SnapshotStatus;
import io.github.pglogrepl.spring.snapshot.Snapshots;

/**
 * The snapshots of one stream: starts and resumes them, runs their tables on the snapshot threads
 * ({@link TableSnapshot}), and — on the dispatch thread — merges their chunks into the stream.
 *
 * <p><b>How a chunk is merged</b> (the watermark algorithm of DBLog, with the markers carried by the stream
 * itself). The snapshot thread writes a low watermark L, reads the chunk in a transaction whose snapshot S it
 * keeps, and writes a high watermark H ({@link Watermark}). The dispatch thread, between L and H, collects the
 * keys of the chunk's table that the stream changes (inserts, updates — old and new key — deletes; a truncate
 * of the table voids the whole chunk). At H it delivers the chunk's rows whose key was not changed in the
 * window, as {@code SnapshotEvent}s, in place of H. A row delivered so is the table's current state at H: any
 * change to it visible to S was delivered before (S began after L), any change after S but before H was in the
 * window (its row is dropped: the change carries the newer state), any later change follows. The one exception
 * — a transaction streamed before L but still invisible to S (its commit record written, its commit not yet
 * finished when S began) — is caught with {@link RecentTransactions}: the chunk is then read again.
 */
final class SnapshotCoordinator implements Snapshots {

	private static final Log logger = LogFactory.getLog(SnapshotCoordinator.class);

	/** The id of the initial snapshot. */
	static final String INITIAL = "initial";

	/** A snapshot: its tables. */
	static final class Job {

		final String id;

		final String condition;

		final Instant createdAt;

		final List<TableSnapshot> tables = new CopyOnWriteArrayList<>();

		volatile boolean cancelled;

		Job(String id, String condition, Instant createdAt) {
			this.id = id;
			this.condition = condition;
			this.createdAt = createdAt;
		}

	}

	/** Counts over the container's runs, for the meters. */
	static final class Counters {

		final AtomicLong rows = new AtomicLong();

		final AtomicLong chunks = new AtomicLong();

		final AtomicLong chunksReadAgain = new AtomicLong();

	}

	/** What the dispatch thread does with a message the coordinator has seen. */
	static final class Output {

		/** Not published (a watermark, the progress table, an unrequested logical message). */
		static final Output HIDE = new Output(Collections.emptyIterator(), null);

		Iterator<ReplicationEvent> events;

		private final SnapshotChunk chunk;

		/** Rows given out by {@link #events}. */
		int rows;

		Output(Iterator<ReplicationEvent> events, SnapshotChunk chunk) {
			this.events = events;
			this.chunk = chunk;
		}

		/** Every event was published. */
		void delivered() {
			if (this.chunk != null) {
				this.chunk.table.chunkDelivered(this.chunk, this.rows);
				this.chunk.table.counters().rows.addAndGet(this.rows);
				this.chunk.table.counters().chunks.incrementAndGet();
				this.chunk.finish(SnapshotChunk.Outcome.DELIVERED);
			}
		}

		/** Delivery was given up (listener failure): the chunk is read again. */
		void failed() {
			if (this.chunk != null) {
				this.chunk.finish(SnapshotChunk.Outcome.RETRY);
			}
		}

	}

	private final Object source;

	private final StreamContainerProperties properties;

	private final SnapshotSettings settings;

	private final StreamConnectionFactory connections;

	private final EventFactory events;

	private final SnapshotProgressStore store;

	private final String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

	private final AtomicLong nextChunk = new AtomicLong();

	private final Map<Long, SnapshotChunk> chunks = new ConcurrentHashMap<>();

	private final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>());

	private final ExecutorService executor;

	private volatile boolean stopping;

	/** Open once {@link #start()} has loaded the progress store (and created its table): requests wait for it. */
	private final CountDownLatch loaded = new CountDownLatch(1);

	/** The progress table as the stream names it ({@code schema.name}), hidden from the listeners. */
	private volatile String progressTableName;

	private final Counters counters;

	// dispatch thread only

	private final RecentTransactions recent = new RecentTransactions();

	private final Map<Integer, List<SnapshotChunk>> windows = new HashMap<>();

	private final Map<RelationMessage, int[]> keyPositions = new IdentityHashMap<>();

	SnapshotCoordinator(Object source, StreamContainerProperties properties, StreamConnectionFactory connections,
			EventFactory events, Counters counters) {
		this.source = source;
		this.counters = counters;
		this.properties = properties;
		this.settings = properties.getSnapshot();
		this.connections = connections;
		this.events = events;
		this.store = new SnapshotProgressStore(this.settings, properties.getSlotName());
		AtomicInteger threadNumber = new AtomicInteger();
		this.executor = Executors.newFixedThreadPool(this.settings.getThreads(), (task) -> {
			Thread thread = new Thread(task,
					"pglogrepl-snapshot-" + properties.getStreamName() + "-" + threadNumber.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	SnapshotSettings settings() {
		return this.settings;
	}

	SnapshotProgressStore store() {
		return this.store;
	}

	boolean isStopping() {
		return this.stopping;
	}

	Connection openConnection(String purpose) throws SQLException {
		return this.connections.openConnection(purpose);
	}

	Counters counters() {
		return this.counters;
	}

	/** @return tables of running snapshots not finished yet */
	long tablesRemaining() {
		long remaining = 0;
		for (Job job : jobsSnapshot()) {
			for (TableSnapshot table : job.tables) {
				if (!table.status().isFinished()) {
					remaining++;
				}
			}
		}
		return remaining;
	}

	/**
	 * Loads the progress store, resumes unfinished snapshots and starts the initial one if it never ran. Runs on
	 * a snapshot thread, so the stream's start does not wait for it.
	 */
	void start() {
		this.executor.execute(() -> {
			try (Connection connection = openConnection("snapshot progress")) {
				// created up front only for an initial snapshot; a backfill creates it when it starts
				List<SnapshotProgressStore.Entry> entries = this.store.load(connection,
						this.settings.getMode() == SnapshotMode.INITIAL);
				rememberProgressTable(connection);
				resume(connection, entries);
				boolean initialKnown = entries.stream().anyMatch((e) -> INITIAL.equals(e.snapshotId()));
				if (this.settings.getMode() == SnapshotMode.INITIAL && !initialKnown && !this.stopping) {
					startJob(connection, INITIAL, new SnapshotRequest(this.settings.getTables(), null), true);
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (!this.stopping) {
					logger.error("Snapshots of stream '" + this.properties.getStreamName() + "' could not start: "
							+ ex.getMessage() + " (check pglogrepl.snapshot.progress-table and the role's rights to "
							+ "create it, or set pglogrepl.snapshot.progress-store=memory)", ex);
				}
			}
			finally {
				this.loaded.countDown();
			}
		});
	}

	/** The progress table's name as the stream names it, so its changes are hidden from the listeners. */
	private void rememberProgressTable(Connection connection) throws SQLException {
		if (this.store.isDurable() && this.progressTableName == null) {
			String[] name = new ServerCatalog(connection).resolveTable(this.settings.getProgressTable());
			this.progressTableName = (name != null) ? name[0] + "." + name[1] : null;
		}
	}

	private void resume(Connection connection, List<SnapshotProgressStore.Entry> entries) throws SQLException {
		Map<String, List<SnapshotProgressStore.Entry>> byJob = new LinkedHashMap<>();
		for (SnapshotProgressStore.Entry entry : entries) {
			byJob.computeIfAbsent(entry.snapshotId(), (k) -> new ArrayList<>()).add(entry);
		}
		List<ServerCatalog.PublishedTable> published = null;
		for (Map.Entry<String, List<SnapshotProgressStore.Entry>> e : byJob.entrySet()) {
			List<SnapshotProgressStore.Entry> tables = e.getValue();
			SnapshotProgressStore.Entry first = tables.get(0);
			Job job = new Job(e.getKey(), first.condition(), first.createdAt());
			boolean unfinished = tables.stream().anyMatch((t) -> !t.status().isFinished());
			if (unfinished && published == null) {
				published = new ServerCatalog(connection).publishedTables(this.properties.getPublications());
			}
			for (SnapshotProgressStore.Entry entry : tables) {
				ServerCatalog.PublishedTable table = (published != null) ? find(published, entry.table()) : null;
				if (table == null && !entry.status().isFinished()) {
					TableSnapshot failed = new TableSnapshot(this, job, entry.table(),
							"no longer published by " + this.properties.getPublications());
					job.tables.add(failed);
					this.store.save(connection, failed.entry());
					continue;
				}
				job.tables.add((table != null) ? new TableSnapshot(this, job, table, entry)
						: new TableSnapshot(this, job, describeOnly(entry), entry));
			}
			this.jobs.put(job.id, job);
			if (unfinished) {
				logger.info("Snapshot " + job.id + " of stream '" + this.properties.getStreamName()
						+ "' resumes where it stopped");
				submit(job);
			}
		}
	}

	/** A finished table no longer published: kept for the listing only. */
	private static ServerCatalog.PublishedTable describeOnly(SnapshotProgressStore.Entry entry) {
		int dot = entry.table().indexOf('.');
		return new ServerCatalog.PublishedTable(0, entry.table().substring(0, Math.max(0, dot)),
				entry.table().substring(dot + 1), false, 'd', List.of(), List.of(), null);
	}

	private static ServerCatalog.PublishedTable find(List<ServerCatalog.PublishedTable> tables, String qualified) {
		for (ServerCatalog.PublishedTable table : tables) {
			if (table.qualifiedName().equals(qualified)) {
				return table;
			}
		}
		return null;
	}

	@Override
	public SnapshotProgress start(SnapshotRequest request) {
		if (!this.settings.isEnabled()) {
			throw new SnapshotRequestException("Snapshots are switched off for stream '"
					+ this.properties.getStreamName() + "' (pglogrepl.snapshot.enabled=false)");
		}
		if (this.stopping) {
			throw new SnapshotRequestException("Stream '" + this.properties.getStreamName() + "' is stopping");
		}
		if (this.properties.getStreaming() != StreamingMode.OFF) {
			throw new SnapshotRequestException("Snapshots need pglogrepl.pgoutput.streaming=off: a transaction "
					+ "streamed before it commits cannot be merged with a snapshot chunk yet");
		}
		try {
			// a request right after the stream started must not find the progress table not yet created
			this.loaded.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SnapshotRequestException("Interrupted while snapshots of stream '"
					+ this.properties.getStreamName() + "' were starting");
		}
		String id = "backfill-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
		try (Connection connection = openConnection("snapshot request")) {
			return startJob(connection, id, request, false);
		}
		catch (SQLException ex) {
			throw new SnapshotRequestException("Snapshot could not start: " + ex.getMessage(), ex);
		}
	}

	private SnapshotProgress startJob(Connection connection, String id, SnapshotRequest request, boolean initial)
			throws SQLException {
		if (request.condition() != null) {
			SnapshotCondition.check(request.condition());
		}
		ServerCatalog catalog = new ServerCatalog(connection);
		List<ServerCatalog.PublishedTable> selected = new ArrayList<>();
		if (request.tables().isEmpty()) {
			selected.addAll(catalog.publishedTables(this.properties.getPublications()));
		}
		else {
			// resolved first, so that only the tables asked for are described
			Map<String, String> resolved = new LinkedHashMap<>();
			for (String name : request.tables()) {
				resolved.put(name, resolve(catalog, name));
			}
			List<ServerCatalog.PublishedTable> published = catalog.publishedTables(this.properties.getPublications(),
					new java.util.HashSet<>(resolved.values()));
			for (Map.Entry<String, String> name : resolved.entrySet()) {
				ServerCatalog.PublishedTable table = published(name.getValue(), published);
				// a table named twice (orders, public.orders) is read once: two readers would race on its progress
				if (selected.stream().noneMatch((t) -> t.oid() == table.oid())) {
					selected.add(table);
				}
			}
		}
		Job job = new Job(id, request.condition(), Instant.now());
		synchronized (this.jobs) {
			for (ServerCatalog.PublishedTable table : selected) {
				if (table.chunkKey().isEmpty()) {
					String reason = "table " + table.quotedName() + " has no primary key and no replica identity index "
							+ "to read it in chunks and merge it with the stream; add a primary key";
					if (!initial) {
						throw new SnapshotRequestException("Cannot snapshot " + reason);
					}
					logger.warn("Snapshot " + id + ": skipping " + reason);
					job.tables.add(new TableSnapshot(this, job, table.qualifiedName(), reason));
					continue;
				}
				TableSnapshot running = runningTable(table.qualifiedName());
				if (running != null) {
					throw new SnapshotRequestException("Table " + table.quotedName() + " is already being read by "
							+ "snapshot " + running.job.id + "; wait for it or cancel it first");
				}
				TableSnapshot tableSnapshot = new TableSnapshot(this, job, table, null);
				if (request.condition() != null) {
					try {
						tableSnapshot.reader.checkQuery(connection);
					}
					catch (SQLException ex) {
						throw new SnapshotRequestException("Invalid snapshot condition for table " + table.quotedName()
								+ ": " + ex.getMessage(), ex);
					}
				}
				job.tables.add(tableSnapshot);
			}
			this.store.ensureTable(connection);
			rememberProgressTable(connection);
			saveAll(connection, job);
			this.jobs.put(id, job);
		}
		logger.info("Snapshot " + id + " of stream '" + this.properties.getStreamName() + "' starts: "
				+ job.tables.size() + " table(s)" + ((request.condition() != null) ? " with a condition" : ""));
		submit(job);
		return progress(job);
	}

	/**
	 * Records a new snapshot's tables in one transaction: a snapshot recorded with only some of its tables (the
	 * application killed between two of them) would resume with those alone — the initial snapshot, known from
	 * then on, would never read the others.
	 */
	private void saveAll(Connection connection, Job job) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(false);
		try {
			for (TableSnapshot table : job.tables) {
				this.store.save(connection, table.entry());
			}
			connection.commit();
		}
		catch (SQLException | RuntimeException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setAutoCommit(autoCommit);
		}
	}

	/** @return the table's {@code schema.table}, resolved as SQL does */
	private static String resolve(ServerCatalog catalog, String name) {
		String[] resolved;
		try {
			resolved = catalog.resolveTable(name);
		}
		catch (SQLException ex) {
			throw new SnapshotRequestException("Invalid table name '" + name + "': " + ex.getMessage(), ex);
		}
		if (resolved == null) {
			throw new SnapshotRequestException("No table '" + name + "' (names are resolved as in SQL, with the "
					+ "search path; quote mixed-case names: \"MyTable\")");
		}
		return resolved[0] + "." + resolved[1];
	}

	private ServerCatalog.PublishedTable published(String qualifiedName, List<ServerCatalog.PublishedTable> published) {
		ServerCatalog.PublishedTable table = find(published, qualifiedName);
		if (table == null) {
			throw new SnapshotRequestException("Table " + qualifiedName + " is not published by "
					+ this.properties.getPublications()
					+ " (with a partitioned table and publish_via_partition_root, name the root; without it, the "
					+ "partitions)");
		}
		return table;
	}

	private TableSnapshot runningTable(String qualifiedName) {
		for (Job job : jobsSnapshot()) {
			for (TableSnapshot table : job.tables) {
				if (!table.status().isFinished() && table.qualifiedName().equals(qualifiedName)) {
					return table;
				}
			}
		}
		return null;
	}

	private void submit(Job job) {
		for (TableSnapshot table : job.tables) {
			if (!table.status().isFinished()) {
				this.executor.execute(table);
			}
		}
	}

	private List<Job> jobsSnapshot() {
		synchronized (this.jobs) {
			return new ArrayList<>(this.jobs.values());
		}
	}

	@Override
	public List<SnapshotProgress> list() {
		List<SnapshotProgress> list = new ArrayList<>();
		for (Job job : jobsSnapshot()) {
			list.add(0, progress(job));
		}
		return list;
	}

	@Override
	public Optional<SnapshotProgress> get(String id) {
		Job job = this.jobs.get(id);
		return (job != null) ? Optional.of(progress(job)) : Optional.empty();
	}

	@Override
	public Optional<SnapshotProgress> cancel(String id) {
		Job job = this.jobs.get(id);
		if (job == null) {
			return Optional.empty();
		}
		job.cancelled = true;
		for (SnapshotChunk chunk : this.chunks.values()) {
			if (chunk.table.job == job && chunk.kind == 'H' && unregister(chunk)) {
				chunk.finish(SnapshotChunk.Outcome.ABANDONED);
			}
		}
		logger.info("Snapshot " + id + " of stream '" + this.properties.getStreamName() + "' cancelled");
		return Optional.of(progress(job));
	}

	private SnapshotProgress progress(Job job) {
		List<SnapshotProgress.TableProgress> tables = new ArrayList<>();
		boolean running = false;
		boolean failed = false;
		boolean cancelled = false;
		for (TableSnapshot table : job.tables) {
			SnapshotProgress.TableProgress p = table.progress();
			tables.add(p);
			running |= !p.status().isFinished();
			failed |= p.status() == SnapshotStatus.FAILED;
			cancelled |= p.status() == SnapshotStatus.CANCELLED;
		}
		SnapshotStatus status = running ? SnapshotStatus.RUNNING : failed ? SnapshotStatus.FAILED
				: cancelled ? SnapshotStatus.CANCELLED : SnapshotStatus.COMPLETED;
		return new SnapshotProgress(job.id, this.properties.getStreamName(), status, job.condition, tables);
	}

	long rowsEstimate(Connection connection, ServerCatalog.PublishedTable table) {
		// pg_partition_tree lists nothing for a table that is not part of a partition tree: the table itself then
		try (PreparedStatement ps = connection.prepareStatement("SELECT sum(c.reltuples)::bigint, "
				+ "bool_or(c.reltuples < 0) FROM pg_class c WHERE c.oid IN (SELECT relid FROM "
				+ "pg_partition_tree(CAST(? AS oid)) WHERE isleaf) OR (c.oid = CAST(? AS oid) AND c.relkind <> 'p')")) {
			ps.setLong(1, table.oid());
			ps.setLong(2, table.oid());
			try (ResultSet rs = ps.executeQuery()) {
				if (rs.next() && !rs.getBoolean(2)) {
					long estimate = rs.getLong(1);
					return (estimate > 0) ? estimate : -1;
				}
			}
		}
		catch (SQLException ex) {
			logger.debug("No row estimate for " + table.quotedName() + ": " + ex.getMessage());
		}
		return -1;
	}

	void saveQuietly(SnapshotProgressStore.Entry entry) {
		if (!this.store.isDurable()) {
			return;
		}
		try (Connection connection = openConnection("snapshot progress")) {
			this.store.save(connection, entry);
		}
		catch (SQLException ex) {
			logger.warn("Snapshot progress of " + entry.table() + " not saved: " + ex.getMessage());
		}
	}

	SnapshotChunk register(TableSnapshot table, char kind) {
		SnapshotChunk chunk = new SnapshotChunk(this.nextChunk.incrementAndGet(), table, kind,
				this.properties.getSlotName(), this.run);
		this.chunks.put(chunk.id, chunk);
		return chunk;
	}

	/**
	 * @param chunk a chunk
	 * @return whether it was still registered: only one of the snapshot thread, a cancel and the dispatch thread
	 * (at the high watermark) takes a chunk, so a chunk being delivered is never abandoned
	 */
	boolean unregister(SnapshotChunk chunk) {
		return this.chunks.remove(chunk.id) != null;
	}

	/**
	 * Stops reading: chunks waiting for the stream are given up; what was delivered is in the progress store, so
	 * the snapshots resume at the next start. Waits at most {@code timeout} for the snapshot threads.
	 * @param timeout how long to wait
	 */
	void stop(Duration timeout) {
		this.stopping = true;
		for (SnapshotChunk chunk : this.chunks.values()) {
			chunk.finish(SnapshotChunk.Outcome.ABANDONED);
		}
		this.chunks.clear();
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.executor.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	// ---- dispatch thread ----

	/**
	 * Sees a message before its events are published.
	 * @param message the message
	 * @param walStart its position
	 * @return {@code null} to publish it as usual, {@link Output#HIDE} to publish nothing, or the snapshot events to
	 * publish in its place
	 */
	Output seen(PgOutputMessage message, Lsn walStart) {
		if (message instanceof BeginMessage begin) {
			this.recent.delivered(begin.xid());
			return null;
		}
		if (message instanceof InsertMessage m) {
			return changed(m.relation(), m.newRow(), null);
		}
		if (message instanceof UpdateMessage m) {
			return changed(m.relation(), m.newRow(), m.oldRow());
		}
		if (message instanceof DeleteMessage m) {
			return changed(m.relation(), null, m.oldRow());
		}
		if (message instanceof TruncateMessage m) {
			if (!this.windows.isEmpty()) {
				for (RelationMessage relation : m.relations()) {
					for (SnapshotChunk chunk : this.windows.getOrDefault(relation.relationId(), List.of())) {
						chunk.truncated = true;
					}
				}
			}
			return null;
		}
		if (message instanceof LogicalDecodingMessage m && Watermark.isWatermark(m)) {
			return watermark(Watermark.parse(m), walStart);
		}
		// other logical messages: EventFactory decides (outbox events; the rest only with pgoutput.messages)
		return null;
	}

	private Output changed(RelationMessage relation, Row newRow, Row oldRow) {
		String progressTable = this.progressTableName;
		if (progressTable != null && progressTable.equals(relation.qualifiedName())) {
			return Output.HIDE;
		}
		if (this.windows.isEmpty()) {
			return null;
		}
		List<SnapshotChunk> open = this.windows.get(relation.relationId());
		if (open == null) {
			return null;
		}
		for (SnapshotChunk chunk : open) {
			int[] positions = positions(relation, chunk.table.table.chunkKey());
			List<Object> newKey = (newRow != null) ? key(newRow, positions) : null;
			List<Object> oldKey = (oldRow != null) ? key(oldRow, positions) : null;
			if ((newRow != null && newKey == null && oldKey == null) || (newRow == null && oldKey == null)) {
				// a change whose key cannot be told (an unchanged TOASTed key column): the chunk cannot be trusted
				chunk.truncated = true;
			}
			if (newKey != null) {
				chunk.changedKeys.add(newKey);
			}
			if (oldKey != null) {
				chunk.changedKeys.add(oldKey);
			}
		}
		return null;
	}

	private int[] positions(RelationMessage relation, List<String> key) {
		int[] positions = this.keyPositions.get(relation);
		if (positions == null) {
			if (this.keyPositions.size() > 10_000) {
				this.keyPositions.clear();
			}
			positions = new int[key.size()];
			for (int i = 0; i < key.size(); i++) {
				positions[i] = relation.indexOf(key.get(i));
			}
			this.keyPositions.put(relation, positions);
		}
		return positions;
	}

	/** The row's key as comparable values, or {@code null} if a key column was not sent. */
	private static List<Object> key(Row row, int[] positions) {
		List<Object> key = new ArrayList<>(positions.length);
		for (int position : positions) {
			if (position < 0 || position >= row.size() || !row.tuple().hasValue(position)) {
				return null;
			}
			key.add(normalize(row.get(position)));
		}
		return key;
	}

	/** Equal keys compare equal whatever the format they came in (text COPY, text or binary pgoutput). */
	private static Object normalize(Object value) {
		if (value instanceof OffsetDateTime time) {
			return time.toInstant();
		}
		if (value instanceof BigDecimal decimal) {
			return (decimal.signum() == 0) ? BigDecimal.ZERO : decimal.stripTrailingZeros();
		}
		if (value instanceof byte[] bytes) {
			return ByteBuffer.wrap(bytes);
		}
		return value;
	}

	private Output watermark(Watermark watermark, Lsn walStart) {
		if (watermark == null || !this.run.equals(watermark.run())
				|| !this.properties.getSlotName().equals(watermark.slot())) {
			return Output.HIDE;
		}
		SnapshotChunk chunk = this.chunks.get(watermark.chunk());
		if (chunk == null || chunk.isFinished()) {
			return Output.HIDE;
		}
		switch (watermark.kind()) {
			case 'L' -> {
				chunk.open = true;
				chunk.ringMark = this.recent.mark();
				this.windows.computeIfAbsent(chunk.table.relation.relationId(), (k) -> new ArrayList<>()).add(chunk);
				return Output.HIDE;
			}
			case 'H' -> {
				return highWatermark(chunk, walStart);
			}
			case 'C' -> {
				unregister(chunk);
				chunk.finish(SnapshotChunk.Outcome.DELIVERED);
				TableSnapshot table = chunk.table;
				if (!table.startedPublished) {
					return Output.HIDE;
				}
				ReplicationEvent cancelled = new SnapshotTableCancelledEvent(this.source,
						this.properties.getSlotName(), table.job.id, table.tableName, table.rows());
				return new Output(List.of(cancelled).iterator(), null);
			}
			default -> {
				return Output.HIDE;
			}
		}
	}

	private Output highWatermark(SnapshotChunk chunk, Lsn walStart) {
		closeWindow(chunk);
		if (!unregister(chunk)) {
			// abandoned (cancelled) meanwhile
			return Output.HIDE;
		}
		ChunkReader.Result result = chunk.result();
		if (!chunk.open || result == null) {
			// the low watermark was not seen on this connection: read the chunk again
			retry(chunk);
			return Output.HIDE;
		}
		if (this.recent.anyInvisibleBefore(chunk.ringMark, result.visibility())) {
			logger.debug("Snapshot chunk " + chunk.id + " of " + chunk.table.qualifiedName()
					+ " is read again: a transaction streamed before its low watermark was not visible to its read");
			retry(chunk);
			return Output.HIDE;
		}
		TableSnapshot table = chunk.table;
		List<ReplicationEvent> before = new ArrayList<>(1);
		if (!table.startedPublished) {
			before.add(new SnapshotTableStartedEvent(this.source, this.properties.getSlotName(), table.job.id,
					table.tableName));
		}
		List<TupleData> rows = chunk.truncated ? List.of() : result.rows();
		Output output = new Output(null, chunk);
		output.events = new Iterator<>() {

			private int beforeIndex;

			private int rowIndex;

			private boolean chunkEndDone;

			private boolean afterDone = !result.last();

			private ReplicationEvent next = advance();

			private ReplicationEvent advance() {
				if (this.beforeIndex < before.size()) {
					table.startedPublished = true;
					return before.get(this.beforeIndex++);
				}
				while (this.rowIndex < rows.size()) {
					TupleData tuple = rows.get(this.rowIndex++);
					if (!chunk.changedKeys.isEmpty()) {
						List<Object> key = key(new Row(table.relation, tuple), positions(table.relation,
								table.table.chunkKey()));
						if (chunk.changedKeys.contains(key)) {
							continue;
						}
					}
					output.rows++;
					return SnapshotCoordinator.this.events.snapshotRow(table.relation, tuple, walStart, table.job.id);
				}
				if (!this.chunkEndDone) {
					this.chunkEndDone = true;
					return new SnapshotChunkEndEvent(SnapshotCoordinator.this.source,
							SnapshotCoordinator.this.properties.getSlotName(), table.job.id, table.tableName, output.rows);
				}
				if (!this.afterDone) {
					this.afterDone = true;
					// counted here, not from table.rows(): the snapshot thread adds the chunk before this one (two in
					// flight) only once it sees its outcome
					long total = table.rowsDispatched() + output.rows;
					Instant started = (table.startedAt() != null) ? table.startedAt() : Instant.now();
					return new SnapshotTableCompletedEvent(SnapshotCoordinator.this.source,
							SnapshotCoordinator.this.properties.getSlotName(), table.job.id, table.tableName, total,
							Duration.between(started, Instant.now()));
				}
				return null;
			}

			@Override
			public boolean hasNext() {
				return this.next != null;
			}

			@Override
			public ReplicationEvent next() {
				ReplicationEvent current = this.next;
				this.next = advance();
				return current;
			}

		};
		return output;
	}

	/**
	 * A chunk is read again: the chunks of its table read after it (pipelined) are given up before their high
	 * watermarks come, since the reader reads on again from the chunk before: delivering them now would deliver
	 * their rows twice.
	 */
	private void retry(SnapshotChunk chunk) {
		chunk.finish(SnapshotChunk.Outcome.RETRY);
		for (SnapshotChunk later : this.chunks.values()) {
			if (later.table == chunk.table && later.kind == 'H' && later.id > chunk.id && unregister(later)) {
				closeWindow(later);
				later.finish(SnapshotChunk.Outcome.ABANDONED);
			}
		}
	}

	private void closeWindow(SnapshotChunk chunk) {
		List<SnapshotChunk> open = this.windows.get(chunk.table.relation.relationId());
		if (open != null) {
			open.remove(chunk);
			if (open.isEmpty()) {
				this.windows.remove(chunk.table.relation.relationId());
			}
		}
	}

	/** A new connection: the server sends again from the confirmed position; open windows cannot be trusted. */
	void connectionRestarted() {
		for (List<SnapshotChunk> open : this.windows.values()) {
			for (SnapshotChunk chunk : open) {
				chunk.open = false;
			}
		}
		this.windows.clear();
	}

}
