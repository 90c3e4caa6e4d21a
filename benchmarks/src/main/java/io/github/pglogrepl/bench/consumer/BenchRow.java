package io.github.pglogrepl.bench.consumer;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import io.github.pglogrepl.spring.event.ReplicatedTable;

/**
 * A row of the benchmark table, as a typed listener receives it.
 * @param id bigint primary key
 * @param name text
 * @param qty int
 * @param price numeric(10,2)
 * @param createdAt timestamptz
 */
@ReplicatedTable("bench")
public record BenchRow(long id, String name, int qty, BigDecimal price, OffsetDateTime createdAt) {
}
