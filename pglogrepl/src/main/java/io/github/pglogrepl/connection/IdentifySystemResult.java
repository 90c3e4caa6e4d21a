package io.github.pglogrepl.connection;

import io.github.pglogrepl.Lsn;

/**
 * Result of {@code IDENTIFY_SYSTEM}.
 *
 * @param systemId the unique system identifier of the cluster
 * @param timeline current timeline id
 * @param xlogPos current WAL flush location
 * @param dbName database connected to, or {@code null} for a physical replication connection
 */
public record IdentifySystemResult(String systemId, int timeline, Lsn xlogPos, String dbName) {
}
