package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.autoconfigure.ReplicationStreamContainerCustomizer;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container's lifecycle the Spring way: {@code pglogrepl.auto-startup}, customizer beans, a settable phase,
 * {@code stop(Runnable)}, and a stop bounded by {@code pglogrepl.shutdown-timeout} even when a listener does not
 * return.
 */
@RealPostgres
class ContainerLifecycleTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfig {

		@Bean
		ReplicationStreamContainerCustomizer phaseAndQueue() {
			return (container) -> {
				container.setPhase(42);
				container.getContainerProperties().setQueueCapacity(64);
			};
		}

	}

	/** A listener that blocks, ignoring interrupts, until released. */
	static class StuckListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@EventListener
		void on(InsertEvent<?> event) {
			this.entered.countDown();
			boolean interrupted = false;
			while (true) {
				try {
					if (this.release.await(10, TimeUnit.SECONDS)) {
						break;
					}
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StuckConfig {

		@Bean
		StuckListener stuckListener() {
			return new StuckListener();
		}

	}

	@Test
	void withoutAutoStartupNothingHappensUntilStartedAndCustomizersApply(TestPostgres pg) {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.auto-startup=false");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, CustomizerConfig.class)) {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			assertThat(container.isAutoStartup()).isFalse();
			assertThat(container.isRunning()).isFalse();
			assertThat(container.getPhase()).isEqualTo(42);
			assertThat(container.getContainerProperties().getQueueCapacity()).isEqualTo(64);
			assertThat(container.state().status()).isEqualTo(StreamStatus.NEW);
			assertThat(pg.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
				.as("no slot before the start").isEqualTo("0");
			container.start();
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			CountDownLatch stopped = new CountDownLatch(1);
			container.stop(stopped::countDown);
			assertThat(container.isRunning()).isFalse();
			StreamTestSupport.await("stop callback", () -> stopped.getCount() == 0, TIMEOUT);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STOPPED);
			// started again, it resumes
			container.start();
			StreamTestSupport.await("streaming again", () -> container.state().status() == StreamStatus.STREAMING,
					TIMEOUT);
		}
	}

	@Test
	void aStopIsBoundedByTheShutdownTimeoutWhenAListenerDoesNotReturn(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.shutdown-timeout=1s");
		props.add("pglogrepl.slot.create=temporary");
		ConfigurableApplicationContext context = StreamTestSupport.start(props, StuckConfig.class);
		StuckListener listener = context.getBean(StuckListener.class);
		try {
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("streaming", () -> container.state().status() == StreamStatus.STREAMING, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			assertThat(listener.entered.await(30, TimeUnit.SECONDS)).isTrue();
			long start = System.nanoTime();
			context.close();
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(took).as("stop bounded by shutdown-timeout (1s) plus a second of grace")
				.isLessThan(Duration.ofSeconds(4));
			assertThat(container.isRunning()).isFalse();
			assertThat(container.state().status()).isEqualTo(StreamStatus.STOPPED);
			// the connection was dropped: the temporary slot is gone
			StreamTestSupport.await("temporary slot gone", () -> "0".equals(pg.queryString(
					"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")), TIMEOUT);
		}
		finally {
			listener.release.countDown();
			context.close();
		}
	}

}
