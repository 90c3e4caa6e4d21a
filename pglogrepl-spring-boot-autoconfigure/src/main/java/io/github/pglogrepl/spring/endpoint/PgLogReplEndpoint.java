package io.github.pglogrepl.spring.endpoint;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamSettings;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * {@code /actuator/pglogrepl}: the stream's state (status, LSNs, lag, counters), the slot as the server sees
 * it ({@code pg_replication_slots}) and the published tables. The connection password is never shown.
 */
@Endpoint(id = "pglogrepl")
public class PgLogReplEndpoint {

	private final ReplicationStreamContainer container;

	/**
	 * Creates the endpoint.
	 * @param container the stream
	 */
	public PgLogReplEndpoint(ReplicationStreamContainer container) {
		this.container = container;
	}

	/**
	 * @return the report
	 */
	@ReadOperation
	public Map<String, Object> report() {
		StreamState state = this.container.state();
		StreamSettings settings = this.container.settings();
		Map<String, Object> stream = new LinkedHashMap<>();
		stream.put("status", state.status().name());
		stream.put("slot", state.slotName());
		stream.put("publications", settings.publications());
		stream.put("ackMode", settings.ackMode().name());
		stream.put("receivedLsn", state.receivedLsn().toString());
		stream.put("flushedLsn", state.flushedLsn().toString());
		stream.put("serverWalEnd", state.serverWalEnd().toString());
		stream.put("lagBytes", state.lagBytes());
		stream.put("lagSeconds", state.lagSeconds());
		stream.put("transactions", state.transactions());
		stream.put("reconnects", state.reconnects());
		stream.put("messages", state.messages());
		stream.put("streamingSince", (state.streamingSince() != null) ? state.streamingSince().toString() : null);
		stream.put("lastError", state.lastError());
		stream.put("problem", state.problem());
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("stream", stream);
		try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.connectionProperties())) {
			report.put("slot", queryOne(c, "SELECT slot_name, plugin, slot_type, active, active_pid, "
					+ "restart_lsn::text, confirmed_flush_lsn::text, wal_status, "
					+ "pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS retained_bytes "
					+ "FROM pg_replication_slots WHERE slot_name = ?", state.slotName()));
			List<Object> publications = new ArrayList<>();
			for (String name : settings.publications()) {
				Map<String, Object> publication = new LinkedHashMap<>();
				publication.put("name", name);
				publication.put("tables", queryColumn(c,
						"SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY 1", name));
				publications.add(publication);
			}
			report.put("publications", publications);
		}
		catch (SQLException ex) {
			report.put("serverError", ex.getMessage());
		}
		return report;
	}

	private static Map<String, Object> queryOne(Connection c, String sql, String arg) throws SQLException {
		try (PreparedStatement ps = c.prepareStatement(sql)) {
			ps.setString(1, arg);
			try (ResultSet rs = ps.executeQuery()) {
				if (!rs.next()) {
					return null;
				}
				ResultSetMetaData md = rs.getMetaData();
				Map<String, Object> row = new LinkedHashMap<>();
				for (int i = 1; i <= md.getColumnCount(); i++) {
					row.put(md.getColumnLabel(i), rs.getObject(i));
				}
				return row;
			}
		}
	}

	private static List<String> queryColumn(Connection c, String sql, String arg) throws SQLException {
		try (PreparedStatement ps = c.prepareStatement(sql)) {
			ps.setString(1, arg);
			try (ResultSet rs = ps.executeQuery()) {
				List<String> values = new ArrayList<>();
				while (rs.next()) {
					values.add(rs.getString(1));
				}
				return values;
			}
		}
	}

}
