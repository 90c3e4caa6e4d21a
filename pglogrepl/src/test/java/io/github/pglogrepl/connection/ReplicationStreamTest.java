package io.github.pglogrepl.connection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CopyBoth stream: status updates reach the slot, keepalives are received and answered, and a status
 * update from another thread is never held up by the reading thread.
 */
@RealPostgres
@SuppressWarnings("try") // resources held open by try-with-resources (and closed early where the test needs it)
class ReplicationStreamTest {

	private final TestPostgres pg;

	private final String table = TestPostgres.uniqueName("t");

	private final String pub = TestPostgres.uniqueName("pub");

	ReplicationStreamTest(TestPostgres pg) {
		this.pg = pg;
		pg.execute("CREATE TABLE " + this.table + " (id int primary key)",
				"CREATE PUBLICATION " + this.pub + " FOR TABLE " + this.table);
	}

	private ReplicationConnection connect(String walSenderTimeout) throws SQLException {
		Properties props = this.pg.properties();
		if (walSenderTimeout != null) {
			props.setProperty("options", "-c wal_sender_timeout=" + walSenderTimeout);
		}
		return ReplicationConnection.open(this.pg.jdbcUrl(), props);
	}

	private static Lsn temporarySlot(ReplicationConnection conn, String slot) throws SQLException {
		return conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput").temporary())
			.consistentPoint();
	}

	/** START_REPLICATION of the test's publication (pgoutput protocol 1) on the slot from {@code start}. */
	private ReplicationStream stream(ReplicationConnection conn, String slot, Lsn start) throws SQLException {
		return conn.startReplication(StartReplicationCommand.logical(slot, start)
			.pgoutput(PgOutputOptions.builder().protoVersion(1).publications(this.pub).build()));
	}

	private String confirmedFlush(String slot) {
		return this.pg.queryString("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("condition not met within " + timeout);
			}
			Thread.sleep(20);
		}
	}

	private CommitMessage readUntilCommit(ReplicationStream stream) throws SQLException {
		PgOutputDecoder decoder = new PgOutputDecoder();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			if (stream.read(Duration.ofMillis(100)) instanceof XLogData data) {
				PgOutputMessage message = decoder.decode(data);
				if (message instanceof CommitMessage commit) {
					return commit;
				}
			}
		}
		throw new AssertionError("no commit received");
	}

	@Test
	void flushPositionFromStatusUpdateBecomesTheSlotsConfirmedFlushLsn() throws Exception {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = connect(null)) {
			Lsn start = conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput")).consistentPoint();
			try {
				ReplicationStream stream = stream(conn, slot, start);
				this.pg.execute("INSERT INTO " + this.table + " VALUES (1)");
				CommitMessage commit = readUntilCommit(stream);
				assertThat(stream.lastReceivedLsn()).isGreaterThanOrEqualTo(commit.commitLsn());
				assertThat(stream.lastServerWalEnd()).isGreaterThanOrEqualTo(commit.commitLsn());
				assertThat(Lsn.parse(confirmedFlush(slot))).isLessThan(commit.endLsn());
				stream.sendStatusUpdate(commit.endLsn(), commit.endLsn(), commit.endLsn(), false);
				awaitTrue(() -> commit.endLsn().toString().equals(confirmedFlush(slot)), Duration.ofSeconds(5));
				stream.close();
				assertThat(stream.isActive()).isFalse();
				// the connection can run commands again after the stream ends
				assertThat(conn.identifySystem().xlogPos()).isGreaterThanOrEqualTo(commit.endLsn());
			}
			finally {
				conn.dropReplicationSlot(slot, true);
			}
		}
	}

	@Test
	void replyRequestedInAStatusUpdateMakesTheServerSendAKeepalive() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = connect("60s")) {
			Lsn start = temporarySlot(conn, slot);
			ReplicationStream stream = stream(conn, slot, start);
			// drain what the server sends at start
			while (stream.read(Duration.ofMillis(300)) != null) {
				// discard
			}
			long sent = System.nanoTime();
			stream.sendStatusUpdate(start, start, start, true);
			ReplicationMessage reply = stream.read(Duration.ofSeconds(5));
			assertThat(reply).isInstanceOf(PrimaryKeepalive.class);
			assertThat(((PrimaryKeepalive) reply).replyRequested()).isFalse();
			assertThat(((PrimaryKeepalive) reply).serverWalEnd()).isGreaterThanOrEqualTo(start);
			assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(2));
		}
	}

	@Test
	void serverAsksForAReplyAfterHalfTheWalSenderTimeout() throws SQLException {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = connect("2s")) {
			Lsn start = temporarySlot(conn, slot);
			ReplicationStream stream = stream(conn, slot, start);
			PrimaryKeepalive request = null;
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (request == null && System.nanoTime() < deadline) {
				if (stream.read(Duration.ofMillis(100)) instanceof PrimaryKeepalive k && k.replyRequested()) {
					request = k;
				}
			}
			assertThat(request).as("keepalive with replyRequested").isNotNull();
			// answering keeps the connection alive past the timeout
			stream.sendStatusUpdate(stream.lastReceivedLsn(), start, start, false);
			long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
			while (System.nanoTime() < until) {
				if (stream.read(Duration.ofMillis(100)) instanceof PrimaryKeepalive k && k.replyRequested()) {
					stream.sendStatusUpdate(stream.lastReceivedLsn(), start, start, false);
				}
			}
			assertThat(stream.isActive()).isTrue();
			assertThat(conn.isClosed()).isFalse();
		}
	}

	@Test
	void statusUpdateFromAnotherThreadIsNotHeldUpByTheReader() throws Exception {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = connect("60s")) {
			Lsn start = conn.createReplicationSlot(CreateReplicationSlotCommand.logical(slot, "pgoutput")).consistentPoint();
			try {
				ReplicationStream stream = stream(conn, slot, start);
				this.pg.execute("INSERT INTO " + this.table + " VALUES (2)");
				CommitMessage commit = readUntilCommit(stream);
				AtomicBoolean stop = new AtomicBoolean();
				// the reader waits for messages that will not come (the server is idle, keepalives every 30 s)
				CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
					try {
						while (!stop.get()) {
							stream.read(Duration.ofSeconds(1));
						}
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				Thread.sleep(300);
				long before = System.nanoTime();
				stream.sendStatusUpdate(commit.endLsn(), commit.endLsn(), commit.endLsn(), false);
				Duration sendTime = Duration.ofNanos(System.nanoTime() - before);
				awaitTrue(() -> commit.endLsn().toString().equals(confirmedFlush(slot)), Duration.ofSeconds(2));
				Duration visible = Duration.ofNanos(System.nanoTime() - before);
				assertThat(sendTime).isLessThan(Duration.ofMillis(200));
				assertThat(visible).isLessThan(Duration.ofSeconds(2));
				// and never for long: 200 more updates while the reader polls, none held up behind a read
				long slowest = 0;
				for (int i = 0; i < 200; i++) {
					long t = System.nanoTime();
					stream.sendStatusUpdate(commit.endLsn(), commit.endLsn(), commit.endLsn(), false);
					slowest = Math.max(slowest, System.nanoTime() - t);
					Thread.sleep(1);
				}
				assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofMillis(50));
				stop.set(true);
				reader.get(5, TimeUnit.SECONDS);
			}
			finally {
				conn.close();
				try (ReplicationConnection cleanup = this.pg.replication()) {
					cleanup.dropReplicationSlot(slot, true);
				}
			}
		}
	}


	@Test
	void idleReaderSleepsAndWakesUpForTheNextChange() throws Exception {
		String slot = TestPostgres.uniqueName("slot");
		try (ReplicationConnection conn = connect("60s")) {
			Lsn start = temporarySlot(conn, slot);
			ReplicationStream stream = stream(conn, slot, start);
			java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
			// 3 s with nothing to read: the reader must sleep, not spin (a busy poll would use ~100 % of a core)
			long cpuBefore = threads.getCurrentThreadCpuTime();
			long wallBefore = System.nanoTime();
			while (System.nanoTime() - wallBefore < Duration.ofSeconds(3).toNanos()) {
				// (the server may send a keepalive, never data: nothing was written)
				assertThat(stream.read(Duration.ofMillis(100)) instanceof XLogData).isFalse();
			}
			double share = (double) (threads.getCurrentThreadCpuTime() - cpuBefore) / (System.nanoTime() - wallBefore);
			assertThat(share).as("CPU share of an idle reader").isLessThan(0.2);
			// and the first change after the silence is read promptly (idle pauses are 10 ms)
			this.pg.execute("INSERT INTO " + this.table + " VALUES (7)");
			long committed = System.nanoTime();
			ReplicationMessage first = null;
			while (!(first instanceof XLogData)) {
				first = stream.read(Duration.ofSeconds(5));
				assertThat(first).isNotNull();
			}
			assertThat(Duration.ofNanos(System.nanoTime() - committed)).isLessThan(Duration.ofMillis(500));
		}
	}

}
