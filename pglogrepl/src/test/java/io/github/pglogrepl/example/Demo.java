package io.github.pglogrepl.example;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.connection.CreateReplicationSlotCommand;
import io.github.pglogrepl.connection.IdentifySystemResult;
import io.github.pglogrepl.connection.ReplicationConnection;
import io.github.pglogrepl.connection.ReplicationStream;
import io.github.pglogrepl.connection.StartReplicationCommand;
import io.github.pglogrepl.pgoutput.CommitMessage;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.PgOutputMessage;
import io.github.pglogrepl.pgoutput.PgOutputOptions;
import io.github.pglogrepl.protocol.PrimaryKeepalive;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.protocol.XLogData;

/**
 * The core library's demo, the Java counterpart of the Go package's {@code pglogrepl_demo}: connect, identify,
 * create a temporary slot, start replication, print decoded messages, send status updates. Shown in the
 * README; {@code DemoTest} runs it.
 */
public final class Demo {

	private Demo() {
	}

	/**
	 * Usage: {@code Demo <jdbc-url> <user> <password> <publication>}; runs until interrupted.
	 * @param args arguments
	 * @throws SQLException on failure
	 */
	public static void main(String[] args) throws SQLException {
		run(args[0], args[1], args[2], args[3], System.out, Duration.ofDays(365));
	}

	static void run(String url, String user, String password, String publication, PrintStream out, Duration runFor)
			throws SQLException {
		// README-BEGIN
		try (ReplicationConnection conn = ReplicationConnection.open(url, user, password)) {
			IdentifySystemResult system = conn.identifySystem();
			out.println("SystemID: " + system.systemId() + " Timeline: " + system.timeline() + " XLogPos: "
					+ system.xlogPos() + " DBName: " + system.dbName());

			conn.createReplicationSlot(CreateReplicationSlotCommand.logical("pglogrepl_demo", "pgoutput").temporary());
			PgOutputOptions options = PgOutputOptions.builder()
				.protoVersion(PgOutputOptions.maxProtoVersion(conn.serverMajorVersion()))
				.publications(publication)
				.messages(true)
				.build();
			ReplicationStream stream = conn
				.startReplication(StartReplicationCommand.logical("pglogrepl_demo", system.xlogPos()).pgoutput(options));

			PgOutputDecoder decoder = new PgOutputDecoder();
			Lsn processed = system.xlogPos();
			Duration statusInterval = Duration.ofSeconds(10);
			long nextStatus = System.nanoTime() + statusInterval.toNanos();
			long end = System.nanoTime() + runFor.toNanos();
			while (System.nanoTime() < end) {
				if (System.nanoTime() >= nextStatus) {
					stream.sendStatusUpdate(processed, processed, processed, false);
					nextStatus = System.nanoTime() + statusInterval.toNanos();
				}
				ReplicationMessage message = stream.read(Duration.ofMillis(500));
				if (message instanceof PrimaryKeepalive keepalive) {
					if (keepalive.replyRequested()) {
						nextStatus = 0; // reply at once
					}
				}
				else if (message instanceof XLogData xlog) {
					PgOutputMessage decoded = decoder.decode(xlog);
					if (decoded instanceof InsertMessage insert) {
						out.println("INSERT " + insert.relation().qualifiedName() + " " + insert.newRow().toMap());
					}
					else {
						out.println(decoded);
					}
					if (decoded instanceof CommitMessage commit) {
						processed = commit.endLsn();
					}
				}
			}
			stream.sendStatusUpdate(processed, processed, processed, false);
		}
		// README-END
	}

}
