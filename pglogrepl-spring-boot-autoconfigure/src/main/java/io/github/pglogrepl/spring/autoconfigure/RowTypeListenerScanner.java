package io.github.pglogrepl.spring.autoconfigure;

import java.lang.reflect.Method;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.EventListener;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

import io.github.pglogrepl.spring.event.OutboxEvent;
import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.stream.ListenedEventTypes;
import io.github.pglogrepl.spring.stream.OutboxPayloadTypes;
import io.github.pglogrepl.spring.stream.RowTypeRegistry;

/**
 * Looks at the application's listeners as beans are initialized:
 * <ul>
 * <li>the row types of typed listeners, e.g. {@code Order} in {@code @EventListener void on(InsertEvent<Order> e)},
 * go to a {@link RowTypeRegistry}, so that changes to the matching table are published as
 * {@code InsertEvent<Order>};</li>
 * <li>the event types listeners are declared for ({@code @EventListener} parameters and {@code classes},
 * {@code ApplicationListener<E>} beans) go to {@link ListenedEventTypes}, so that a listener for
 * {@code XLogDataEvent} or {@code KeepaliveEvent} switches that family on by itself;</li>
 * <li>the payload types of {@code OutboxEvent<T>} listeners go to {@link OutboxPayloadTypes}.</li>
 * </ul>
 */
class RowTypeListenerScanner implements BeanPostProcessor {

	private final RowTypeRegistry registry = new RowTypeRegistry();

	private final ListenedEventTypes listened = new ListenedEventTypes();

	private final OutboxPayloadTypes outboxPayloadTypes = new OutboxPayloadTypes();

	OutboxPayloadTypes outboxPayloadTypes() {
		return this.outboxPayloadTypes;
	}

	RowTypeRegistry registry() {
		return this.registry;
	}

	ListenedEventTypes listenedEventTypes() {
		return this.listened;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> type = AopUtils.getTargetClass(bean);
		if (type.getName().startsWith("org.springframework.")) {
			return bean;
		}
		if (bean instanceof ApplicationListener<?>) {
			Class<?> event = ResolvableType.forClass(type).as(ApplicationListener.class).getGeneric(0).resolve();
			if (event != null) {
				this.listened.register(event, type.getSimpleName() + " (bean '" + beanName + "')");
			}
		}
		ReflectionUtils.doWithMethods(type, (method) -> scan(type, method),
				(method) -> AnnotatedElementUtils.hasAnnotation(method, EventListener.class));
		return bean;
	}

	private void scan(Class<?> type, Method method) {
		EventListener annotation = AnnotatedElementUtils.findMergedAnnotation(method, EventListener.class);
		if (annotation != null) {
			for (Class<?> declared : annotation.classes()) {
				this.listened.register(declared, type.getSimpleName() + "." + method.getName());
			}
		}
		for (int i = 0; i < method.getParameterCount(); i++) {
			this.listened.register(method.getParameterTypes()[i], type.getSimpleName() + "." + method.getName() + "("
					+ method.getParameterTypes()[i].getSimpleName() + ")");
			ResolvableType parameter = ResolvableType.forMethodParameter(method, i);
			Class<?> payloadType = parameter.as(OutboxEvent.class).getGeneric(0).resolve();
			if (payloadType != null) {
				this.outboxPayloadTypes.register(payloadType);
			}
			ResolvableType event = parameter.as(RowChangeEvent.class);
			if (event == ResolvableType.NONE) {
				continue;
			}
			Class<?> rowType = event.getGeneric(0).resolve();
			if (rowType != null) {
				this.registry.register(rowType);
			}
		}
	}

}
