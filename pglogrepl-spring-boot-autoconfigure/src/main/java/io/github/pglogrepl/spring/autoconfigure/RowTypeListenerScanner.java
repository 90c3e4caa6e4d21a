package io.github.pglogrepl.spring.autoconfigure;

import java.lang.reflect.Method;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.event.EventListener;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.stream.RowTypeRegistry;

/**
 * Finds the row types of typed listeners, e.g. {@code Order} in
 * {@code @EventListener void on(InsertEvent<Order> e)}, and registers them in a {@link RowTypeRegistry} so
 * that changes to the matching table are published as {@code InsertEvent<Order>}.
 */
class RowTypeListenerScanner implements BeanPostProcessor {

	private final RowTypeRegistry registry = new RowTypeRegistry();

	RowTypeRegistry registry() {
		return this.registry;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> type = AopUtils.getTargetClass(bean);
		if (type.getName().startsWith("org.springframework.")) {
			return bean;
		}
		ReflectionUtils.doWithMethods(type, (method) -> scan(method),
				(method) -> AnnotatedElementUtils.hasAnnotation(method, EventListener.class));
		return bean;
	}

	private void scan(Method method) {
		for (int i = 0; i < method.getParameterCount(); i++) {
			ResolvableType parameter = ResolvableType.forMethodParameter(method, i);
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
