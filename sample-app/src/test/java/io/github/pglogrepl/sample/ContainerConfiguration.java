package io.github.pglogrepl.sample;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * PostgreSQL in a Testcontainers container as the sample's database: the {@code @ServiceConnection} gives the
 * application its {@code JdbcConnectionDetails}, so no connection property is set. The container stops with
 * the application.
 * <p>
 * The image is {@code pglogrepl/postgres:15-local}, built from Debian packages by
 * {@code tools/docker/build-postgres-image.sh} for machines that reach no image registry, or the one named by
 * the environment variable {@code PGLOGREPL_PG_IMAGE}. With a registry, {@code postgres:18} does the same.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ContainerConfiguration {

	static final String LOCAL_IMAGE = "pglogrepl/postgres:15-local";

	/** The image of the container. */
	static final String IMAGE = System.getenv().getOrDefault("PGLOGREPL_PG_IMAGE", "").isBlank() ? LOCAL_IMAGE
			: System.getenv("PGLOGREPL_PG_IMAGE").trim();

	@Bean
	@ServiceConnection
	PostgreSQLContainer postgres() {
		if (IMAGE.equals(LOCAL_IMAGE) && DockerClientFactory.instance().isDockerAvailable() && !imagePresent()) {
			// fail at once instead of trying to pull an image that exists nowhere but on a machine that built it
			throw new IllegalStateException("The Docker image " + IMAGE
					+ " is missing: build it with tools/docker/build-postgres-image.sh (or set PGLOGREPL_PG_IMAGE to e.g. postgres:18)");
		}
		return new PostgreSQLContainer(DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("postgres"))
			.withCommand("postgres", "-c", "wal_level=logical");
	}

	/**
	 * @return why the container cannot start here, or {@code null} when a Docker engine answers and has the image
	 */
	static String unavailableReason() {
		if (!DockerClientFactory.instance().isDockerAvailable()) {
			return "no Docker engine answers (tools/docker/build-postgres-image.sh installs and starts one where it can)";
		}
		return imagePresent() ? null : "the Docker engine has no image " + IMAGE
				+ " (build it with tools/docker/build-postgres-image.sh, or docker pull it)";
	}

	private static boolean imagePresent() {
		try {
			DockerClientFactory.lazyClient().inspectImageCmd(IMAGE).exec();
			return true;
		}
		catch (NotFoundException ex) {
			return false;
		}
	}

}
