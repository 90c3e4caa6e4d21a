package io.github.pglogrepl.spring.autoconfigure;

import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.spring.stream.ListenedEventTypes;
import io.github.pglogrepl.spring.stream.ReplicationErrorHandler;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;
import io.github.pglogrepl.spring.stream.RowTypeRegistry;
import io.github.pglogrepl.spring.stream.StreamContainerProperties;

/**
 * Builds {@link ReplicationStreamContainer}s wired like the auto-configured ones: the application's event
 * publisher, error handler, row types of the typed listeners, conversion service, and every
 * {@link ReplicationStreamContainerCustomizer}. The auto-configuration uses it for each stream; an application
 * that needs a stream in code (say, one per tenant) calls it and registers the result as a bean (or starts and
 * stops it itself):
 *
 * <pre>{@code
 * @Bean
 * ReplicationStreamContainer auditStream(ReplicationStreamContainerFactory factory) {
 *     StreamContainerProperties properties = new StreamContainerProperties(url, "audit_cdc", List.of("audit_pub"));
 *     properties.setStreamName("audit");
 *     return factory.createContainer(properties);
 * }
 * }</pre>
 * (A container bean of the application's own replaces the auto-configured ones.)
 */
public class ReplicationStreamContainerFactory {

	private final ApplicationEventPublisher publisher;

	private final ReplicationErrorHandler errorHandler;

	private final RowTypeRegistry rowTypes;

	private final ListenedEventTypes listenedEventTypes;

	private final ConversionService conversionService;

	private final List<ReplicationStreamContainerCustomizer> customizers;

	/**
	 * @param publisher where events are published
	 * @param errorHandler what to do when a listener throws
	 * @param rowTypes row types of the typed listeners
	 * @param listenedEventTypes the event types the listeners are declared for
	 * @param conversionService converts column values
	 * @param customizers applied to every container, in order
	 */
	public ReplicationStreamContainerFactory(ApplicationEventPublisher publisher, ReplicationErrorHandler errorHandler,
			RowTypeRegistry rowTypes, ListenedEventTypes listenedEventTypes, ConversionService conversionService,
			List<ReplicationStreamContainerCustomizer> customizers) {
		this.publisher = publisher;
		this.errorHandler = errorHandler;
		this.rowTypes = rowTypes;
		this.listenedEventTypes = listenedEventTypes;
		this.conversionService = conversionService;
		this.customizers = List.copyOf(customizers);
	}

	/**
	 * @param properties the stream's properties
	 * @return a container, not started
	 */
	public ReplicationStreamContainer createContainer(StreamContainerProperties properties) {
		ReplicationStreamContainer container = new ReplicationStreamContainer(properties, this.publisher);
		container.setErrorHandler(this.errorHandler);
		container.setRowTypeRegistry(this.rowTypes);
		container.setListenedEventTypes(this.listenedEventTypes);
		container.setConversionService(this.conversionService);
		for (ReplicationStreamContainerCustomizer customizer : this.customizers) {
			customizer.customize(container);
		}
		return container;
	}

}
