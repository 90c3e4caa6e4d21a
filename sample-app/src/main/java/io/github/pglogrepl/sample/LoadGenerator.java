package io.github.pglogrepl.sample;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Writes orders so there is something to watch: inserts at {@code sample.generator.rate} per second, and
 * now and then updates or deletes one. Off unless {@code sample.generator.enabled=true} or started over REST.
 */
@Component
public class LoadGenerator {

	private static final String[] CUSTOMERS = { "Ada", "Grace", "Linus", "Barbara", "Edsger", "Margaret", "Ken",
			"Frances" };

	private static final String[] STATUSES = { "paid", "shipped", "delivered" };

	private final JdbcTemplate jdbc;

	private final AtomicBoolean running;

	private final AtomicLong written = new AtomicLong();

	private volatile int rate;

	private double owed;

	LoadGenerator(JdbcTemplate jdbc, @Value("${sample.generator.enabled:false}") boolean enabled,
			@Value("${sample.generator.rate:5}") int rate) {
		this.jdbc = jdbc;
		this.running = new AtomicBoolean(enabled);
		this.rate = rate;
	}

	/**
	 * Starts writing.
	 * @param rate orders per second, or {@code null} to keep the current rate
	 */
	public void start(Integer rate) {
		if (rate != null && rate > 0) {
			this.rate = rate;
		}
		this.running.set(true);
	}

	/**
	 * Stops writing.
	 */
	public void stop() {
		this.running.set(false);
	}

	/**
	 * @return the generator state
	 */
	public Map<String, Object> state() {
		return Map.of("running", this.running.get(), "rate", this.rate, "written", this.written.get());
	}

	/**
	 * Inserts one order.
	 * @param customer the customer
	 * @return its id
	 */
	public long insertOrder(String customer) {
		BigDecimal amount = BigDecimal.valueOf(ThreadLocalRandom.current().nextDouble(5, 500)).setScale(2, RoundingMode.HALF_UP);
		Long id = this.jdbc.queryForObject("INSERT INTO orders (customer, amount, status) VALUES (?, ?, 'new') RETURNING id",
				Long.class, customer, amount);
		this.written.incrementAndGet();
		return id;
	}

	@Scheduled(fixedRate = 100)
	void tick() {
		if (!this.running.get()) {
			return;
		}
		this.owed += this.rate / 10.0;
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (this.owed >= 1) {
			this.owed -= 1;
			long id = insertOrder(CUSTOMERS[random.nextInt(CUSTOMERS.length)]);
			int dice = random.nextInt(10);
			if (dice < 3 && id > 1) {
				this.jdbc.update("UPDATE orders SET status = ? WHERE id = ?", STATUSES[random.nextInt(STATUSES.length)],
						id - 1);
			}
			else if (dice == 3 && id > 5) {
				this.jdbc.update("DELETE FROM orders WHERE id = ?", id - 5);
			}
		}
	}

}
