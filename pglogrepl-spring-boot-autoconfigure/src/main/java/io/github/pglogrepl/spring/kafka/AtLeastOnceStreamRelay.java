package io.github.pglogrepl.spring.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * At-least-once relay of one stream: records are sent asynchronously with the relay's idempotent producer
 * ({@code acks=all}); a transaction is acknowledged once the broker acknowledged each of its records and every
 * earlier transaction's ({@link PendingTransactions}). After a failure the stream is delivered again from the
 * last acknowledged position and what was sent after it is sent again (duplicates, never gaps). Snapshot rows
 * are awaited at the end of their chunk, before the chunk is recorded as delivered.
 */
final class AtLeastOnceStreamRelay extends StreamRelay {

	/** How long the end of a snapshot chunk waits for the broker (the producer's own timeouts come first). */
	private static final long CHUNK_WAIT_MINUTES = 10;

	private final Supplier<Producer<byte[], byte[]>> producer;

	private volatile PendingTransactions pending = new PendingTransactions();

	/** The sends of the current snapshot chunk; dispatch thread only. */
	private final List<CompletableFuture<Void>> chunkSends = new ArrayList<>();

	AtLeastOnceStreamRelay(KafkaRelay relay, ReplicationStreamContainer container, String slotName,
			Supplier<Producer<byte[], byte[]>> producer) {
		super(relay, container, slotName, relay.properties().getDeadLetterSuffix());
		this.producer = producer;
	}

	@Override
	void send(ReplicationEvent event, List<ProducerRecord<byte[], byte[]>> records) {
		throwIfFailed();
		boolean snapshot = event instanceof SnapshotEvent<?>;
		for (int i = 0; i < records.size(); i++) {
			ProducerRecord<byte[], byte[]> record = records.get(i);
			String id = DeadLetters.id(record, i, event);
			CompletableFuture<Void> sent = sendOne(route(record, id, event), id, event);
			if (snapshot) {
				this.chunkSends.add(sent);
			}
		}
		throwIfFailed();
	}

	private CompletableFuture<Void> sendOne(ProducerRecord<byte[], byte[]> record, String id, ReplicationEvent event) {
		PendingTransactions transactions = this.pending;
		PendingTransactions.Transaction transaction = transactions.sending();
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.relay.recordSent();
		Callback callback = callback(record, id, event, () -> transactions == this.pending, (exception) -> {
			if (exception == null) {
				done.complete(null);
				acknowledge();
			}
			else {
				done.completeExceptionally(exception);
			}
		});
		try {
			this.producer.get().send(record, (metadata, exception) -> {
				transactions.completed(transaction, exception);
				callback.onCompletion(metadata, exception);
			});
		}
		catch (RuntimeException ex) {
			// the producer refused it before sending (closed, or blocked longer than max.block.ms)
			transactions.completed(transaction, ex);
			callback.onCompletion(null, ex);
		}
		return done;
	}

	@Override
	void committed(CommitEvent event) {
		throwIfFailed();
		this.pending.committed(event.endLsn());
		acknowledge();
	}

	@Override
	void chunkEnd() {
		throwIfFailed();
		try {
			CompletableFuture.allOf(this.chunkSends.toArray(CompletableFuture[]::new))
				.get(CHUNK_WAIT_MINUTES, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KafkaRelayException("Interrupted while waiting for the broker to acknowledge a snapshot chunk",
					ex);
		}
		catch (ExecutionException ex) {
			// recorded by the callback: thrown below
		}
		catch (TimeoutException ex) {
			failed(new KafkaRelayException("No acknowledgement from the broker for a snapshot chunk within "
					+ CHUNK_WAIT_MINUTES + " min", ex), null, null, null);
		}
		finally {
			this.chunkSends.clear();
		}
		throwIfFailed();
	}

	@Override
	int transactionsPending() {
		return this.pending.committedPending();
	}

	@Override
	void abandon() {
		this.pending.abandon();
		this.pending = new PendingTransactions();
		this.chunkSends.clear();
	}

	@Override
	Lsn acknowledgeable() {
		return this.pending.acknowledgeable();
	}

	@Override
	void close() {
		// the relay closes the shared producer (its sends complete), then acknowledges
	}

}
