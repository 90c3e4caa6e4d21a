/**
 * Snapshots: the rows that exist, read in chunks and merged into the stream of changes so that applying every
 * event in delivery order gives the tables' contents. {@link io.github.pglogrepl.spring.snapshot.Snapshots} is the
 * API (a bean per stream, and the actuator endpoint's {@code snapshots} operations).
 */
package io.github.pglogrepl.spring.snapshot;
