package io.github.pglogrepl.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.pglogrepl.spring.snapshot.SnapshotMode;
import io.github.pglogrepl.spring.stream.AckMode;
import io.github.pglogrepl.spring.stream.JdbcUrls;
import io.github.pglogrepl.spring.stream.OriginFilter;
import io.github.pglogrepl.spring.stream.PublicationCreation;
import io.github.pglogrepl.spring.stream.SlotCreation;
import io.github.pglogrepl.spring.stream.SlotLossPolicy;
import io.github.pglogrepl.spring.stream.SnapshotSettings;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamingMode;

/**
 * Configuration of the PostgreSQL logical replication stream (pglogrepl.*).
 */
@ConfigurationProperties(prefix = "pglogrepl")
public class PgLogReplProperties {

	/**
	 * Whether to stream changes from PostgreSQL.
	 */
	private boolean enabled = true;

	/**
	 * JDBC URL of the database to stream from. Defaults to the application's DataSource URL
	 * (spring.datasource.url or a service connection). replication=database is added.
	 */
	private String url;

	/**
	 * Login user of the replication connection (needs the REPLICATION attribute). Defaults to the DataSource
	 * user.
	 */
	private String username;

	/**
	 * Login password of the replication connection. Defaults to the DataSource password.
	 */
	private String password;

	/**
	 * Position to start streaming from when the application starts, e.g. 0/16B3748: changes before it are
	 * skipped. Positions before the slot's confirmed position are ignored by the server. By default the slot's
	 * confirmed position.
	 */
	private String startLsn;

	/**
	 * Interval between standby status updates sent to the server.
	 */
	private Duration statusInterval = StreamContainerProperties.DEFAULT_STATUS_INTERVAL;

	/**
	 * Silence from the server after which the connection is considered lost and re-established (a stalled
	 * network). After half of it the stream asks the server for a keepalive. Also the longest a connection
	 * attempt waits for the server to answer the login (pgjdbc loginTimeout, rounded up to seconds; a
	 * loginTimeout in the URL wins). Zero disables both.
	 */
	private Duration receiveTimeout = StreamContainerProperties.DEFAULT_RECEIVE_TIMEOUT;

	/**
	 * How the flushed position advances: auto after all listeners of a transaction returned,
	 * manual through the injectable Acknowledgement API.
	 */
	private AckMode ackMode = AckMode.AUTO;

	/**
	 * Maximum number of received messages waiting for the listeners; the stream is paused when it is full.
	 */
	private int queueCapacity = StreamContainerProperties.DEFAULT_QUEUE_CAPACITY;

	/**
	 * Whether the stream starts with the application context. When false, start the
	 * ReplicationStreamContainer bean yourself.
	 */
	private boolean autoStartup = true;

	/**
	 * Longest wait, when the application stops, for the event being delivered and the final status update;
	 * then the stream's threads are interrupted and the connection is closed. Keep it below Spring's
	 * spring.lifecycle.timeout-per-shutdown-phase (30s by default).
	 */
	private Duration shutdownTimeout = StreamContainerProperties.DEFAULT_SHUTDOWN_TIMEOUT;

	/**
	 * Whether logs and error reports (health, the actuator endpoint) show the column values of a row whose listener
	 * failed. Off by default: they show the table, WAL position, transaction and column names, since row contents
	 * can be personal data.
	 */
	private boolean logRowValues = false;

	/**
	 * Named streams, each with its own slot and acknowledgement, e.g. pglogrepl.streams.billing.slot.name.
	 * Each inherits every setting it does not set from the top-level pglogrepl.* properties. When any is
	 * defined, only the named streams run (the top-level properties are their defaults).
	 */
	private Map<String, PgLogReplProperties> streams = new LinkedHashMap<>();

	/**
	 * Health indicator thresholds.
	 */
	private final Health health = new Health();

	/**
	 * How rows are mapped to records and beans (InsertEvent&lt;T&gt;.newValue() and the like).
	 */
	private final Mapping mapping = new Mapping();

	/**
	 * Snapshots: the initial one and on-demand backfills.
	 */
	private final Snapshot snapshot = new Snapshot();

	/**
	 * The transactional outbox (Outbox bean, OutboxEvent).
	 */
	private final Outbox outbox = new Outbox();

	/**
	 * Slot settings.
	 */
	private final Slot slot = new Slot();

	/**
	 * Publication settings.
	 */
	private final Publication publication = new Publication();

	/**
	 * pgoutput plugin options.
	 */
	private final Pgoutput pgoutput = new Pgoutput();

	/**
	 * Reconnect backoff.
	 */
	private final Reconnect reconnect = new Reconnect();

	/**
	 * Which event families are published.
	 */
	private final Events events = new Events();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getUrl() {
		return this.url;
	}

	public void setUrl(String url) {
		this.url = url;
	}

	public String getUsername() {
		return this.username;
	}

	public void setUsername(String username) {
		this.username = username;
	}

	public String getPassword() {
		return this.password;
	}

	public void setPassword(String password) {
		this.password = password;
	}

	public String getStartLsn() {
		return this.startLsn;
	}

	public void setStartLsn(String startLsn) {
		this.startLsn = startLsn;
	}

	public Duration getStatusInterval() {
		return this.statusInterval;
	}

	public void setStatusInterval(Duration statusInterval) {
		this.statusInterval = statusInterval;
	}

	public Duration getReceiveTimeout() {
		return this.receiveTimeout;
	}

	public void setReceiveTimeout(Duration receiveTimeout) {
		this.receiveTimeout = receiveTimeout;
	}

	public AckMode getAckMode() {
		return this.ackMode;
	}

	public void setAckMode(AckMode ackMode) {
		this.ackMode = ackMode;
	}

	public int getQueueCapacity() {
		return this.queueCapacity;
	}

	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public boolean isLogRowValues() {
		return this.logRowValues;
	}

	public void setLogRowValues(boolean logRowValues) {
		this.logRowValues = logRowValues;
	}

	public Outbox getOutbox() {
		return this.outbox;
	}

	public Snapshot getSnapshot() {
		return this.snapshot;
	}

	public Health getHealth() {
		return this.health;
	}

	public Mapping getMapping() {
		return this.mapping;
	}

	public Map<String, PgLogReplProperties> getStreams() {
		return this.streams;
	}

	public void setStreams(Map<String, PgLogReplProperties> streams) {
		this.streams = streams;
	}

	public Slot getSlot() {
		return this.slot;
	}

	public Publication getPublication() {
		return this.publication;
	}

	public Pgoutput getPgoutput() {
		return this.pgoutput;
	}

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	public Events getEvents() {
		return this.events;
	}

	@Override
	public String toString() {
		return "PgLogReplProperties[url=" + JdbcUrls.maskPassword(this.url) + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", slot=" + this.slot.name + "]";
	}

	/** How rows are mapped to records and beans. */
	public static class Mapping {

		/**
		 * Whether a NULL column, or a value the server did not send (unchanged TOAST, a non-key column of a
		 * key-only old row), maps to a primitive's default (0, false) instead of failing with an error that names
		 * table, column and type. Off by default, as in Spring's BeanPropertyRowMapper.
		 */
		private boolean primitivesDefaultedForNullValue = false;

		public boolean isPrimitivesDefaultedForNullValue() {
			return this.primitivesDefaultedForNullValue;
		}

		public void setPrimitivesDefaultedForNullValue(boolean primitivesDefaultedForNullValue) {
			this.primitivesDefaultedForNullValue = primitivesDefaultedForNullValue;
		}

	}

	/** Outbox settings. */
	public static class Outbox {

		/**
		 * Whether logical decoding messages with the outbox prefix are delivered as OutboxEvents (and the Outbox
		 * bean is created when there is a DataSource). Asks pgoutput for logical decoding messages.
		 */
		private boolean enabled = true;

		/**
		 * The logical decoding message prefix that marks outbox events.
		 */
		private String prefix = "pglogrepl.outbox";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

	}

	/** Snapshot settings. */
	public static class Snapshot {

		/**
		 * Whether snapshots can run on the stream (the initial one and backfills through the actuator endpoint or
		 * the Snapshots bean). Asks pgoutput for logical decoding messages, which carry the watermarks.
		 */
		private boolean enabled = true;

		/**
		 * When the stream reads the existing rows: never (only backfills on demand) or initial (once, the first
		 * time the stream starts for its slot; resumed after a restart, not repeated once completed).
		 */
		private SnapshotMode mode = SnapshotMode.NEVER;

		/**
		 * Tables the initial snapshot reads (table or schema.table). By default every published table.
		 */
		private List<String> tables = new ArrayList<>();

		/**
		 * Most rows read in one chunk (one short read-only transaction, keyset on the primary key).
		 */
		private int chunkSize = SnapshotSettings.DEFAULT_CHUNK_SIZE;

		/**
		 * Most row data held for one chunk; a chunk ends early when its rows reach it, so memory stays bounded
		 * whatever the row size.
		 */
		private DataSize chunkMaxBytes = DataSize.ofBytes(SnapshotSettings.DEFAULT_CHUNK_MAX_BYTES);

		/**
		 * How many tables are read at the same time (one database connection each).
		 */
		private int threads = 1;

		/**
		 * Where progress is kept: table (in the streamed database, so snapshots resume after a restart) or
		 * memory (nothing created; an interrupted snapshot is lost, the initial one runs at every start).
		 */
		private SnapshotSettings.ProgressStore progressStore = SnapshotSettings.ProgressStore.TABLE;

		/**
		 * Table keeping snapshot progress (table or schema.table), created if missing.
		 */
		private String progressTable = SnapshotSettings.DEFAULT_PROGRESS_TABLE;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public SnapshotMode getMode() {
			return this.mode;
		}

		public void setMode(SnapshotMode mode) {
			this.mode = mode;
		}

		public List<String> getTables() {
			return this.tables;
		}

		public void setTables(List<String> tables) {
			this.tables = tables;
		}

		public int getChunkSize() {
			return this.chunkSize;
		}

		public void setChunkSize(int chunkSize) {
			this.chunkSize = chunkSize;
		}

		public DataSize getChunkMaxBytes() {
			return this.chunkMaxBytes;
		}

		public void setChunkMaxBytes(DataSize chunkMaxBytes) {
			this.chunkMaxBytes = chunkMaxBytes;
		}

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		public SnapshotSettings.ProgressStore getProgressStore() {
			return this.progressStore;
		}

		public void setProgressStore(SnapshotSettings.ProgressStore progressStore) {
			this.progressStore = progressStore;
		}

		public String getProgressTable() {
			return this.progressTable;
		}

		public void setProgressTable(String progressTable) {
			this.progressTable = progressTable;
		}

	}

	/** Health indicator thresholds. */
	public static class Health {

		/**
		 * How long a stream that is (re)connecting still counts as UP. A routine reconnect (a walsender restart)
		 * takes about a second; the details show RECONNECTING at once.
		 */
		private Duration reconnectGracePeriod = Duration.ofSeconds(5);

		/**
		 * How long a listener that keeps failing may block delivery before health is DOWN (the details show
		 * RETRYING, the position and the attempts at once).
		 */
		private Duration deliveryStallThreshold = Duration.ofSeconds(30);

		public Duration getReconnectGracePeriod() {
			return this.reconnectGracePeriod;
		}

		public void setReconnectGracePeriod(Duration reconnectGracePeriod) {
			this.reconnectGracePeriod = reconnectGracePeriod;
		}

		public Duration getDeliveryStallThreshold() {
			return this.deliveryStallThreshold;
		}

		public void setDeliveryStallThreshold(Duration deliveryStallThreshold) {
			this.deliveryStallThreshold = deliveryStallThreshold;
		}

		/**
		 * WAL held back by the slot (the server's current WAL position minus the slot's restart_lsn) above which
		 * the health details carry a warning; health stays UP.
		 */
		private DataSize retainedWalWarning = DataSize.ofGigabytes(1);

		/**
		 * WAL held back by the slot above which health is DOWN, with the numbers and the likely cause. Must not
		 * be below retained-wal-warning.
		 */
		private DataSize retainedWalCritical = DataSize.ofGigabytes(10);

		public DataSize getRetainedWalWarning() {
			return this.retainedWalWarning;
		}

		public void setRetainedWalWarning(DataSize retainedWalWarning) {
			this.retainedWalWarning = retainedWalWarning;
		}

		public DataSize getRetainedWalCritical() {
			return this.retainedWalCritical;
		}

		public void setRetainedWalCritical(DataSize retainedWalCritical) {
			this.retainedWalCritical = retainedWalCritical;
		}

	}

	/** Slot settings. */
	public static class Slot {

		/**
		 * Name of the logical replication slot (lower-case letters, digits and underscores, at most 63).
		 * Required.
		 */
		private String name;

		/**
		 * When to create the slot: if-missing, never or temporary.
		 */
		private SlotCreation create = SlotCreation.IF_MISSING;

		/**
		 * Whether to drop the slot when the application shuts down.
		 */
		private boolean dropOnShutdown = false;

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public SlotCreation getCreate() {
			return this.create;
		}

		public void setCreate(SlotCreation create) {
			this.create = create;
		}

		public boolean isDropOnShutdown() {
			return this.dropOnShutdown;
		}

		public void setDropOnShutdown(boolean dropOnShutdown) {
			this.dropOnShutdown = dropOnShutdown;
		}

		/**
		 * Whether the slot is a failover slot (PostgreSQL 17+): created with FAILOVER, or switched to it with
		 * ALTER_REPLICATION_SLOT if it exists, so that standbys with sync_replication_slots = on keep a copy and
		 * the stream can resume on a promoted standby. Needs synchronized_standby_slots on the primary to be safe.
		 */
		private boolean failover = false;

		public boolean isFailover() {
			return this.failover;
		}

		public void setFailover(boolean failover) {
			this.failover = failover;
		}

		/**
		 * What to do when the slot is lost: it no longer exists although this application streamed from it
		 * before (dropped, or a failover to a server without it), or the server invalidated it (wal_status = lost:
		 * max_slot_wal_keep_size, idle_replication_slot_timeout). fail stops the stream (at startup: the
		 * application does not start; health DOWN, an ERROR with what was lost and the ways out); recreate creates
		 * the slot again at the current WAL position, losing the changes in between (logged at ERROR, counted by
		 * pglogrepl.slot.recreated); recreate-and-snapshot also backfills every published table.
		 */
		private SlotLossPolicy onLost = SlotLossPolicy.FAIL;

		public SlotLossPolicy getOnLost() {
			return this.onLost;
		}

		public void setOnLost(SlotLossPolicy onLost) {
			this.onLost = onLost;
		}

	}

	/** Publication settings. */
	public static class Publication {

		/**
		 * Names of the publications to stream. Required.
		 */
		private List<String> names = new ArrayList<>();

		/**
		 * When to create the publications: if-missing or never.
		 */
		private PublicationCreation create = PublicationCreation.NEVER;

		/**
		 * Schema-qualified tables of a publication created by the application (e.g. public.orders). Empty
		 * means FOR ALL TABLES.
		 */
		private List<String> tables = new ArrayList<>();

		public List<String> getNames() {
			return this.names;
		}

		public void setNames(List<String> names) {
			this.names = names;
		}

		public PublicationCreation getCreate() {
			return this.create;
		}

		public void setCreate(PublicationCreation create) {
			this.create = create;
		}

		public List<String> getTables() {
			return this.tables;
		}

		public void setTables(List<String> tables) {
			this.tables = tables;
		}

	}

	/** pgoutput plugin options. */
	public static class Pgoutput {

		/**
		 * pgoutput protocol version (1 to 4). Default: the highest the server supports.
		 */
		private Integer protoVersion;

		/**
		 * Streaming of large in-progress transactions: off, on or parallel. Streamed changes are published
		 * before their transaction commits; listen for StreamAbortEvent to discard aborted ones.
		 */
		private StreamingMode streaming = StreamingMode.OFF;

		/**
		 * Whether column values are sent in binary format.
		 */
		private boolean binary = false;

		/**
		 * Whether pg_logical_emit_message messages are streamed (LogicalMessageEvent).
		 */
		private boolean messages = false;

		/**
		 * Origin filter (PostgreSQL 16+): any or none. Default: server default (any).
		 */
		private OriginFilter origin;

		public Integer getProtoVersion() {
			return this.protoVersion;
		}

		public void setProtoVersion(Integer protoVersion) {
			this.protoVersion = protoVersion;
		}

		public StreamingMode getStreaming() {
			return this.streaming;
		}

		public void setStreaming(StreamingMode streaming) {
			this.streaming = streaming;
		}

		public boolean isBinary() {
			return this.binary;
		}

		public void setBinary(boolean binary) {
			this.binary = binary;
		}

		public boolean isMessages() {
			return this.messages;
		}

		public void setMessages(boolean messages) {
			this.messages = messages;
		}

		public OriginFilter getOrigin() {
			return this.origin;
		}

		public void setOrigin(OriginFilter origin) {
			this.origin = origin;
		}

	}

	/** Reconnect backoff. */
	public static class Reconnect {

		/**
		 * Delay before the first reconnect attempt.
		 */
		private Duration initialInterval = StreamContainerProperties.DEFAULT_RECONNECT_INITIAL_INTERVAL;

		/**
		 * Maximum delay between reconnect attempts.
		 */
		private Duration maxInterval = StreamContainerProperties.DEFAULT_RECONNECT_MAX_INTERVAL;

		/**
		 * Factor applied to the delay after each failed attempt.
		 */
		private double multiplier = StreamContainerProperties.DEFAULT_RECONNECT_MULTIPLIER;

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

	}

	/** Which event families are published. */
	public static class Events {

		/**
		 * Whether every XLogData message is published as an XLogDataEvent. Default: when a listener for
		 * XLogDataEvent is declared (an @EventListener method or ApplicationListener bean).
		 */
		private Boolean raw;

		/**
		 * Whether decoded pgoutput events (BeginEvent, InsertEvent, ...) are published.
		 */
		private boolean decoded = true;

		/**
		 * Whether primary keepalive messages are published as KeepaliveEvent. Default: when a listener for
		 * KeepaliveEvent is declared.
		 */
		private Boolean keepalive;

		public Boolean getRaw() {
			return this.raw;
		}

		public void setRaw(Boolean raw) {
			this.raw = raw;
		}

		public boolean isDecoded() {
			return this.decoded;
		}

		public void setDecoded(boolean decoded) {
			this.decoded = decoded;
		}

		public Boolean getKeepalive() {
			return this.keepalive;
		}

		public void setKeepalive(Boolean keepalive) {
			this.keepalive = keepalive;
		}

	}

}
