package io.github.pglogrepl.sample;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * REST API of the page: the change stream (server-sent events), recent changes, and the generator.
 */
@RestController
@RequestMapping("/api")
public class SampleController {

	private final ChangeFeed feed;

	private final LoadGenerator generator;

	SampleController(ChangeFeed feed, LoadGenerator generator) {
		this.feed = feed;
		this.generator = generator;
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

	@PostMapping("/orders")
	Map<String, Object> order(@RequestParam(defaultValue = "Visitor") String customer) {
		return Map.of("id", this.generator.insertOrder(customer));
	}

}
