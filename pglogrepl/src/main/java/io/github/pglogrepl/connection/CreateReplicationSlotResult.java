package io.github.pglogrepl.connection;

import io.github.pglogrepl.Lsn;

/**
 * Result of {@code CREATE_REPLICATION_SLOT}.
 *
 * @param slotName name of the created slot
 * @param consistentPoint the WAL location at which the slot became consistent: the earliest position
 * streaming can start from
 * @param snapshotName name of the exported snapshot ({@code EXPORT} only), otherwise {@code null}
 * @param outputPlugin the output plugin, {@code null} for a physical slot
 */
public record CreateReplicationSlotResult(String slotName, Lsn consistentPoint, String snapshotName,
		String outputPlugin) {
}
