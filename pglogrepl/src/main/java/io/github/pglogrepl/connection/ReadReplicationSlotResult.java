package io.github.pglogrepl.connection;

import io.github.pglogrepl.Lsn;

/**
 * Result of {@code READ_REPLICATION_SLOT} (PostgreSQL 15+) for an existing slot.
 *
 * @param slotType {@code physical} or {@code logical}
 * @param restartLsn the slot's {@code restart_lsn}, or {@code null} if it has none
 * @param restartTimeline the timeline of {@code restart_lsn}, or 0 if unknown
 */
public record ReadReplicationSlotResult(String slotType, Lsn restartLsn, int restartTimeline) {
}
