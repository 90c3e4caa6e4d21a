package io.github.pglogrepl.spring.endpoint;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;

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
 *
 * <p>Snapshots (backfills): {@code GET /actuator/pglogrepl/snapshots} lists them with their progress,
 * {@code GET .../snapshots/{id}} shows one, {@code POST .../snapshots} with
 * {@code {"tables": "orders, public.\"Order Lines\"", "condition": "created_at > now() - interval '1 day'",
 * "stream": "default"}} starts one, {@code DELETE .../snapshots/{id}} cancels one. Every field of the body is
 * optional and a string: Spring Boot's actuator reads a write operation's body as a map of strings (a JSON array
 * is refused with a bare 400 before the operation is called), so {@code tables} is one string of names as SQL
 * writes them, separated by commas (a comma inside a double-quoted name is part of it); left out, every published
 * table is read. A request that cannot be carried out answers 400 with {@code {"error": "<what is wrong and how to
 * fix it>"}}; nothing is started then.
 */
@Endpoint(id = "pglogrepl")
public class PgLogReplEndpoint {

	private static final String SNAPSHOTS = "snapshots";

	private final List<ReplicationStreamContainer> containers;

	private final List<PgLogReplReportContributor> contributors;

	/**
	 * Creates the endpoint.
	 * @param containers the streams
	 */
	public PgLogReplEndpoint(List<ReplicationStreamContainer> containers) {
		this(containers, List.of());
	}

	/**
	 * Creates the endpoint.
	 * @param containers the streams
	 * @param contributors further sections of the report (the Kafka relay's)
	 */
	public PgLogReplEndpoint(List<ReplicationStreamContainer> containers,
			List<PgLogReplReportContributor> contributors) {
		this.containers = List.copyOf(containers);
		this.contributors = List.copyOf(contributors);
	}

	/**
	 * @return the report: {@code {"streams": {"<name>": {"stream": ..., "slot": ..., "publications": ...}}}}, and a
	 * section per {@link PgLogReplReportContributor} ({@code "kafka"} with the relay)
	 */
	@ReadOperation
	public Map<String, Object> report() {
		Map<String, Object> streams = new LinkedHashMap<>();
		for (ReplicationStreamContainer container : this.containers) {
			streams.put(container.streamName(), report(container));
		}
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("streams", streams);
		for (PgLogReplReportContributor contributor : this.contributors) {
			report.put(contributor.name(), contributor.report());
		}
		return report;
	}

	/**
	 * @param resource {@code snapshots}
	 * @return every stream's snapshots, newest first: {@code {"snapshots": [...]}}
	 */
	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> snapshots(@Selector String resource) {
		if (!SNAPSHOTS.equals(resource)) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		List<Object> snapshots = new ArrayList<>();
		for (ReplicationStreamContainer container : this.containers) {
			for (SnapshotProgress progress : container.snapshots().list()) {
				snapshots.add(progress.toMap());
			}
		}
		return new WebEndpointResponse<>(Map.of(SNAPSHOTS, snapshots));
	}

	/**
	 * @param resource {@code snapshots}
	 * @param id a snapshot id
	 * @return the snapshot's progress, or 404
	 */
	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> snapshot(@Selector String resource, @Selector String id) {
		if (SNAPSHOTS.equals(resource)) {
			for (ReplicationStreamContainer container : this.containers) {
				var progress = container.snapshots().get(id);
				if (progress.isPresent()) {
					return new WebEndpointResponse<>(progress.get().toMap());
				}
			}
		}
		return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	/**
	 * Starts a backfill.
	 * @param resource {@code snapshots}
	 * @param tables the tables, separated by commas ({@code orders, public."Order Lines"}); left out: every
	 * published table
	 * @param condition an optional SQL boolean expression for a partial backfill
	 * @param stream the stream (needed with several streams)
	 * @return the new snapshot's progress, or 400 with the reason
	 */
	@WriteOperation
	public WebEndpointResponse<Map<String, Object>> startSnapshot(@Selector String resource, @Nullable String tables,
			@Nullable String condition, @Nullable String stream) {
		if (!SNAPSHOTS.equals(resource)) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		try {
			ReplicationStreamContainer container = container(stream);
			SnapshotProgress progress = container.snapshots()
				.start(new SnapshotRequest((tables != null) ? tableNames(tables) : null, condition));
			return new WebEndpointResponse<>(progress.toMap());
		}
		catch (SnapshotRequestException ex) {
			return new WebEndpointResponse<>(Map.of("error", String.valueOf(ex.getMessage())),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
	}

	/**
	 * Cancels a snapshot.
	 * @param resource {@code snapshots}
	 * @param id a snapshot id
	 * @return the snapshot's progress, or 404
	 */
	@DeleteOperation
	public WebEndpointResponse<Map<String, Object>> cancelSnapshot(@Selector String resource, @Selector String id) {
		if (SNAPSHOTS.equals(resource)) {
			for (ReplicationStreamContainer container : this.containers) {
				if (container.snapshots().get(id).isPresent()) {
					try {
						return new WebEndpointResponse<>(container.snapshots().cancel(id).orElseThrow().toMap());
					}
					catch (SnapshotRequestException ex) {
						return new WebEndpointResponse<>(Map.of("error", String.valueOf(ex.getMessage())),
								WebEndpointResponse.STATUS_BAD_REQUEST);
					}
				}
			}
		}
		return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	/**
	 * Splits the {@code tables} field: names separated by commas, a comma inside double quotes being part of a
	 * name ({@code "a,b"}; a doubled quote stands for a quote). The names are kept as written, quotes included:
	 * the server resolves them.
	 * @param tables the field
	 * @return the names
	 * @throws SnapshotRequestException if there is no name in it
	 */
	static List<String> tableNames(String tables) {
		List<String> names = new ArrayList<>();
		StringBuilder name = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < tables.length(); i++) {
			char c = tables.charAt(i);
			if (c == '"') {
				quoted = !quoted;
			}
			if (c == ',' && !quoted) {
				addName(names, name);
				name.setLength(0);
			}
			else {
				name.append(c);
			}
		}
		addName(names, name);
		if (names.isEmpty()) {
			throw new SnapshotRequestException("No table in \"tables\": give the names separated by commas "
					+ "(orders, public.\"Order Lines\"), or leave \"tables\" out to read every published table");
		}
		return names;
	}

	private static void addName(List<String> names, StringBuilder name) {
		String stripped = name.toString().strip();
		if (!stripped.isEmpty()) {
			names.add(stripped);
		}
	}

	private ReplicationStreamContainer container(String stream) {
		if (stream == null || stream.isBlank()) {
			if (this.containers.size() == 1) {
				return this.containers.get(0);
			}
			throw new SnapshotRequestException("Name the stream (\"stream\"): one of " + streamNames());
		}
		for (ReplicationStreamContainer container : this.containers) {
			if (container.streamName().equals(stream)) {
				return container;
			}
		}
		throw new SnapshotRequestException("No stream '" + stream + "'; streams: " + streamNames());
	}

	private List<String> streamNames() {
		return this.containers.stream().map(ReplicationStreamContainer::streamName).toList();
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
		List<Object> snapshots = new ArrayList<>();
		for (SnapshotProgress progress : container.snapshots().list()) {
			if (progress.status() == io.github.pglogrepl.spring.snapshot.SnapshotStatus.RUNNING) {
				snapshots.add(progress.toMap());
			}
		}
		report.put("snapshots", snapshots);
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
