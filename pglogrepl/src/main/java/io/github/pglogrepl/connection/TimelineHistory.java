package io.github.pglogrepl.connection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.github.pglogrepl.Lsn;

/**
 * Result of {@code TIMELINE_HISTORY}: the timeline history file of a timeline.
 *
 * @param fileName the file name, e.g. {@code 00000002.history}
 * @param content the raw file content
 */
public record TimelineHistory(String fileName, byte[] content) {

	/**
	 * One line of a history file: the timeline {@code timeline} ended at {@code switchPoint}.
	 * @param timeline a parent timeline id
	 * @param switchPoint the WAL position where the next timeline branched off
	 * @param reason the reason recorded by the server
	 */
	public record Entry(int timeline, Lsn switchPoint, String reason) {
	}

	/**
	 * Parses the file content (lines of {@code timeline<TAB>switchpoint<TAB>reason}; blank lines and
	 * {@code #} comments are skipped).
	 * @return the entries in file order
	 * @throws IllegalArgumentException if a line is malformed
	 */
	public List<Entry> entries() {
		List<Entry> entries = new ArrayList<>();
		for (String line : new String(this.content, StandardCharsets.UTF_8).split("\n")) {
			String trimmed = line.strip();
			if (trimmed.isEmpty() || trimmed.startsWith("#")) {
				continue;
			}
			String[] parts = trimmed.split("\t", 3);
			if (parts.length < 2) {
				throw new IllegalArgumentException("Malformed timeline history line: " + line);
			}
			try {
				entries.add(new Entry(Integer.parseInt(parts[0].strip()), Lsn.parse(parts[1].strip()),
						(parts.length > 2) ? parts[2].strip() : ""));
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("Malformed timeline history line: " + line, ex);
			}
		}
		return entries;
	}

}
