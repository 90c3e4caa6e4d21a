package io.github.pglogrepl.spring.autoconfigure;

import java.util.Properties;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.unit.DataSize;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.stream.JdbcUrls;
import io.github.pglogrepl.spring.stream.ReplicationSetupException;
import io.github.pglogrepl.spring.stream.SnapshotSettings;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;

/**
 * Maps {@code pglogrepl.*} properties (and where the stream connects) onto a {@link StreamContainerProperties},
 * checking what can be checked without a server. Every problem is a {@link ReplicationSetupException} naming the
 * property and the fix.
 */
final class StreamContainerPropertiesMapper {

	private StreamContainerPropertiesMapper() {
	}

	/**
	 * @param streamName the stream's name
	 * @param p the stream's properties (for a named stream: with the top-level ones inherited)
	 * @param details where it connects
	 * @param prefix the stream's property prefix for messages, e.g. {@code pglogrepl} or
	 * {@code pglogrepl.streams.billing}
	 * @return the container properties
	 */
	static StreamContainerProperties map(String streamName, PgLogReplProperties p, PgLogReplConnectionDetails details,
			String prefix) {
		if (p.getSlot().getName() == null || p.getSlot().getName().isBlank()) {
			throw new ReplicationSetupException(
					"No replication slot configured: " + prefix + ".slot.name is not set.",
					"Set " + prefix + ".slot.name (lower-case letters, digits, underscores), e.g. " + prefix
							+ ".slot.name=orders_cdc, or disable streaming with pglogrepl.enabled=false.");
		}
		if (p.getStatusInterval().isNegative() || p.getStatusInterval().isZero()) {
			throw new ReplicationSetupException(prefix + ".status-interval must be positive, was " + p.getStatusInterval(),
					"Set " + prefix + ".status-interval to e.g. 10s (below the server's wal_sender_timeout).");
		}
		if (p.getReceiveTimeout().isNegative()) {
			throw new ReplicationSetupException(prefix + ".receive-timeout must not be negative, was " + p.getReceiveTimeout(),
					"Set " + prefix + ".receive-timeout to e.g. 30s, or 0 to disable the check.");
		}
		String url = details.getJdbcUrl();
		if (!url.startsWith("jdbc:postgresql:")) {
			throw new ReplicationSetupException("The replication URL '" + JdbcUrls.maskPassword(url) + "' ("
					+ ((p.getUrl() != null) ? prefix + ".url" : prefix + ".url is unset, taken from spring.datasource.url")
					+ ") is not a PostgreSQL JDBC URL.",
					"Set " + prefix + ".url to jdbc:postgresql://host:port/database.");
		}
		StreamContainerProperties target = new StreamContainerProperties();
		target.setStreamName(streamName);
		Properties connection = new Properties();
		PropertyMapper map = PropertyMapper.get();
		map.from(details::getUsername).to((user) -> connection.setProperty("user", user));
		map.from(details::getPassword).to((password) -> connection.setProperty("password", password));
		connection.setProperty("ApplicationName", "pglogrepl-" + p.getSlot().getName());
		map.from(p::getReceiveTimeout)
			.when((timeout) -> !timeout.isZero())
			// a login that gets no answer (stalled network, hung server) gives up like a silent stream does, so
			// reconnecting goes on; a loginTimeout in the URL takes precedence (pgjdbc prefers URL parameters)
			.as((timeout) -> Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000)))
			.to((seconds) -> connection.setProperty("loginTimeout", seconds));
		target.setJdbcUrl(JdbcUrls.movePasswordsToProperties(url, connection));
		target.setConnectionProperties(connection);
		map.from(p.getSlot()::getName).to(target::setSlotName);
		map.from(p.getSlot()::getCreate).to(target::setSlotCreation);
		map.from(p.getSlot()::isDropOnShutdown).to(target::setDropSlotOnShutdown);
		map.from(p.getPublication()::getNames).to(target::setPublications);
		map.from(p.getPublication()::getCreate).to(target::setPublicationCreation);
		map.from(p.getPublication()::getTables).to(target::setPublicationTables);
		map.from(p.getPgoutput()::getProtoVersion).to(target::setProtoVersion);
		map.from(p.getPgoutput()::getStreaming).to(target::setStreaming);
		map.from(p.getPgoutput()::isBinary).to(target::setBinary);
		map.from(p.getPgoutput()::isMessages).to(target::setMessages);
		map.from(p.getPgoutput()::getOrigin).to(target::setOrigin);
		map.from(p::getStartLsn)
			.when((lsn) -> !lsn.isBlank())
			.as((lsn) -> startLsn(lsn, prefix))
			.to(target::setStartLsn);
		map.from(p::getStatusInterval).to(target::setStatusInterval);
		map.from(p::getReceiveTimeout).to(target::setReceiveTimeout);
		map.from(p::getAckMode).to(target::setAckMode);
		map.from(p::getQueueCapacity).to(target::setQueueCapacity);
		PgLogReplProperties.Reconnect reconnect = p.getReconnect();
		target.setReconnectBackOff(StreamContainerProperties.exponentialBackOff(reconnect.getInitialInterval(),
				reconnect.getMaxInterval(), reconnect.getMultiplier()));
		map.from(p.getEvents()::isDecoded).to(target::setPublishDecoded);
		map.from(p.getEvents()::getRaw).to(target::setPublishRaw);
		map.from(p.getEvents()::getKeepalive).to(target::setPublishKeepalive);
		map.from(p::getShutdownTimeout).when((timeout) -> !timeout.isNegative()).to(target::setShutdownTimeout);
		map.from(p::isLogRowValues).to(target::setLogRowValues);
		map.from(p.getMapping()::isPrimitivesDefaultedForNullValue).to(target::setPrimitivesDefaultedForNullValue);
		map.from(p.getSlot()::isFailover).to(target::setSlotFailover);
		map.from(p.getSlot()::getOnLost).to(target::setSlotLossPolicy);
		mapSnapshot(p.getSnapshot(), target.getSnapshot(), prefix);
		map.from(p.getOutbox()::isEnabled).to(target::setOutboxEnabled);
		return target;
	}

	private static void mapSnapshot(PgLogReplProperties.Snapshot p, SnapshotSettings target, String prefix) {
		PropertyMapper map = PropertyMapper.get();
		if (p.getChunkSize() <= 0 || p.getThreads() <= 0 || p.getChunkMaxBytes().toBytes() <= 0) {
			throw new ReplicationSetupException("Invalid " + prefix + ".snapshot settings: chunk-size ("
					+ p.getChunkSize() + "), threads (" + p.getThreads() + ") and chunk-max-bytes ("
					+ p.getChunkMaxBytes() + ") must be positive.", "Set them to positive values, or remove them.");
		}
		map.from(p::isEnabled).to(target::setEnabled);
		map.from(p::getMode).to(target::setMode);
		map.from(p::getTables).to(target::setTables);
		map.from(p::getChunkSize).to(target::setChunkSize);
		map.from(p::getChunkMaxBytes).as(DataSize::toBytes).to(target::setChunkMaxBytes);
		map.from(p::getThreads).to(target::setThreads);
		map.from(p::getProgressStore).to(target::setProgressStore);
		map.from(p::getProgressTable).to(target::setProgressTable);
	}

	private static Lsn startLsn(String text, String prefix) {
		try {
			return Lsn.parse(text.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ReplicationSetupException("Invalid " + prefix + ".start-lsn: " + ex.getMessage(),
					"Set " + prefix + ".start-lsn to a position like 0/16B3748, or remove it.");
		}
	}

}
