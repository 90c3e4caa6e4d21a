package io.github.pglogrepl.spring.stream;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream survives slow listeners, walsender termination, application restarts and hands over between
 * instances, delivering every committed row at least once.
 */
@RealPostgres
class ResilienceTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	/** Records ids; sleeps for configured ids. */
	public static class IdListener {

		static final Set<Integer> SLOW = ConcurrentHashMap.newKeySet();

		static volatile long sleepMillis;

		final List<Integer> ids = new CopyOnWriteArrayList<>();

		@EventListener
		public void on(InsertEvent<ChangeRow> event) throws InterruptedException {
			int id = (Integer) event.newRow().get("id");
			if (SLOW.contains(id)) {
				Thread.sleep(sleepMillis);
			}
			this.ids.add(id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		IdListener idListener() {
			return new IdListener();
		}

	}

	private static String walsenderPid(TestPostgres pg, String slot) {
		return pg.queryString("SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	private static void drop(TestPostgres pg, String slot) {
		StreamTestSupport.await("slot inactive", () -> !"true".equals(
				pg.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")),
				Duration.ofSeconds(20));
		pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
	}

	@Test
	void connectionSurvivesAListenerBusyForTwiceTheWalSenderTimeout(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		// the walsender gives up on a client that has not replied for 2 s
		props.set(0, "spring.datasource.url=" + pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?")
				+ "options=-c%20wal_sender_timeout%3D2s");
		props.add("pglogrepl.status-interval=10s");
		IdListener.SLOW.add(2);
		IdListener.sleepMillis = 4000;
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			IdListener listener = context.getBean(IdListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			assertThat(pg.queryString("SELECT setting FROM pg_settings WHERE name = 'wal_sender_timeout'")).isNotNull();
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("row 1", () -> listener.ids.contains(1), TIMEOUT);
			String pid = walsenderPid(pg, slot);
			String timeout = pg.queryString("SELECT setting FROM pg_stat_activity a JOIN LATERAL "
					+ "(SELECT 1) x ON true, LATERAL (SELECT current_setting('wal_sender_timeout') AS setting) s WHERE a.pid = " + pid);
			assertThat(timeout).isNotNull();
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)", "INSERT INTO " + tp[0] + " VALUES (3)");
			StreamTestSupport.await("row 3", () -> listener.ids.contains(3), TIMEOUT);
			assertThat(listener.ids).containsExactly(1, 2, 3);
			assertThat(container.state().reconnects()).isZero();
			assertThat(walsenderPid(pg, slot)).isEqualTo(pid);
		}
		finally {
			IdListener.SLOW.clear();
			drop(pg, slot);
		}
	}

	@Test
	void terminatedWalsenderIsReconnectedAndNothingIsLost(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(StreamTestSupport.properties(pg, slot, tp[1]),
				Config.class)) {
			IdListener listener = context.getBean(IdListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			AtomicBoolean writing = new AtomicBoolean(true);
			AtomicInteger written = new AtomicInteger();
			Thread writer = new Thread(() -> {
				for (int i = 1; writing.get() && i <= 2000; i++) {
					pg.execute("INSERT INTO " + tp[0] + " VALUES (" + i + ")");
					written.set(i);
				}
			});
			writer.start();
			for (int kill = 0; kill < 3; kill++) {
				StreamTestSupport.await("streaming", () -> walsenderPid(pg, slot) != null, TIMEOUT);
				Thread.sleep(300);
				pg.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
						+ "' AND active_pid IS NOT NULL");
			}
			Thread.sleep(300);
			writing.set(false);
			writer.join();
			int total = written.get();
			StreamTestSupport.await("all " + total + " rows", () -> Set.copyOf(listener.ids).size() == total, TIMEOUT);
			for (int i = 1; i <= total; i++) {
				assertThat(listener.ids).contains(i);
			}
			assertThat(container.state().reconnects()).isGreaterThanOrEqualTo(3);
			assertThat(container.state().status()).isEqualTo(StreamStatus.STREAMING);
		}
		finally {
			drop(pg, slot);
		}
	}

	@Test
	void reconnectBackoffStartsOverAfterAConnectionThatStreamed(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.reconnect.max-interval=10s");
		try (ConfigurableApplicationContext context = StreamTestSupport.start(props, Config.class)) {
			IdListener listener = context.getBean(IdListener.class);
			ReplicationStreamContainer container = context.getBean(ReplicationStreamContainer.class);
			List<Long> reconnectMillis = new CopyOnWriteArrayList<>();
			for (int i = 1; i <= 6; i++) {
				int id = i;
				pg.execute("INSERT INTO " + tp[0] + " VALUES (" + id + ")");
				StreamTestSupport.await("row " + id, () -> listener.ids.contains(id), TIMEOUT);
				String pid = walsenderPid(pg, slot);
				long terminated = System.nanoTime();
				pg.execute("SELECT pg_terminate_backend(" + pid + ")");
				StreamTestSupport.await("streaming again", () -> {
					String now = walsenderPid(pg, slot);
					return now != null && !now.equals(pid) && container.state().status() == StreamStatus.STREAMING;
				}, TIMEOUT);
				reconnectMillis.add((System.nanoTime() - terminated) / 1_000_000);
			}
			// every connection streamed before it was lost: each reconnect waits the initial interval (200 ms), not
			// 200, 400, 800, 1600, 3200, 6400 ms
			assertThat(reconnectMillis).as("reconnect times %s", reconnectMillis).allMatch((ms) -> ms < 2500);
		}
		finally {
			drop(pg, slot);
		}
	}

	@Test
	void restartingTheApplicationMidStreamDeliversEveryCommittedRow(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		Set<Integer> seen = ConcurrentHashMap.newKeySet();
		AtomicInteger deliveries = new AtomicInteger();
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger written = new AtomicInteger();
		Thread writer = new Thread(() -> {
			for (int i = 1; writing.get(); i++) {
				pg.execute("INSERT INTO " + tp[0] + " VALUES (" + i + ")");
				written.set(i);
			}
		});
		try {
			// the slot exists before the first write, so every write is to be delivered
			pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
			writer.start();
			for (int round = 0; round < 3; round++) {
				IdListener listener;
				try (ConfigurableApplicationContext context = StreamTestSupport
					.start(StreamTestSupport.properties(pg, slot, tp[1]), Config.class)) {
					listener = context.getBean(IdListener.class);
					int target = written.get() + 50;
					StreamTestSupport.await("progress", () -> listener.ids.size() > 0 && written.get() > target, TIMEOUT);
					Thread.sleep(200);
				}
				// what the listener saw until the context was closed
				seen.addAll(listener.ids);
				deliveries.addAndGet(listener.ids.size());
			}
			writing.set(false);
			writer.join();
			int total = written.get();
			try (ConfigurableApplicationContext context = StreamTestSupport
				.start(StreamTestSupport.properties(pg, slot, tp[1]), Config.class)) {
				IdListener listener = context.getBean(IdListener.class);
				try {
					StreamTestSupport.await("remaining rows", () -> {
						Set<Integer> all = new java.util.HashSet<>(seen);
						all.addAll(listener.ids);
						return all.size() >= total;
					}, TIMEOUT);
				}
				catch (AssertionError ex) {
					Set<Integer> all = new java.util.TreeSet<>(seen);
					all.addAll(listener.ids);
					List<Integer> missing = new java.util.ArrayList<>();
					for (int i = 1; i <= total; i++) {
						if (!all.contains(i)) {
							missing.add(i);
						}
					}
					throw new AssertionError("total " + total + ", missing " + missing.size() + ": "
							+ missing.subList(0, Math.min(50, missing.size())) + "; last listener got " + listener.ids.size()
							+ " first " + (listener.ids.isEmpty() ? null : listener.ids.get(0)) + ", state "
							+ context.getBean(ReplicationStreamContainer.class).state(), ex);
				}
				seen.addAll(listener.ids);
				deliveries.addAndGet(listener.ids.size());
			}
			for (int i = 1; i <= total; i++) {
				assertThat(seen).as("row %d delivered", i).contains(i);
			}
			System.out.println("restart test: " + total + " rows committed, " + deliveries.get() + " deliveries, "
					+ (deliveries.get() - total) + " duplicates over 3 restarts");
			// at-least-once with bounded duplicates: only unacknowledged transactions are redelivered
			assertThat(deliveries.get() - total).isLessThan(total);
		}
		finally {
			writing.set(false);
			writer.join();
			drop(pg, slot);
		}
	}

	@Test
	void secondInstanceStandsByAndTakesOverWithinTenSeconds(TestPostgres pg) throws Exception {
		String[] tp = StreamTestSupport.tableWithPublication(pg, "id int primary key");
		String slot = TestPostgres.uniqueName("slot");
		List<String> props = StreamTestSupport.properties(pg, slot, tp[1]);
		props.add("pglogrepl.reconnect.max-interval=2s");
		ConfigurableApplicationContext first = StreamTestSupport.start(props, Config.class);
		try (ConfigurableApplicationContext second = StreamTestSupport.start(props, Config.class)) {
			ReplicationStreamContainer standby = second.getBean(ReplicationStreamContainer.class);
			StreamTestSupport.await("standby", () -> standby.state().status() == StreamStatus.STANDBY, TIMEOUT);
			pg.execute("INSERT INTO " + tp[0] + " VALUES (1)");
			StreamTestSupport.await("row on first", () -> first.getBean(IdListener.class).ids.contains(1), TIMEOUT);
			assertThat(second.getBean(IdListener.class).ids).isEmpty();
			long closed = System.nanoTime();
			first.close();
			StreamTestSupport.await("takeover", () -> standby.state().status() == StreamStatus.STREAMING,
					Duration.ofSeconds(10));
			Duration takeover = Duration.ofNanos(System.nanoTime() - closed);
			System.out.println("standby takeover after " + takeover.toMillis() + " ms");
			assertThat(takeover).isLessThan(Duration.ofSeconds(10));
			pg.execute("INSERT INTO " + tp[0] + " VALUES (2)");
			StreamTestSupport.await("row on second", () -> second.getBean(IdListener.class).ids.contains(2), TIMEOUT);
			assertThat(second.getBean(IdListener.class).ids).doesNotContain(1).contains(2);
		}
		finally {
			first.close();
			drop(pg, slot);
		}
	}

}
