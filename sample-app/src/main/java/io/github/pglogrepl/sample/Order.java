package io.github.pglogrepl.sample;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A row of the {@code orders} table; the starter maps change events of that table to it by name.
 *
 * @param id primary key
 * @param customer customer name
 * @param amount order amount
 * @param status order status
 * @param createdAt creation time
 */
public record Order(long id, String customer, BigDecimal amount, String status, Instant createdAt) {
}
