package io.github.pglogrepl.sample;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.StreamState;

/**
 * Fans changes out to the browsers (server-sent events) and keeps the most recent ones for new visitors. On
 * shutdown it ends the open event streams first, so that the web server's graceful shutdown does not wait
 * for them.
 */
@Component
public class ChangeFeed implements SmartLifecycle {

	private volatile boolean running;

	private static final int RECENT = 50;

	private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();

	private final Deque<Map<String, Object>> recent = new ArrayDeque<>();

	private final AtomicLong changes = new AtomicLong();

	private final AtomicLong rawMessages = new AtomicLong();

	private final AtomicLong rawBytes = new AtomicLong();

	private final ReplicationStreamContainer container;

	ChangeFeed(ReplicationStreamContainer container) {
		this.container = container;
	}

	/**
	 * @return a new subscription, primed with the recent changes
	 */
	public SseEmitter subscribe() {
		SseEmitter emitter = new SseEmitter(0L);
		this.emitters.add(emitter);
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		emitter.onTimeout(() -> this.emitters.remove(emitter));
		emitter.onError((ex) -> this.emitters.remove(emitter));
		for (Map<String, Object> change : recent()) {
			send(emitter, "change", change);
		}
		send(emitter, "stats", stats());
		return emitter;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		for (SseEmitter emitter : this.emitters) {
			emitter.complete();
		}
		this.emitters.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	void publish(Map<String, Object> change) {
		this.changes.incrementAndGet();
		synchronized (this.recent) {
			this.recent.addLast(change);
			while (this.recent.size() > RECENT) {
				this.recent.removeFirst();
			}
		}
		for (SseEmitter emitter : this.emitters) {
			send(emitter, "change", change);
		}
	}

	void raw(int bytes) {
		this.rawMessages.incrementAndGet();
		this.rawBytes.addAndGet(bytes);
	}

	/**
	 * @return recent changes, oldest first
	 */
	public List<Map<String, Object>> recent() {
		synchronized (this.recent) {
			return new ArrayList<>(this.recent);
		}
	}

	/**
	 * @return counters and the stream's lag
	 */
	public Map<String, Object> stats() {
		StreamState state = this.container.state();
		return Map.of("changes", this.changes.get(), "rawMessages", this.rawMessages.get(), "rawBytes",
				this.rawBytes.get(), "lagBytes", state.lagBytes(), "lagSeconds", state.lagSeconds(), "status",
				state.status().name(), "flushedLsn", state.flushedLsn().toString(), "transactions",
				state.transactions());
	}

	@Scheduled(fixedRate = 1000)
	void pushStats() {
		Map<String, Object> stats = stats();
		for (SseEmitter emitter : this.emitters) {
			send(emitter, "stats", stats);
		}
	}

	private void send(SseEmitter emitter, String name, Object data) {
		try {
			emitter.send(SseEmitter.event().name(name).data(data));
		}
		catch (IOException | IllegalStateException ex) {
			this.emitters.remove(emitter);
		}
	}

}
