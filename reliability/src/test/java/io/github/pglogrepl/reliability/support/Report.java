package io.github.pglogrepl.reliability.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects one row per scenario and writes the table to {@code target/reliability-report.md} after every
 * row (so a failing run still leaves its figures); {@link ReportListener} prints it when the run ends.
 */
public final class Report {

	/**
	 * One scenario's figures.
	 *
	 * @param id scenario number and letter, e.g. {@code 3b}
	 * @param scenario what was done
	 * @param iterations faults injected
	 * @param outcome rows written / delivered / lost / duplicates, or {@code null} where rows are not the point
	 * @param maxRecovery the longest time from a fault until a row committed after it was delivered, or
	 * {@code null}
	 * @param notes behaviour observed
	 */
	public record Entry(String id, String scenario, int iterations, Outcome outcome, Duration maxRecovery,
			String notes) {
	}

	private static final List<Entry> ENTRIES = new ArrayList<>();

	private Report() {
	}

	/**
	 * Records a scenario's figures (before its assertions, so that a failure is reported too).
	 * @param entry the figures
	 */
	public static synchronized void add(Entry entry) {
		ENTRIES.removeIf((e) -> e.id().equals(entry.id()));
		ENTRIES.add(entry);
		ENTRIES.sort(Comparator.comparing(Entry::id));
		write();
	}

	/**
	 * @return whether anything was recorded
	 */
	public static synchronized boolean isEmpty() {
		return ENTRIES.isEmpty();
	}

	/**
	 * @return the report as Markdown
	 */
	public static synchronized String markdown() {
		StringBuilder sb = new StringBuilder();
		sb.append("# Reliability report (").append(Soak.LONG ? "long soak" : "short run").append(", ")
			.append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(")\n\n");
		sb.append("PostgreSQL ").append(System.getProperty("pglogrepl-test.pg-version", "(embedded)"))
			.append(" (zonky embedded); application: ").append(AppProperties.SUMMARY)
			.append("; listener fsyncs every row before it returns")
			.append(".\n\n");
		sb.append("| # | Scenario | Iterations | Rows written | Rows delivered | Lost | Duplicates | Max recovery | Notes |\n");
		sb.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
		for (Entry e : ENTRIES) {
			Outcome o = e.outcome();
			sb.append("| ").append(e.id()).append(" | ").append(e.scenario()).append(" | ").append(e.iterations())
				.append(" | ").append((o != null) ? o.written() : "-")
				.append(" | ").append((o != null) ? o.delivered() : "-")
				.append(" | ").append((o != null) ? o.lost() : "-")
				.append(" | ").append((o != null) ? o.duplicates() : "-")
				.append(" | ").append((e.maxRecovery() != null) ? seconds(e.maxRecovery()) : "-")
				.append(" | ").append(e.notes().replace("|", "/").replace("\n", " ")).append(" |\n");
		}
		sb.append("\nRows written: committed rows (read back from the table). Rows delivered: committed rows the "
				+ "listener recorded at least once (fsync'd before it returned). Lost: committed rows never recorded "
				+ "(must be 0). Duplicates: recordings beyond the first (at-least-once redelivery). Max recovery: the "
				+ "longest time from a fault until a row committed after the fault was recorded.\n");
		return sb.toString();
	}

	private static String seconds(Duration d) {
		return String.format(java.util.Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
	}

	private static void write() {
		Path file = Path.of(System.getProperty("reliability.report", "target/reliability-report.md"));
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.writeString(file, markdown(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			System.err.println("Cannot write " + file + ": " + ex);
		}
	}

}
