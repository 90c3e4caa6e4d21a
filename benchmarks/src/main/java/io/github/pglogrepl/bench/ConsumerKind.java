package io.github.pglogrepl.bench;

import io.github.pglogrepl.bench.consumer.CoreConsumer;
import io.github.pglogrepl.bench.consumer.DebeziumConsumer;
import io.github.pglogrepl.bench.consumer.PgjdbcConsumer;
import io.github.pglogrepl.bench.consumer.PgjdbcCopyConsumer;
import io.github.pglogrepl.bench.consumer.StarterConsumer;
import io.github.pglogrepl.bench.consumer.StarterSnapshotConsumer;

/**
 * The consumers compared.
 */
enum ConsumerKind {

	RECVLOGICAL("pg_recvlogical", "pg_recvlogical (C, reference)", null),

	PGJDBC("pgjdbc", "pgjdbc PGReplicationStream (count only)", PgjdbcConsumer.class),

	CORE("core", "pglogrepl core (decode all values)", CoreConsumer.class),

	STARTER("starter", "pglogrepl starter (typed @EventListener)", StarterConsumer.class),

	DEBEZIUM("debezium", "Debezium embedded (Connect records)", DebeziumConsumer.class),

	/** Not in the default set ({@code --with starter-untyped}): the starter without record mapping. */
	STARTER_UNTYPED("starter-untyped", "pglogrepl starter (InsertEvent<ChangeRow>, values by index)",
			StarterConsumer.class),

	/** Snapshot workloads only (S1): a table read with pgjdbc's COPY. */
	COPY("copy", "pgjdbc COPY (SELECT ...) TO STDOUT (count only)", PgjdbcCopyConsumer.class),

	/** Snapshot workloads only (S1, S2): the starter's snapshot reader. */
	STARTER_SNAPSHOT("starter-snapshot", "pglogrepl starter snapshot (typed SnapshotEvent listener)",
			StarterSnapshotConsumer.class);

	/** @return whether the consumer runs in W1–W3 unless skipped (otherwise only with --with) */
	boolean byDefault() {
		return this != STARTER_UNTYPED && this != COPY && this != STARTER_SNAPSHOT;
	}

	/** @return whether it reads a replication slot in W1–W3 (the snapshot-only readers do not) */
	boolean streams() {
		return this != COPY && this != STARTER_SNAPSHOT;
	}

	final String id;

	final String label;

	final Class<?> mainClass;

	ConsumerKind(String id, String label, Class<?> mainClass) {
		this.id = id;
		this.label = label;
		this.mainClass = mainClass;
	}

	static ConsumerKind byId(String id) {
		for (ConsumerKind kind : values()) {
			if (kind.id.equals(id)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown consumer " + id);
	}

}
