package io.github.pglogrepl.bench.consumer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Watches a Kafka producer's sends and the broker's acknowledgements, the same way for both Kafka consumers (the
 * starter's relay, whose producer is wrapped with {@link #wrap(Producer)}, and Debezium's handler, which wraps
 * its callbacks with {@link #callback}): the time of the first send, the time and count of acknowledgements
 * (the producer's callback without an exception: the broker has the record with {@code acks=all}), failures.
 * In latency mode, each record's commit time is read from its envelope ({@code source.ts_ms}, the server's commit
 * timestamp in milliseconds) at send time, and its latency is taken in the callback: {@code Instant.now()} −
 * commit time.
 */
public final class AckTracker {

	private final boolean latency;

	private volatile long expected;

	private volatile long measureFromMicros;

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong acked = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

	private volatile long firstSend;

	private volatile long lastAck;

	private final CountDownLatch done = new CountDownLatch(1);

	// latency mode, guarded by this
	private long[] commitMicros = new long[1024];

	private long[] latencyMicros = new long[1024];

	private int samples;

	/**
	 * @param expected acknowledgements that end the run ({@code Long.MAX_VALUE} until {@link #expect})
	 * @param latency whether to measure commit-to-acknowledgement latency per record
	 */
	public AckTracker(long expected, boolean latency) {
		this.expected = expected;
		this.latency = latency;
	}

	/**
	 * @param rows acknowledgements that end the run
	 * @param fromMicros records committed before are not counted in the latency figures
	 */
	public void expect(long rows, long fromMicros) {
		this.measureFromMicros = fromMicros;
		this.expected = rows;
		check(this.acked.get());
	}

	/**
	 * @param record the record about to be sent
	 * @param inner the sender's own callback, or {@code null}
	 * @return a callback recording the acknowledgement, then calling {@code inner}
	 */
	public Callback callback(ProducerRecord<?, ?> record, Callback inner) {
		long now = System.nanoTime();
		if (this.sent.getAndIncrement() == 0) {
			this.firstSend = now;
		}
		long commitMillis = this.latency ? commitMillis(record.value()) : 0;
		return (metadata, exception) -> {
			acknowledged(commitMillis, exception);
			if (inner != null) {
				inner.onCompletion(metadata, exception);
			}
		};
	}

	private void acknowledged(long commitMillis, Exception exception) {
		if (exception != null) {
			this.failed.incrementAndGet();
			this.firstFailure.compareAndSet(null, exception);
			return;
		}
		if (this.latency && commitMillis > 0) {
			Instant now = Instant.now();
			long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
			long commit = commitMillis * 1000;
			synchronized (this) {
				if (this.samples == this.latencyMicros.length) {
					this.latencyMicros = Arrays.copyOf(this.latencyMicros, this.samples * 2);
					this.commitMicros = Arrays.copyOf(this.commitMicros, this.samples * 2);
				}
				this.commitMicros[this.samples] = commit;
				this.latencyMicros[this.samples] = nowMicros - commit;
				this.samples++;
			}
		}
		this.lastAck = System.nanoTime();
		check(this.acked.incrementAndGet());
	}

	private void check(long count) {
		if (count >= this.expected) {
			this.done.countDown();
		}
	}

	/**
	 * @param seconds at most
	 * @return whether the expected acknowledgements arrived
	 */
	public boolean await(long seconds) throws InterruptedException {
		return this.done.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
	}

	/**
	 * @return key/value pairs for the harness's {@code done} line
	 */
	public List<Object> results() {
		List<Object> kv = new ArrayList<>(List.of("rows", this.acked.get(), "first", this.firstSend, "last", this.lastAck,
				"records_sent", this.sent.get(), "records_failed", this.failed.get()));
		if (this.latency) {
			synchronized (this) {
				kv.addAll(LatencyStats.of(this.commitMicros, this.latencyMicros, this.samples, this.measureFromMicros));
			}
		}
		return kv;
	}

	/** @return the first failed send, or {@code null} */
	public Throwable failure() {
		return this.firstFailure.get();
	}

	/** @return acknowledgements so far */
	public long acknowledged() {
		return this.acked.get();
	}

	/**
	 * @param producer a producer
	 * @return the producer whose {@code send}s are tracked (every other method passes through)
	 */
	@SuppressWarnings("unchecked")
	public <K, V> Producer<K, V> wrap(Producer<K, V> producer) {
		InvocationHandler handler = (proxy, method, args) -> {
			if (method.getName().equals("send") && args != null && args.length >= 1
					&& args[0] instanceof ProducerRecord<?, ?> record) {
				Callback inner = (args.length == 2) ? (Callback) args[1] : null;
				return producer.send((ProducerRecord<K, V>) record, callback(record, inner));
			}
			try {
				return method.invoke(producer, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		};
		return (Producer<K, V>) Proxy.newProxyInstance(AckTracker.class.getClassLoader(),
				new Class<?>[] { Producer.class }, handler);
	}

	/**
	 * @param value a Debezium-style envelope (JSON as bytes or a string)
	 * @return its {@code source.ts_ms}, or 0
	 */
	static long commitMillis(Object value) {
		String json;
		if (value instanceof byte[] bytes) {
			json = new String(bytes, StandardCharsets.UTF_8);
		}
		else if (value instanceof String s) {
			json = s;
		}
		else {
			return 0;
		}
		int source = json.indexOf("\"source\":");
		int ts = (source >= 0) ? json.indexOf("\"ts_ms\":", source) : -1;
		if (ts < 0) {
			return 0;
		}
		int i = ts + "\"ts_ms\":".length();
		long v = 0;
		while (i < json.length() && Character.isDigit(json.charAt(i))) {
			v = v * 10 + (json.charAt(i++) - '0');
		}
		return v;
	}

}
