package io.github.pglogrepl.test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.CreateReplicationSlotResult;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.SnapshotAction;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.BeginMessage;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;

/**
 * Test fixture: a temporary pgoutput slot created now (so that changes made after {@link #create} are
 * streamed), then a stream started with given options, decoding into a list. Empty transactions, which
 * PostgreSQL 14 sends for DDL and catalog-only transactions, are left out of the collected messages.
 */
public final class LogicalStream implements AutoCloseable {

	private final ReplicationConnection connection;

	private final String slot;

	private final CreateReplicationSlotResult created;

	private final PgOutputDecoder decoder = new PgOutputDecoder();

	private final List<XLogData> raw = new ArrayList<>();

	private ReplicationStream stream;

	private Lsn flushed = Lsn.INVALID;

	private int emptyTransactions;

	private LogicalStream(ReplicationConnection connection, String slot, CreateReplicationSlotResult created) {
		this.connection = connection;
		this.slot = slot;
		this.created = created;
	}

	/**
	 * Creates a temporary pgoutput slot.
	 * @param pg the server
	 * @param twoPhase whether the slot decodes prepared transactions (PostgreSQL 15+)
	 * @return the fixture
	 * @throws SQLException on failure
	 */
	public static LogicalStream create(TestPostgres pg, boolean twoPhase) throws SQLException {
		ReplicationConnection conn = pg.replication();
		String slot = TestPostgres.uniqueName("slot");
		CreateReplicationSlotCommand cmd = CreateReplicationSlotCommand.logical(slot, "pgoutput")
			.temporary()
			.snapshot(SnapshotAction.NOTHING);
		if (twoPhase) {
			cmd.twoPhase();
		}
		return new LogicalStream(conn, slot, conn.createReplicationSlot(cmd));
	}

	/**
	 * @return the slot name
	 */
	public String slot() {
		return this.slot;
	}

	/**
	 * @return the slot creation result
	 */
	public CreateReplicationSlotResult created() {
		return this.created;
	}

	/**
	 * @return the replication connection
	 */
	public ReplicationConnection connection() {
		return this.connection;
	}

	/**
	 * @return how many empty transactions (Begin directly followed by Commit) were dropped
	 */
	public int emptyTransactions() {
		return this.emptyTransactions;
	}

	/**
	 * @return the raw XLogData received so far
	 */
	public List<XLogData> raw() {
		return this.raw;
	}

	/**
	 * @return the decoder (with its relation cache)
	 */
	public PgOutputDecoder decoder() {
		return this.decoder;
	}

	/**
	 * @return the active stream
	 */
	public ReplicationStream stream() {
		return this.stream;
	}

	/**
	 * Starts streaming from the slot's consistent point.
	 * @param options pgoutput options
	 * @return this fixture
	 * @throws SQLException on failure
	 */
	public LogicalStream start(PgOutputOptions options) throws SQLException {
		this.stream = this.connection
			.startReplication(StartReplicationCommand.logical(this.slot, this.created.consistentPoint()).pgoutput(options));
		return this;
	}

	/**
	 * Reads and decodes messages until one matches {@code stop} (included in the result).
	 * @param stop the last message wanted
	 * @param timeout give up after this long
	 * @return the messages in order
	 * @throws SQLException on failure
	 * @throws AssertionError on timeout, listing what was received
	 */
	public List<PgOutputMessage> collectUntil(Predicate<PgOutputMessage> stop, Duration timeout) throws SQLException {
		List<PgOutputMessage> messages = new ArrayList<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			ReplicationMessage message = this.stream.read(Duration.ofMillis(200));
			if (message instanceof PrimaryKeepalive keepalive && keepalive.replyRequested()) {
				this.stream.sendStatusUpdate(this.stream.lastReceivedLsn(), this.flushed, this.flushed, false);
			}
			else if (message instanceof XLogData data) {
				this.raw.add(data);
				PgOutputMessage decoded = this.decoder.decode(data);
				if (decoded instanceof CommitMessage && !messages.isEmpty()
						&& messages.get(messages.size() - 1) instanceof BeginMessage) {
					// PostgreSQL 14 sends empty transactions (e.g. of DDL); 15+ skips them: drop them here
					messages.remove(messages.size() - 1);
					this.emptyTransactions++;
					continue;
				}
				messages.add(decoded);
				if (stop.test(decoded)) {
					return messages;
				}
			}
		}
		throw new AssertionError("Timed out after " + timeout + "; received " + messages.size() + " messages: "
				+ ((messages.size() > 20) ? messages.subList(messages.size() - 20, messages.size()) : messages));
	}

	/**
	 * Reads and decodes until {@code count} messages matching {@code stop} were seen.
	 * @param stop predicate
	 * @param count how many matches to wait for
	 * @param timeout give up after this long
	 * @return all messages in order
	 * @throws SQLException on failure
	 */
	public List<PgOutputMessage> collectUntil(Predicate<PgOutputMessage> stop, int count, Duration timeout)
			throws SQLException {
		List<PgOutputMessage> all = new ArrayList<>();
		int[] seen = { 0 };
		long deadline = System.nanoTime() + timeout.toNanos();
		while (seen[0] < count) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new AssertionError("Timed out; saw " + seen[0] + " of " + count + " matches in " + all.size()
						+ " messages");
			}
			all.addAll(collectUntil(stop, Duration.ofNanos(left)));
			seen[0]++;
		}
		return all;
	}

	/**
	 * Records a flushed position to report in replies.
	 * @param lsn the position
	 */
	public void flushed(Lsn lsn) {
		this.flushed = lsn;
	}

	@Override
	public void close() throws SQLException {
		this.connection.close();
	}

}
