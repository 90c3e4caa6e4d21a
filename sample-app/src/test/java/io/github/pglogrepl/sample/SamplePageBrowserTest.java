package io.github.pglogrepl.sample;

import java.io.File;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver packages): it shows the stream
 * state and lag, a write triggered from the page appears in its table, and "Backfill orders" reads the existing
 * orders with a progress bar that reaches completion while the rows appear as snapshot rows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(EmbeddedPostgresConfiguration.class)
class SamplePageBrowserTest {

	static final File CHROMIUM = new File(System.getProperty("sample.chromium", "/usr/bin/chromium"));

	static final File CHROMEDRIVER = new File(System.getProperty("sample.chromedriver", "/usr/bin/chromedriver"));

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	private WebDriver driver;

	@BeforeEach
	void startBrowser() {
		assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "Browser test skipped: " + CHROMIUM + " and "
				+ CHROMEDRIVER + " are needed (Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(service, options);
	}

	@AfterEach
	void stopBrowser() {
		if (this.driver != null) {
			this.driver.quit();
		}
	}

	@Test
	void aWriteFromThePageAppearsInItsLiveTable() {
		this.driver.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.driver, Duration.ofSeconds(30));
		wait.until((d) -> "STREAMING".equals(d.findElement(By.id("status")).getText()));
		assertThat(this.driver.findElement(By.id("lag")).getText()).endsWith(" B");
		assertThat(this.driver.findElements(By.cssSelector("#rows tr"))).isEmpty();
		this.driver.findElement(By.id("insert")).click();
		wait.until((d) -> !d.findElements(By.cssSelector("#rows tr.insert")).isEmpty());
		String row = this.driver.findElement(By.cssSelector("#rows tr.insert")).getText();
		assertThat(row).startsWith("insert 1 Browser").contains("new");
		wait.until((d) -> "1".equals(d.findElement(By.id("changes")).getText()));
		// the generator, started from the page, keeps the table moving
		this.driver.findElement(By.id("start")).click();
		wait.until((d) -> d.findElements(By.cssSelector("#rows tr")).size() >= 5);
		wait.until((d) -> d.findElement(By.id("generator")).getText().startsWith("generator on"));
		this.driver.findElement(By.id("stop")).click();
		wait.until((d) -> d.findElement(By.id("generator")).getText().startsWith("generator off"));

		// backfill: the existing orders (and 500 more, analysed so that the progress has an estimate)
		assertThat(this.driver.findElement(By.id("backfillText")).getText()).isEqualTo("no backfill yet");
		this.jdbc.update("INSERT INTO orders (customer, amount, status) "
				+ "SELECT 'Existing ' || i, i, 'new' FROM generate_series(1, 500) i");
		this.jdbc.execute("ANALYZE orders");
		Long orders = this.jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
		// rows are replaced as they stream in: an element found may be gone when read
		wait.ignoring(StaleElementReferenceException.class);
		wait.until((d) -> d.findElements(By.cssSelector("#rows tr.insert")).stream()
			.anyMatch((tr) -> tr.getText().contains("Existing 500")));
		this.driver.findElement(By.id("backfill")).click();
		wait.until((d) -> d.findElement(By.id("backfillText")).getText().startsWith("completed"));
		assertThat(this.driver.findElement(By.id("backfillText")).getText())
			.isEqualTo("completed: " + orders + " rows, 100%");
		assertThat(this.driver.findElement(By.id("backfillBar")).getDomProperty("value")).isEqualTo("100");
		assertThat(this.driver.findElement(By.id("backfill")).isEnabled()).isTrue();
		wait.until((d) -> d.findElements(By.cssSelector("#rows tr.snapshot")).size() == 50);
		// the page keeps the newest 50: the last orders read, highest id first, with no commit time
		String newest = this.driver.findElement(By.cssSelector("#rows tr.snapshot")).getText();
		assertThat(newest).startsWith("snapshot " + this.jdbc.queryForObject("SELECT max(id) FROM orders", Long.class)
				+ " Existing 500");
	}

}
