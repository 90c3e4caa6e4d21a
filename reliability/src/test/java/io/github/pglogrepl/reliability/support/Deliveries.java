package io.github.pglogrepl.reliability.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the delivery files written by {@code DurableRecorder} (one per application process), incrementally:
 * {@link #refresh()} reads what was appended since the last call. Only complete lines count; a line cut short
 * by a kill was never acknowledged.
 */
public final class Deliveries {

	/** A delivered row. */
	public record Row(long id, long xid, boolean streamed, long millis, String file) {
	}

	private final List<Tail> tails = new ArrayList<>();

	private final Map<Long, Integer> counts = new HashMap<>();

	private final List<Row> rows = new ArrayList<>();

	private final Set<Long> streamCommits = new HashSet<>();

	private final Set<Long> streamAborts = new HashSet<>();

	private long total;

	private static final class Tail {

		final Path file;

		long offset;

		Tail(Path file) {
			this.file = file;
		}

	}

	/**
	 * Adds a file to follow (it need not exist yet).
	 * @param file a delivery file
	 * @return this
	 */
	public synchronized Deliveries follow(Path file) {
		this.tails.add(new Tail(file));
		return this;
	}

	/**
	 * Reads what was appended since the last call.
	 * @return this
	 */
	public synchronized Deliveries refresh() {
		for (Tail tail : this.tails) {
			if (!Files.exists(tail.file)) {
				continue;
			}
			try (FileChannel channel = FileChannel.open(tail.file, StandardOpenOption.READ)) {
				long size = channel.size();
				if (size <= tail.offset) {
					continue;
				}
				ByteBuffer buffer = ByteBuffer.allocate((int) (size - tail.offset));
				channel.position(tail.offset);
				while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
					// read all
				}
				String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
				int end = text.lastIndexOf('\n');
				if (end < 0) {
					continue;
				}
				tail.offset += end + 1;
				for (String line : text.substring(0, end).split("\n")) {
					parse(line, tail.file.getFileName().toString());
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return this;
	}

	private void parse(String line, String file) {
		String[] f = line.trim().split(" ");
		try {
			switch (f[0]) {
				case "I" -> {
					Row row = new Row(Long.parseLong(f[1]), Long.parseLong(f[2]), "1".equals(f[3]), Long.parseLong(f[4]),
							file);
					this.rows.add(row);
					this.counts.merge(row.id(), 1, Integer::sum);
					this.total++;
				}
				case "SC" -> this.streamCommits.add(Long.parseLong(f[1]));
				case "SA" -> this.streamAborts.add(Long.parseLong(f[1]));
				default -> {
					// a torn line: ignored
				}
			}
		}
		catch (RuntimeException ex) {
			// a torn line: ignored
		}
	}

	/**
	 * @param id a row id
	 * @return how often it was delivered
	 */
	public synchronized int count(long id) {
		return this.counts.getOrDefault(id, 0);
	}

	/**
	 * @return every delivery so far, in file order
	 */
	public synchronized List<Row> rows() {
		return List.copyOf(this.rows);
	}

	/**
	 * @return all deliveries (with duplicates)
	 */
	public synchronized long total() {
		return this.total;
	}

	/**
	 * @return distinct ids delivered
	 */
	public synchronized Set<Long> ids() {
		return Set.copyOf(this.counts.keySet());
	}

	/**
	 * @return xids of streamed transactions whose Stream Commit was delivered
	 */
	public synchronized Set<Long> streamCommits() {
		return Set.copyOf(this.streamCommits);
	}

	/**
	 * @return xids of streamed transactions whose Stream Abort was delivered
	 */
	public synchronized Set<Long> streamAborts() {
		return Set.copyOf(this.streamAborts);
	}

	/**
	 * @param afterId ids above this count
	 * @param sinceMillis deliveries at or after this time count
	 * @return the time of the earliest such delivery, or -1
	 */
	public synchronized long firstDeliveryAfter(long afterId, long sinceMillis) {
		long first = -1;
		for (Row row : this.rows) {
			if (row.id() > afterId && row.millis() >= sinceMillis && (first < 0 || row.millis() < first)) {
				first = row.millis();
			}
		}
		return first;
	}

	/**
	 * @param file a file name (as followed)
	 * @return deliveries recorded in that file
	 */
	public synchronized long countIn(String file) {
		return this.rows.stream().filter((r) -> r.file().equals(file)).count();
	}

}
