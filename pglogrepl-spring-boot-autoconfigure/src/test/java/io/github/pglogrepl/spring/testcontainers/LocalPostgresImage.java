package io.github.pglogrepl.spring.testcontainers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL image of the Testcontainers tests: {@code pglogrepl/postgres:15-local}, built from Debian
 * packages by {@code tools/docker/build-postgres-image.sh} (no registry is needed), or the image named by
 * the environment variable {@code PGLOGREPL_PG_IMAGE} (e.g. {@code postgres:18}, pulled beforehand).
 */
public final class LocalPostgresImage {

	/** The image name. */
	public static final String NAME = nameFromEnvironment();

	private static final Logger logger = LoggerFactory.getLogger(LocalPostgresImage.class);

	private LocalPostgresImage() {
	}

	private static String nameFromEnvironment() {
		String name = System.getenv("PGLOGREPL_PG_IMAGE");
		return (name != null && !name.isBlank()) ? name.trim() : "pglogrepl/postgres:15-local";
	}

	/**
	 * @return a container of the image with {@code wal_level=logical}, declared compatible with the
	 * official {@code postgres} image
	 */
	public static PostgreSQLContainer container() {
		return new PostgreSQLContainer(DockerImageName.parse(NAME).asCompatibleSubstituteFor("postgres"))
			.withCommand("postgres", "-c", "wal_level=logical", "-c", "fsync=off");
	}

	/**
	 * @return why the image cannot be used here, or {@code null} when a Docker engine answers and has it
	 */
	public static String unavailableReason() {
		if (!DockerClientFactory.instance().isDockerAvailable()) {
			return "no Docker engine answers (tools/docker/build-postgres-image.sh installs and starts one "
					+ "where it can, as .ci/run does)";
		}
		try {
			DockerClientFactory.lazyClient().inspectImageCmd(NAME).exec();
			return null;
		}
		catch (NotFoundException ex) {
			return "the Docker engine has no image " + NAME + " (build it with tools/docker/build-postgres-image.sh, "
					+ "or docker pull it)";
		}
	}

	/**
	 * Skips the annotated test class or method, with the reason, when {@link #unavailableReason()} is not null.
	 */
	@Target({ ElementType.TYPE, ElementType.METHOD })
	@Retention(RetentionPolicy.RUNTIME)
	@ExtendWith(Condition.class)
	public @interface Required {

	}

	static final class Condition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			String reason = unavailableReason();
			if (reason == null) {
				return ConditionEvaluationResult.enabled("Docker image " + NAME + " is available");
			}
			String message = "Testcontainers test " + context.getDisplayName() + " skipped: " + reason;
			logger.warn(message);
			return ConditionEvaluationResult.disabled(message);
		}

	}

}
