package io.github.pglogrepl.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs against a real PostgreSQL server with {@code wal_level=logical}; test methods
 * and constructors can take a {@link TestPostgres} parameter. The server is started once per test run (see
 * {@link TestPostgres}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
public @interface RealPostgres {

}
