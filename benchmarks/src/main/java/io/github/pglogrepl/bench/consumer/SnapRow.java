package io.github.pglogrepl.bench.consumer;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import io.github.pglogrepl.spring.event.ReplicatedTable;

/**
 * A row of the snapshot workloads' table {@code snap} (the benchmark row's columns; any schema, so the tables of
 * the split variant, {@code s1split_<n>.snap}, map to it too).
 * @param id bigint primary key
 * @param name text
 * @param qty int
 * @param price numeric(10,2)
 * @param createdAt timestamptz
 */
@ReplicatedTable("snap")
public record SnapRow(long id, String name, int qty, BigDecimal price, OffsetDateTime createdAt) {
}
