package io.github.pglogrepl.reliability.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.StreamAbortEvent;
import io.github.pglogrepl.spring.event.StreamCommitEvent;

/**
 * Appends one line per delivered row to a file and forces it to disk before the listener returns, so that
 * what the starter acknowledged (after the listener returned) is on disk even if the JVM is killed right
 * after. Lines:
 * <ul>
 * <li>{@code I <id> <xid> <streamed 0|1> <epoch millis>}: a row (column {@code id}) was delivered;</li>
 * <li>{@code SC <xid> <epoch millis>}: a streamed transaction committed;</li>
 * <li>{@code SA <xid> <subxid> <epoch millis>}: a streamed (sub)transaction aborted.</li>
 * </ul>
 * A line cut short by a kill is ignored by the reader: its listener never returned, so it was not
 * acknowledged and is delivered again.
 */
public class DurableRecorder implements DisposableBean {

	private final FileChannel channel;

	private final String table;

	/**
	 * @param file the file to append to (created if missing)
	 * @param table record only rows of this table, or {@code null} for all
	 */
	public DurableRecorder(Path file, String table) {
		this.table = (table == null || table.isBlank()) ? null : table;
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@EventListener
	public void inserted(InsertEvent<ChangeRow> event) {
		if (this.table != null && !this.table.equals(event.table().name())) {
			return;
		}
		Object id = event.newRow().get("id");
		append("I " + ((Number) id).longValue() + " " + event.xid() + " " + (event.transaction().streamed() ? 1 : 0)
				+ " " + System.currentTimeMillis());
	}

	@EventListener
	public void streamCommitted(StreamCommitEvent event) {
		append("SC " + event.xid() + " " + System.currentTimeMillis());
	}

	@EventListener
	public void streamAborted(StreamAbortEvent event) {
		append("SA " + event.xid() + " " + event.subXid() + " " + System.currentTimeMillis());
	}

	private synchronized void append(String line) {
		ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
		try {
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
			this.channel.force(false);
		}
		catch (IOException ex) {
			// the listener fails, so the transaction is not acknowledged and comes again
			throw new UncheckedIOException("Cannot record the delivery durably", ex);
		}
	}

	@Override
	public synchronized void destroy() throws IOException {
		this.channel.close();
	}

}
