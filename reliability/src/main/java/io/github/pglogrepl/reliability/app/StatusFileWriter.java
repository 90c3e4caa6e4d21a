package io.github.pglogrepl.reliability.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * Rewrites a small properties file with the stream's state every 100 ms (atomically: written beside it,
 * then moved), so that a test can tell which of two instances streams and which stands by.
 */
public class StatusFileWriter implements DisposableBean {

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "reliability-status");
		thread.setDaemon(true);
		return thread;
	});

	private final Path file;

	private final ReplicationStreamContainer container;

	/**
	 * @param file the status file
	 * @param container the stream
	 */
	public StatusFileWriter(Path file, ReplicationStreamContainer container) {
		this.file = file;
		this.container = container;
	}

	/** Starts writing once the context (and so the stream) has started. */
	@EventListener(ContextRefreshedEvent.class)
	public void started() {
		Path tmp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
		this.executor.scheduleWithFixedDelay(() -> {
			StreamState state = this.container.state();
			String text = "status=" + state.status() + "\nreconnects=" + state.reconnects() + "\ntransactions="
					+ state.transactions() + "\nflushed=" + state.flushedLsn() + "\ntime=" + System.currentTimeMillis()
					+ "\nlastError=" + String.valueOf(state.lastError()).replace('\n', ' ') + "\n" + snapshots();
			try {
				Files.writeString(tmp, text, StandardCharsets.UTF_8);
				Files.move(tmp, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				// next round
			}
		}, 0, 100, TimeUnit.MILLISECONDS);
	}

	/** This run's snapshot figures (in memory, from the start of this JVM). */
	private String snapshots() {
		long chunksReadAgain = 0;
		long rowsDelivered = 0;
		try {
			for (SnapshotProgress snapshot : this.container.snapshots().list()) {
				for (SnapshotProgress.TableProgress table : snapshot.tables()) {
					chunksReadAgain += table.chunksReadAgain();
				}
				rowsDelivered += snapshot.rowsDelivered();
			}
		}
		catch (RuntimeException ex) {
			// snapshots switched off
		}
		return "snapshotChunksReadAgain=" + chunksReadAgain + "\nsnapshotRowsDelivered=" + rowsDelivered + "\n";
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
