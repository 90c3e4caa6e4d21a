package io.github.pglogrepl.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.github.pglogrepl.spring.stream.AckMode;

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
	private Duration statusInterval = Duration.ofSeconds(10);

	/**
	 * Silence from the server after which the connection is considered lost and re-established (a stalled
	 * network). After half of it the stream asks the server for a keepalive. Also the longest a connection
	 * attempt waits for the server to answer the login (pgjdbc loginTimeout, rounded up to seconds; a
	 * loginTimeout in the URL wins). Zero disables both.
	 */
	private Duration receiveTimeout = Duration.ofSeconds(30);

	/**
	 * How the flushed position advances: auto after all listeners of a transaction returned,
	 * manual through the injectable Acknowledgement API.
	 */
	private AckMode ackMode = AckMode.AUTO;

	/**
	 * Maximum number of received messages waiting for the listeners; the stream is paused when it is full.
	 */
	private int queueCapacity = 1024;

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
		return "PgLogReplProperties[url=" + io.github.pglogrepl.spring.stream.StreamSettings.maskPassword(this.url) + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", slot=" + this.slot.name + "]";
	}

	/** When to create the replication slot. */
	public enum SlotCreate {

		/** Create the slot if it does not exist (default). */
		IF_MISSING,
		/** Never create it: fail if it does not exist. */
		NEVER,
		/** Create a temporary slot on each connection; it vanishes with the connection. */
		TEMPORARY

	}

	/** When to create the publication. */
	public enum PublicationCreate {

		/** Create the publications if they do not exist, for pglogrepl.publication.tables. */
		IF_MISSING,
		/** Never create them: fail if one does not exist (default). */
		NEVER

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
		private SlotCreate create = SlotCreate.IF_MISSING;

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

		public SlotCreate getCreate() {
			return this.create;
		}

		public void setCreate(SlotCreate create) {
			this.create = create;
		}

		public boolean isDropOnShutdown() {
			return this.dropOnShutdown;
		}

		public void setDropOnShutdown(boolean dropOnShutdown) {
			this.dropOnShutdown = dropOnShutdown;
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
		private PublicationCreate create = PublicationCreate.NEVER;

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

		public PublicationCreate getCreate() {
			return this.create;
		}

		public void setCreate(PublicationCreate create) {
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
		private String streaming = "off";

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
		private String origin;

		public Integer getProtoVersion() {
			return this.protoVersion;
		}

		public void setProtoVersion(Integer protoVersion) {
			this.protoVersion = protoVersion;
		}

		public String getStreaming() {
			return this.streaming;
		}

		public void setStreaming(String streaming) {
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

		public String getOrigin() {
			return this.origin;
		}

		public void setOrigin(String origin) {
			this.origin = origin;
		}

	}

	/** Reconnect backoff. */
	public static class Reconnect {

		/**
		 * Delay before the first reconnect attempt.
		 */
		private Duration initialInterval = Duration.ofSeconds(1);

		/**
		 * Maximum delay between reconnect attempts.
		 */
		private Duration maxInterval = Duration.ofSeconds(10);

		/**
		 * Factor applied to the delay after each failed attempt.
		 */
		private double multiplier = 2.0;

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
		 * Whether every XLogData message is published as an XLogDataEvent.
		 */
		private boolean raw = false;

		/**
		 * Whether decoded pgoutput events (BeginEvent, InsertEvent, ...) are published.
		 */
		private boolean decoded = true;

		/**
		 * Whether primary keepalive messages are published as KeepaliveEvent.
		 */
		private boolean keepalive = false;

		public boolean isRaw() {
			return this.raw;
		}

		public void setRaw(boolean raw) {
			this.raw = raw;
		}

		public boolean isDecoded() {
			return this.decoded;
		}

		public void setDecoded(boolean decoded) {
			this.decoded = decoded;
		}

		public boolean isKeepalive() {
			return this.keepalive;
		}

		public void setKeepalive(boolean keepalive) {
			this.keepalive = keepalive;
		}

	}

}
