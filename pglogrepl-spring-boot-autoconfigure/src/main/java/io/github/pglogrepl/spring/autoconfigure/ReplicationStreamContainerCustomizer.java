package io.github.pglogrepl.spring.autoconfigure;

import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * Callback to customize every {@link ReplicationStreamContainer} the auto-configuration (or a
 * {@link ReplicationStreamContainerFactory}) builds, after its properties were mapped from {@code pglogrepl.*} and
 * before it starts: change {@code getContainerProperties()}, set a connection factory, an error handler, the
 * phase. Declare beans of this type; they are applied in {@code @Order}. Called on the thread that creates the
 * container (the application context's).
 */
@FunctionalInterface
public interface ReplicationStreamContainerCustomizer {

	/**
	 * @param container a container not yet started
	 */
	void customize(ReplicationStreamContainer container);

}
