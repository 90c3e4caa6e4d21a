package io.github.pglogrepl.spring.endpoint;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.github.pglogrepl.spring.stream.FailoverReadiness;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.ServerCatalog;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * {@code /actuator/pglogrepl}: for every stream (under {@code streams}, by name) its state (status, LSNs, lag,
 * counters), the slot as the server sees it ({@code pg_replication_slots}) and the published tables; for a
 * failover slot ({@code pglogrepl.slot.failover}) also {@code failover}: {@link FailoverReadiness} (with
 * {@code failover_ready} per standby) and the failovers followed. The connection password is never shown.
 */
@Endpoint(id = "pglogrepl")
public class PgLogReplEndpoint {

	private final List<ReplicationStreamContainer> containers;

	/**
	 * Creates the endpoint.
	 * @param containers the streams
	 */
	public PgLogReplEndpoint(List<ReplicationStreamContainer> containers) {
		this.containers = List.copyOf(containers);
	}

	/**
	 * @return the report: {@code {"streams": {"<name>": {"stream": ..., "slot": ..., "publications": ...}}}}
	 */
	@ReadOperation
	public Map<String, Object> report() {
		Map<String, Object> streams = new LinkedHashMap<>();
		for (ReplicationStreamContainer container : this.containers) {
			streams.put(container.streamName(), report(container));
		}
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("streams", streams);
		return report;
	}

	private static Map<String, Object> report(ReplicationStreamContainer container) {
		StreamState state = container.state();
		StreamContainerProperties properties = container.getContainerProperties();
		Map<String, Object> stream = new LinkedHashMap<>();
		stream.put("status", state.status().name());
		stream.put("statusSince", state.statusSince().toString());
		stream.put("slot", state.slotName());
		stream.put("publications", properties.getPublications());
		stream.put("ackMode", properties.getAckMode().name());
		stream.put("receivedLsn", state.receivedLsn().toString());
		stream.put("flushedLsn", state.flushedLsn().toString());
		stream.put("serverWalEnd", state.serverWalEnd().toString());
		stream.put("lagBytes", state.lagBytes());
		stream.put("lagSeconds", state.lagSeconds());
		stream.put("transactions", state.transactions());
		stream.put("reconnects", state.reconnects());
		stream.put("deliveryFailures", state.deliveryFailures());
		stream.put("messages", state.messages());
		stream.put("streamingSince", (state.streamingSince() != null) ? state.streamingSince().toString() : null);
		stream.put("lastError", state.lastError());
		stream.put("problem", state.problem());
		StreamState.DeliveryFailure failure = state.deliveryFailure();
		if (failure != null) {
			stream.put("deliveryFailure", failure.toMap());
		}
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("stream", stream);
		try (Connection c = container.getConnectionFactory().openConnection("endpoint")) {
			ServerCatalog catalog = new ServerCatalog(c);
			ServerCatalog.SlotInfo slot = catalog.slot(state.slotName());
			report.put("slot", (slot != null) ? slot.toMap() : null);
			List<Object> publications = new ArrayList<>();
			for (String name : properties.getPublications()) {
				Map<String, Object> publication = new LinkedHashMap<>();
				publication.put("name", name);
				publication.put("tables", catalog.publishedTables(name));
				publications.add(publication);
			}
			report.put("publications", publications);
		}
		catch (SQLException ex) {
			report.put("serverError", ex.getMessage());
		}
		FailoverReadiness failover = container.failoverReadiness();
		if (failover != null) {
			Map<String, Object> details = failover.toMap();
			details.putAll(container.failoverHistory().toMap());
			report.put("failover", details);
		}
		return report;
	}

}
