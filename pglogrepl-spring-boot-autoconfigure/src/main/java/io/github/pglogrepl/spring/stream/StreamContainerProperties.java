package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

import io.github.pglogrepl.Lsn;

/**
 * Everything a {@link ReplicationStreamContainer} needs to know: where to connect, which slot and publications,
 * the pgoutput options, timing, acknowledgement, backoff and lifecycle. A mutable settings bean with the
 * defaults as named constants; the auto-configuration fills one from {@code pglogrepl.*} (see
 * {@code StreamContainerPropertiesMapper}), and an application that builds a container itself fills one in code:
 *
 * <pre>{@code
 * StreamContainerProperties properties = new StreamContainerProperties("jdbc:postgresql://localhost/shop",
 *         "shop_cdc", List.of("shop_pub"));
 * properties.getConnectionProperties().setProperty("user", "app");
 * ReplicationStreamContainer container = new ReplicationStreamContainer(properties, applicationEventPublisher);
 * }</pre>
 *
 * <p>The container reads its properties when it starts; changes made later take effect at the next start.
 */
public class StreamContainerProperties {

	/** Name of the stream when an application has only one. */
	public static final String DEFAULT_STREAM_NAME = "default";

	/** Default {@link #getStatusInterval()}: 10 seconds. */
	public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(10);

	/** Default {@link #getReceiveTimeout()}: 30 seconds. */
	public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofSeconds(30);

	/** Default {@link #getQueueCapacity()}: 1024 messages. */
	public static final int DEFAULT_QUEUE_CAPACITY = 1024;

	/** Default first reconnect delay: 1 second. */
	public static final Duration DEFAULT_RECONNECT_INITIAL_INTERVAL = Duration.ofSeconds(1);

	/** Default longest reconnect delay: 10 seconds. */
	public static final Duration DEFAULT_RECONNECT_MAX_INTERVAL = Duration.ofSeconds(10);

	/** Default reconnect backoff factor: 2. */
	public static final double DEFAULT_RECONNECT_MULTIPLIER = 2.0;

	/**
	 * Default {@link #getShutdownTimeout()}: 10 seconds, well inside the 30 seconds Spring allows a lifecycle
	 * phase to stop.
	 */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

	/** Default {@link #getPhase()}: late in startup, early in shutdown, so the application is ready for events. */
	public static final int DEFAULT_PHASE = Integer.MAX_VALUE - 1000;

	private String streamName = DEFAULT_STREAM_NAME;

	private String jdbcUrl;

	private Properties connectionProperties = new Properties();

	private String slotName;

	private SlotCreation slotCreation = SlotCreation.IF_MISSING;

	private boolean dropSlotOnShutdown;

	private List<String> publications = new ArrayList<>();

	private PublicationCreation publicationCreation = PublicationCreation.NEVER;

	private List<String> publicationTables = new ArrayList<>();

	private Integer protoVersion;

	private StreamingMode streaming = StreamingMode.OFF;

	private boolean binary;

	private boolean messages;

	private OriginFilter origin;

	private Lsn startLsn;

	private Duration statusInterval = DEFAULT_STATUS_INTERVAL;

	private Duration receiveTimeout = DEFAULT_RECEIVE_TIMEOUT;

	private AckMode ackMode = AckMode.AUTO;

	private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

	private BackOff reconnectBackOff = exponentialBackOff(DEFAULT_RECONNECT_INITIAL_INTERVAL,
			DEFAULT_RECONNECT_MAX_INTERVAL, DEFAULT_RECONNECT_MULTIPLIER);

	private BackOff listenerRetryBackOff;

	private boolean publishDecoded = true;

	private Boolean publishRaw;

	private Boolean publishKeepalive;

	private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

	private boolean logRowValues;

	private boolean primitivesDefaultedForNullValue;

	private SnapshotSettings snapshot = new SnapshotSettings();

	private boolean outboxEnabled = true;

	private boolean slotFailover;

	private SlotLossPolicy slotLossPolicy = SlotLossPolicy.FAIL;

	/**
	 * Creates empty properties (set at least the JDBC URL, the slot name and the publications).
	 */
	public StreamContainerProperties() {
	}

	/**
	 * Creates properties with what every stream needs.
	 * @param jdbcUrl the database's JDBC URL
	 * @param slotName the logical replication slot
	 * @param publications the publications to stream
	 */
	public StreamContainerProperties(String jdbcUrl, String slotName, List<String> publications) {
		this.jdbcUrl = jdbcUrl;
		this.slotName = slotName;
		this.publications = new ArrayList<>(publications);
	}

	/**
	 * An exponential backoff as Spring's {@link ExponentialBackOff}, with no limit on the number of attempts.
	 * @param initial the first delay
	 * @param max the longest delay
	 * @param multiplier the factor applied after each attempt
	 * @return the backoff
	 */
	public static ExponentialBackOff exponentialBackOff(Duration initial, Duration max, double multiplier) {
		ExponentialBackOff backOff = new ExponentialBackOff(Math.max(1, initial.toMillis()), Math.max(1.0, multiplier));
		backOff.setMaxInterval(Math.max(backOff.getInitialInterval(), max.toMillis()));
		return backOff;
	}

	/**
	 * @return the stream's name, carried by its events ({@code ReplicationEvent.stream()}), meters (tag
	 * {@code stream}) and health; {@value #DEFAULT_STREAM_NAME} by default
	 */
	public String getStreamName() {
		return this.streamName;
	}

	/**
	 * @param streamName the stream's name
	 */
	public void setStreamName(String streamName) {
		Assert.hasText(streamName, "streamName must not be empty");
		this.streamName = streamName;
	}

	/**
	 * @return the JDBC URL of the database to stream from ({@code replication=database} is added when
	 * connecting); passwords are kept in {@link #getConnectionProperties()}, not in the URL
	 */
	public String getJdbcUrl() {
		return this.jdbcUrl;
	}

	/**
	 * @param jdbcUrl the JDBC URL
	 */
	public void setJdbcUrl(String jdbcUrl) {
		this.jdbcUrl = jdbcUrl;
	}

	/**
	 * @return pgjdbc connection properties: {@code user}, {@code password}, {@code ApplicationName}, TLS settings
	 * and so on (mutable)
	 */
	public Properties getConnectionProperties() {
		return this.connectionProperties;
	}

	/**
	 * @param connectionProperties pgjdbc connection properties
	 */
	public void setConnectionProperties(Properties connectionProperties) {
		this.connectionProperties = (connectionProperties != null) ? connectionProperties : new Properties();
	}

	/**
	 * @return the logical replication slot
	 */
	public String getSlotName() {
		return this.slotName;
	}

	/**
	 * @param slotName the slot: 1–63 lower-case letters, digits and underscores
	 */
	public void setSlotName(String slotName) {
		this.slotName = slotName;
	}

	/**
	 * @return when the slot is created; {@link SlotCreation#IF_MISSING} by default
	 */
	public SlotCreation getSlotCreation() {
		return this.slotCreation;
	}

	/**
	 * @param slotCreation when the slot is created
	 */
	public void setSlotCreation(SlotCreation slotCreation) {
		this.slotCreation = slotCreation;
	}

	/**
	 * @return whether the slot is temporary (created per connection)
	 */
	public boolean isTemporarySlot() {
		return this.slotCreation == SlotCreation.TEMPORARY;
	}

	/**
	 * @return whether the slot is dropped when the container stops; {@code false} by default
	 */
	public boolean isDropSlotOnShutdown() {
		return this.dropSlotOnShutdown;
	}

	/**
	 * @param dropSlotOnShutdown whether to drop the slot on stop
	 */
	public void setDropSlotOnShutdown(boolean dropSlotOnShutdown) {
		this.dropSlotOnShutdown = dropSlotOnShutdown;
	}

	/**
	 * @return the publications to stream
	 */
	public List<String> getPublications() {
		return this.publications;
	}

	/**
	 * @param publications the publications to stream
	 */
	public void setPublications(List<String> publications) {
		this.publications = new ArrayList<>(publications);
	}

	/**
	 * @return when missing publications are created; {@link PublicationCreation#NEVER} by default
	 */
	public PublicationCreation getPublicationCreation() {
		return this.publicationCreation;
	}

	/**
	 * @param publicationCreation when missing publications are created
	 */
	public void setPublicationCreation(PublicationCreation publicationCreation) {
		this.publicationCreation = publicationCreation;
	}

	/**
	 * @return tables ({@code schema.table}) of a publication the container creates; empty for all tables
	 */
	public List<String> getPublicationTables() {
		return this.publicationTables;
	}

	/**
	 * @param publicationTables tables of a created publication
	 */
	public void setPublicationTables(List<String> publicationTables) {
		this.publicationTables = new ArrayList<>(publicationTables);
	}

	/**
	 * @return the pgoutput protocol version, or {@code null} for the highest the server supports
	 */
	public Integer getProtoVersion() {
		return this.protoVersion;
	}

	/**
	 * @param protoVersion the pgoutput protocol version (1–4), or {@code null}
	 */
	public void setProtoVersion(Integer protoVersion) {
		this.protoVersion = protoVersion;
	}

	/**
	 * @return the streaming of large in-progress transactions; {@link StreamingMode#OFF} by default
	 */
	public StreamingMode getStreaming() {
		return this.streaming;
	}

	/**
	 * @param streaming the streaming mode
	 */
	public void setStreaming(StreamingMode streaming) {
		this.streaming = (streaming != null) ? streaming : StreamingMode.OFF;
	}

	/**
	 * @return whether column values are sent in binary format; {@code false} by default
	 */
	public boolean isBinary() {
		return this.binary;
	}

	/**
	 * @param binary whether column values are sent in binary format
	 */
	public void setBinary(boolean binary) {
		this.binary = binary;
	}

	/**
	 * @return whether {@code pg_logical_emit_message} messages are streamed; {@code false} by default
	 */
	public boolean isMessages() {
		return this.messages;
	}

	/**
	 * @param messages whether logical decoding messages are streamed
	 */
	public void setMessages(boolean messages) {
		this.messages = messages;
	}

	/**
	 * @return the origin filter, or {@code null} for the server's default
	 */
	public OriginFilter getOrigin() {
		return this.origin;
	}

	/**
	 * @param origin the origin filter (PostgreSQL 16+), or {@code null}
	 */
	public void setOrigin(OriginFilter origin) {
		this.origin = origin;
	}

	/**
	 * @return the position to start from when the container starts, or {@code null} for the slot's position
	 */
	public Lsn getStartLsn() {
		return this.startLsn;
	}

	/**
	 * @param startLsn the start position, or {@code null}
	 */
	public void setStartLsn(Lsn startLsn) {
		this.startLsn = startLsn;
	}

	/**
	 * @return the interval of standby status updates; {@link #DEFAULT_STATUS_INTERVAL} by default
	 */
	public Duration getStatusInterval() {
		return this.statusInterval;
	}

	/**
	 * @param statusInterval the interval of standby status updates (positive)
	 */
	public void setStatusInterval(Duration statusInterval) {
		this.statusInterval = statusInterval;
	}

	/**
	 * @return the silence after which the connection counts as lost (zero: never);
	 * {@link #DEFAULT_RECEIVE_TIMEOUT} by default
	 */
	public Duration getReceiveTimeout() {
		return this.receiveTimeout;
	}

	/**
	 * @param receiveTimeout the silence after which the connection counts as lost, zero to disable
	 */
	public void setReceiveTimeout(Duration receiveTimeout) {
		this.receiveTimeout = receiveTimeout;
	}

	/**
	 * @return how the flushed position advances; {@link AckMode#AUTO} by default
	 */
	public AckMode getAckMode() {
		return this.ackMode;
	}

	/**
	 * @param ackMode how the flushed position advances
	 */
	public void setAckMode(AckMode ackMode) {
		this.ackMode = ackMode;
	}

	/**
	 * @return how many received messages may wait for the listeners before reading pauses;
	 * {@link #DEFAULT_QUEUE_CAPACITY} by default
	 */
	public int getQueueCapacity() {
		return this.queueCapacity;
	}

	/**
	 * @param queueCapacity the number of messages that may wait for the listeners
	 */
	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	/**
	 * @return the delays between reconnect attempts; by default exponential from 1 s, times 2, at most 10 s
	 */
	public BackOff getReconnectBackOff() {
		return this.reconnectBackOff;
	}

	/**
	 * @param reconnectBackOff the delays between reconnect attempts (e.g. Spring's {@link ExponentialBackOff})
	 */
	public void setReconnectBackOff(BackOff reconnectBackOff) {
		Assert.notNull(reconnectBackOff, "reconnectBackOff must not be null");
		this.reconnectBackOff = reconnectBackOff;
	}

	/**
	 * @return the delays before redelivering a transaction whose listener failed ({@code ErrorAction.RETRY}),
	 * by consecutive failure at the same position; {@code null} (the default) uses the reconnect backoff
	 */
	public BackOff getListenerRetryBackOff() {
		return this.listenerRetryBackOff;
	}

	/**
	 * @param listenerRetryBackOff the listener retry backoff, or {@code null} for the reconnect backoff
	 */
	public void setListenerRetryBackOff(BackOff listenerRetryBackOff) {
		this.listenerRetryBackOff = listenerRetryBackOff;
	}

	/**
	 * @return whether decoded events ({@code InsertEvent}, {@code CommitEvent}, ...) are published; {@code true}
	 * by default
	 */
	public boolean isPublishDecoded() {
		return this.publishDecoded;
	}

	/**
	 * @param publishDecoded whether decoded events are published
	 */
	public void setPublishDecoded(boolean publishDecoded) {
		this.publishDecoded = publishDecoded;
	}

	/**
	 * @return whether every XLogData is published as an {@code XLogDataEvent}; {@code null} (the default): when
	 * a listener is declared for {@code XLogDataEvent} ({@link ListenedEventTypes})
	 */
	public Boolean getPublishRaw() {
		return this.publishRaw;
	}

	/**
	 * @param publishRaw whether XLogData events are published, or {@code null} to decide by the listeners
	 */
	public void setPublishRaw(Boolean publishRaw) {
		this.publishRaw = publishRaw;
	}

	/**
	 * @return whether primary keepalives are published as {@code KeepaliveEvent}; {@code null} (the default): when
	 * a listener is declared for {@code KeepaliveEvent} ({@link ListenedEventTypes})
	 */
	public Boolean getPublishKeepalive() {
		return this.publishKeepalive;
	}

	/**
	 * @param publishKeepalive whether keepalive events are published, or {@code null} to decide by the listeners
	 */
	public void setPublishKeepalive(Boolean publishKeepalive) {
		this.publishKeepalive = publishKeepalive;
	}

	/**
	 * @return the longest {@link ReplicationStreamContainer#stop()} waits for the event being delivered and the
	 * final status update before it interrupts the stream's threads and closes the connection;
	 * {@link #DEFAULT_SHUTDOWN_TIMEOUT} by default
	 */
	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * @param shutdownTimeout the longest a stop waits
	 */
	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	/**
	 * @return whether logs and error reports (health, endpoint) show column values of failed row events;
	 * {@code false} by default: they show table, WAL position, transaction and column names, since row contents
	 * can be personal data
	 */
	public boolean isLogRowValues() {
		return this.logRowValues;
	}

	/**
	 * @param logRowValues whether logs and error reports show column values
	 */
	public void setLogRowValues(boolean logRowValues) {
		this.logRowValues = logRowValues;
	}

	/**
	 * @return whether mapping a row to a record or bean gives a primitive its default (0, false) for a NULL or
	 * unsent value instead of refusing it; {@code false} by default, as Spring's {@code BeanPropertyRowMapper}
	 */
	public boolean isPrimitivesDefaultedForNullValue() {
		return this.primitivesDefaultedForNullValue;
	}

	/**
	 * @param primitivesDefaultedForNullValue whether primitives are defaulted for NULL or unsent values
	 */
	public void setPrimitivesDefaultedForNullValue(boolean primitivesDefaultedForNullValue) {
		this.primitivesDefaultedForNullValue = primitivesDefaultedForNullValue;
	}

	/**
	 * @return whether the slot is a failover slot, synchronised to standbys (PostgreSQL 17+); {@code false} by
	 * default
	 */
	public boolean isSlotFailover() {
		return this.slotFailover;
	}

	/**
	 * @param slotFailover whether the slot is created with {@code FAILOVER}, or switched to it with
	 * {@code ALTER_REPLICATION_SLOT} when it exists without
	 */
	public void setSlotFailover(boolean slotFailover) {
		this.slotFailover = slotFailover;
	}

	/**
	 * @return what happens when the slot is lost (missing although streamed from before, or invalidated);
	 * {@link SlotLossPolicy#FAIL} by default
	 */
	public SlotLossPolicy getSlotLossPolicy() {
		return this.slotLossPolicy;
	}

	/**
	 * @param slotLossPolicy what happens when the slot is lost
	 */
	public void setSlotLossPolicy(SlotLossPolicy slotLossPolicy) {
		Assert.notNull(slotLossPolicy, "slotLossPolicy must not be null");
		this.slotLossPolicy = slotLossPolicy;
	}

	@Override
	public String toString() {
		return "StreamContainerProperties[stream=" + this.streamName + ", url=" + JdbcUrls.maskPassword(this.jdbcUrl)
				+ ", user=" + this.connectionProperties.getProperty("user") + ", slot=" + this.slotName
				+ ", publications=" + this.publications + "]";
	}

	/**
	 * @return how snapshots are read ({@code pglogrepl.snapshot.*})
	 */
	public SnapshotSettings getSnapshot() {
		return this.snapshot;
	}

	/**
	 * @param snapshot how snapshots are read
	 */
	public void setSnapshot(SnapshotSettings snapshot) {
		Assert.notNull(snapshot, "snapshot must not be null");
		this.snapshot = snapshot;
	}

	/**
	 * @return whether outbox events (logical decoding messages with the outbox codec's prefix, see
	 * {@code Outbox}) are delivered as {@code OutboxEvent}s; {@code true} by default (the stream then asks pgoutput
	 * for logical decoding messages)
	 */
	public boolean isOutboxEnabled() {
		return this.outboxEnabled;
	}

	/**
	 * @param outboxEnabled whether outbox events are delivered
	 */
	public void setOutboxEnabled(boolean outboxEnabled) {
		this.outboxEnabled = outboxEnabled;
	}

}
