package io.github.pglogrepl.sample;

import java.util.List;
import java.util.Map;

import org.springframework.http.ResponseEntity;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.github.pglogrepl.spring.snapshot.SnapshotProgress;
import io.github.pglogrepl.spring.snapshot.SnapshotRequest;
import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;
import io.github.pglogrepl.spring.snapshot.Snapshots;

/**
 * REST API of the page: the change stream (server-sent events), recent changes, the generator, and a backfill of
 * the orders table through the {@link Snapshots} bean (the same as {@code POST /actuator/pglogrepl/snapshots}).
 */
@RestController
@RequestMapping("/api")
public class SampleController {

	private final ChangeFeed feed;

	private final LoadGenerator generator;

	private final Snapshots snapshots;

	SampleController(ChangeFeed feed, LoadGenerator generator, Snapshots snapshots) {
		this.feed = feed;
		this.generator = generator;
		this.snapshots = snapshots;
	}

	@GetMapping(path = "/changes", produces = "text/event-stream")
	SseEmitter changes() {
		return this.feed.subscribe();
	}

	@GetMapping("/changes/recent")
	List<Map<String, Object>> recent() {
		return this.feed.recent();
	}

	@GetMapping("/stats")
	Map<String, Object> stats() {
		return this.feed.stats();
	}

	@GetMapping("/generator")
	Map<String, Object> generator() {
		return this.generator.state();
	}

	@PostMapping("/generator/start")
	Map<String, Object> start(@RequestParam(required = false) Integer rate) {
		this.generator.start(rate);
		return this.generator.state();
	}

	@PostMapping("/generator/stop")
	Map<String, Object> stop() {
		this.generator.stop();
		return this.generator.state();
	}

	/**
	 * Starts reading every row of the orders table; the rows arrive as {@code SnapshotEvent}s.
	 * @return the backfill's progress, or 400 with the reason (e.g. one is already running)
	 */
	@PostMapping("/backfill")
	ResponseEntity<Map<String, Object>> backfill() {
		try {
			return ResponseEntity.ok(this.snapshots.start(SnapshotRequest.of("public.orders")).toMap());
		}
		catch (SnapshotRequestException ex) {
			return ResponseEntity.badRequest().body(Map.of("error", String.valueOf(ex.getMessage())));
		}
	}

	/**
	 * @return the newest backfill's progress (rows, percent, ETA per table), or {@code {}} before the first
	 */
	@GetMapping("/backfill")
	Map<String, Object> backfillProgress() {
		List<SnapshotProgress> all = this.snapshots.list();
		return all.isEmpty() ? Map.of() : all.get(0).toMap();
	}

	@PostMapping("/orders")
	Map<String, Object> order(@RequestParam(defaultValue = "Visitor") String customer) {
		return Map.of("id", this.generator.insertOrder(customer));
	}

}
