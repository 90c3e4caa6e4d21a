package io.github.pglogrepl.spring.stream;

import java.time.Duration;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.StreamTestSupport.Recorder;
import io.github.pglogrepl.spring.event.KeepaliveEvent;

final class StreamStatusAssert {

	private StreamStatusAssert() {
	}

	static void awaitKeepalive(Recorder recorder, Duration timeout) {
		StreamTestSupport.await("keepalive event", () -> !recorder.of(KeepaliveEvent.class).isEmpty(), timeout);
	}

}
