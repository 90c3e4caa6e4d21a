package io.github.pglogrepl.spring.stream;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The acknowledgement rules without a server: where the flushed position may move, and when the idle advance
 * to a keepalive's WAL end is safe.
 */
class AcknowledgerTest {

	private static final Lsn START = Lsn.parse("0/1000");

	@Test
	void autoModeAcknowledgesEachDeliveredTransactionAndNeverMovesBack() {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, START);
		ack.delivered(Lsn.parse("0/2000"));
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/2000"));
		ack.delivered(Lsn.parse("0/1800")); // redelivered after a reconnect
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/2000"));
		assertThat(ack.acknowledged()).isEqualTo(ack.flushed());
	}

	@Test
	void manualModeMovesOnlyWhenTheApplicationAcknowledgesAndNotBeyondWhatWasDelivered() {
		Acknowledger ack = new Acknowledger(AckMode.MANUAL, START);
		ack.delivered(Lsn.parse("0/2000"));
		assertThat(ack.flushed()).isEqualTo(START);
		assertThatIllegalArgumentException().isThrownBy(() -> ack.acknowledge(Lsn.parse("0/2001")))
			.withMessageContaining("0/2001")
			.withMessageContaining("0/2000");
		ack.acknowledge(Lsn.parse("0/1800"));
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/1800"));
		ack.acknowledge(Lsn.parse("0/2000"));
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/2000"));
	}

	@Test
	void aContainerSwitchedToManualAfterItWasCreatedAcknowledgesOnlyWhenTheApplicationDoes() {
		// what the Kafka relay's customizer does: the container exists, then its properties get ack-mode manual
		StreamContainerProperties properties = new StreamContainerProperties("jdbc:postgresql://localhost/db", "slot",
				List.of("pub"));
		ReplicationStreamContainer container = new ReplicationStreamContainer(properties, (event) -> {
		});
		properties.setAckMode(AckMode.MANUAL);
		Acknowledger ack = (Acknowledger) container.acknowledgement();
		ack.restart(START);
		ack.delivered(Lsn.parse("0/2000"));
		assertThat(ack.acknowledged()).as("a delivered transaction is not acknowledged in manual mode").isEqualTo(START);
		assertThat(ack.advanceIdle(Lsn.parse("0/3000"), false)).as("no idle advance past the unacknowledged one")
			.isFalse();
		ack.acknowledge(Lsn.parse("0/2000"));
		assertThat(ack.acknowledged()).isEqualTo(Lsn.parse("0/2000"));
	}

	@Test
	void idleAdvanceNeedsANothingHeldNothingInFlightAndNoPendingRedelivery() {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, START);
		Lsn walEnd = Lsn.parse("0/5000");
		assertThat(ack.advanceIdle(walEnd, true)).as("reader holds messages / is inside a transaction").isFalse();
		ack.handedOver();
		assertThat(ack.advanceIdle(walEnd, false)).as("a batch on the queue or in the listeners").isFalse();
		ack.finished(1);
		assertThat(ack.advanceIdle(walEnd, false)).isTrue();
		assertThat(ack.flushed()).isEqualTo(walEnd);
		assertThat(ack.delivered()).isEqualTo(walEnd);
		assertThat(ack.advanceIdle(walEnd, false)).as("nothing new").isFalse();
	}

	@Test
	void anInterruptedDeliveryBlocksTheIdleAdvanceUntilTheNextConnection() {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, START);
		ack.handedOver();
		// the dispatcher marks the failure before it finishes the batch it gave up
		ack.deliveryInterrupted();
		ack.finished(1);
		assertThat(ack.advanceIdle(Lsn.parse("0/5000"), false)).isFalse();
		assertThat(ack.flushed()).isEqualTo(START);
		// the new connection redelivers from the confirmed position: the idle advance is safe again
		ack.restart(Lsn.INVALID);
		assertThat(ack.flushed()).isEqualTo(START);
		assertThat(ack.advanceIdle(Lsn.parse("0/5000"), false)).isTrue();
	}

	@Test
	void manualModeAdvancesIdleOnlyWhenEverythingDeliveredWasAcknowledged() {
		Acknowledger ack = new Acknowledger(AckMode.MANUAL, START);
		ack.delivered(Lsn.parse("0/2000"));
		assertThat(ack.advanceIdle(Lsn.parse("0/5000"), false)).isFalse();
		ack.acknowledge(Lsn.parse("0/2000"));
		assertThat(ack.advanceIdle(Lsn.parse("0/5000"), false)).isTrue();
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/5000"));
	}

	@Test
	void restartTakesTheServersPositionWhenItIsAhead() {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, Lsn.INVALID);
		ack.restart(Lsn.parse("0/3000"));
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/3000"));
		assertThat(ack.delivered()).isEqualTo(Lsn.parse("0/3000"));
		ack.restart(Lsn.parse("0/1000"));
		assertThat(ack.flushed()).isEqualTo(Lsn.parse("0/3000"));
	}

	@Test
	void theQueueCountsWhatIsInFlight() throws InterruptedException {
		Acknowledger ack = new Acknowledger(AckMode.AUTO, START);
		DispatchQueue queue = new DispatchQueue(512, ack);
		assertThat(queue.offer(new DispatchQueue.Batch(List.of()), 10)).isTrue();
		assertThat(queue.offer(new DispatchQueue.NewConnection(), 10)).isTrue();
		assertThat(ack.hasInFlight()).isTrue();
		assertThat(queue.offer(new DispatchQueue.NewConnection(), 10)).as("full: two batches of 256").isFalse();
		assertThat(queue.poll(10)).isInstanceOf(DispatchQueue.Batch.class);
		queue.finished();
		assertThat(ack.hasInFlight()).isTrue();
		queue.clear();
		assertThat(ack.hasInFlight()).isFalse();
		assertThat(queue.isEmpty()).isTrue();
	}

}
