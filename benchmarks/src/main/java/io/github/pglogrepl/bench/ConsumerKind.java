package io.github.pglogrepl.bench;

import io.github.pglogrepl.bench.consumer.CoreConsumer;
import io.github.pglogrepl.bench.consumer.DebeziumConsumer;
import io.github.pglogrepl.bench.consumer.DebeziumKafkaConsumer;
import io.github.pglogrepl.bench.consumer.PgjdbcConsumer;
import io.github.pglogrepl.bench.consumer.PgjdbcCopyConsumer;
import io.github.pglogrepl.bench.consumer.StarterConsumer;
import io.github.pglogrepl.bench.consumer.StarterKafkaConsumer;
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
			StarterSnapshotConsumer.class),

	/** Kafka workloads only (K1, K2): the starter's Kafka relay, slot to broker-acknowledged records. */
	STARTER_KAFKA("starter-kafka", "pglogrepl starter Kafka relay (pglogrepl.kafka.enabled)", StarterKafkaConsumer.class),

	/** Kafka workloads only (K1, K2): Debezium embedded (JSON) feeding a KafkaProducer with the same settings. */
	DEBEZIUM_KAFKA("debezium-kafka", "Debezium embedded (JSON) + KafkaProducer", DebeziumKafkaConsumer.class);

	/** @return whether the consumer runs in W1–W3 unless skipped (otherwise only with --with) */
	boolean byDefault() {
		return this != STARTER_UNTYPED && streams();
	}

	/** @return whether it reads a replication slot in W1–W3 (the snapshot-only readers do not) */
	boolean streams() {
		return this != COPY && this != STARTER_SNAPSHOT && !kafka();
	}

	/** @return whether it sends to Kafka (K1, K2 only) */
	boolean kafka() {
		return this == STARTER_KAFKA || this == DEBEZIUM_KAFKA;
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
