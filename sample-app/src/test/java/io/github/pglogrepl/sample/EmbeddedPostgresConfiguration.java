package io.github.pglogrepl.sample;

import java.io.IOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An embedded PostgreSQL with {@code wal_level=logical} for the sample when no database is configured
 * ({@code spring.datasource.url} unset). It is exposed as {@link JdbcConnectionDetails}, the way a
 * Testcontainers {@code @ServiceConnection} would be, and stopped with the application.
 */
@TestConfiguration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {

	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres() throws IOException {
		return EmbeddedPostgres.builder()
			.setServerConfig("wal_level", "logical")
			.setServerConfig("max_wal_senders", "10")
			.setServerConfig("max_replication_slots", "10")
			.start();
	}

	@Bean
	JdbcConnectionDetails embeddedPostgresConnectionDetails(EmbeddedPostgres postgres) {
		return new JdbcConnectionDetails() {
			@Override
			public String getJdbcUrl() {
				return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
			}

			@Override
			public String getUsername() {
				return "postgres";
			}

			@Override
			public String getPassword() {
				return null;
			}
		};
	}

}
