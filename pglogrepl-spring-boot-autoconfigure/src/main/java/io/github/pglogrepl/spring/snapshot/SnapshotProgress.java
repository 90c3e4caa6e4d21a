package io.github.pglogrepl.spring.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a snapshot stands, table by table.
 *
 * @param id the snapshot's id ({@code initial} for the initial snapshot)
 * @param stream the stream it belongs to
 * @param status {@link SnapshotStatus#RUNNING} while any table is pending or running, otherwise completed,
 * cancelled or failed (failed if any table failed)
 * @param condition the request's condition, or {@code null}
 * @param tables the tables
 */
public record SnapshotProgress(String id, String stream, SnapshotStatus status, String condition,
		List<TableProgress> tables) {

	/**
	 * One table of a snapshot.
	 *
	 * @param table {@code schema.table}
	 * @param status where it stands
	 * @param rowsDelivered rows delivered as {@code SnapshotEvent}s
	 * @param chunks chunks delivered
	 * @param chunksReadAgain chunks read a second time because they could not be merged with the stream as read (a
	 * reconnect, a listener failure, a transaction still committing when the chunk was read)
	 * @param rowsEstimate the planner's estimate of the table's rows ({@code pg_class.reltuples}), or -1 if unknown
	 * @param startedAt when its first chunk was read, or {@code null}
	 * @param finishedAt when it finished, or {@code null}
	 * @param reason why it failed or was cancelled, or {@code null}
	 */
	public record TableProgress(String table, SnapshotStatus status, long rowsDelivered, long chunks,
			long chunksReadAgain, long rowsEstimate, Instant startedAt, Instant finishedAt, String reason) {

		/**
		 * @return the estimated time left from the rate so far, or {@code null} if it cannot be told
		 */
		public Duration eta() {
			if (this.status != SnapshotStatus.RUNNING || this.startedAt == null || this.rowsDelivered <= 0
					|| this.rowsEstimate <= 0) {
				return null;
			}
			long elapsed = Duration.between(this.startedAt, Instant.now()).toMillis();
			long left = Math.max(0, this.rowsEstimate - this.rowsDelivered);
			return Duration.ofMillis(elapsed * left / this.rowsDelivered);
		}

		/**
		 * @return the fields as the endpoint shows them
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("table", this.table);
			map.put("status", this.status.name().toLowerCase(java.util.Locale.ROOT));
			map.put("rows", this.rowsDelivered);
			map.put("chunks", this.chunks);
			map.put("chunksReadAgain", this.chunksReadAgain);
			map.put("rowsEstimate", this.rowsEstimate);
			if (this.rowsEstimate > 0) {
				map.put("percent", Math.min(100, (this.status == SnapshotStatus.COMPLETED) ? 100
						: (int) (100 * this.rowsDelivered / this.rowsEstimate)));
			}
			map.put("startedAt", (this.startedAt != null) ? this.startedAt.toString() : null);
			map.put("finishedAt", (this.finishedAt != null) ? this.finishedAt.toString() : null);
			Duration eta = eta();
			map.put("eta", (eta != null) ? eta.toString() : null);
			if (this.reason != null) {
				map.put("reason", this.reason);
			}
			return map;
		}

	}

	/**
	 * @return the tables not finished yet
	 */
	public long tablesRemaining() {
		return this.tables.stream().filter((t) -> !t.status().isFinished()).count();
	}

	/**
	 * @return rows delivered over all tables
	 */
	public long rowsDelivered() {
		return this.tables.stream().mapToLong(TableProgress::rowsDelivered).sum();
	}

	/**
	 * @return the fields as the endpoint shows them
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("id", this.id);
		map.put("stream", this.stream);
		map.put("status", this.status.name().toLowerCase(java.util.Locale.ROOT));
		if (this.condition != null) {
			map.put("condition", this.condition);
		}
		map.put("rows", rowsDelivered());
		map.put("tablesRemaining", tablesRemaining());
		map.put("tables", this.tables.stream().map(TableProgress::toMap).toList());
		return map;
	}

}
