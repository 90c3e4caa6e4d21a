/**
 * The transactional outbox without an outbox table: {@link io.github.pglogrepl.spring.outbox.Outbox} writes an
 * event into the WAL with {@code pg_logical_emit_message} inside the application's transaction; the stream
 * delivers it as an {@code OutboxEvent} in commit order, if and only if the transaction committed.
 */
package io.github.pglogrepl.spring.outbox;
