package io.github.pglogrepl.spring.autoconfigure;

import java.lang.reflect.Method;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.context.event.EventListener;
import org.springframework.context.event.EventListenerFactory;
import org.springframework.core.Ordered;

import io.github.pglogrepl.spring.event.ReplicationEvent;

/**
 * Creates the listeners of plain {@code @EventListener} methods whose parameter is a pglogrepl event. They
 * are Spring's own {@link ApplicationListenerMethodAdapter} (same conditions, ordering, return values and
 * error handling) with one difference: a singleton listener bean is looked up once, where the default
 * adapter asks the bean factory for it on every event, which is a measurable part of delivering a row.
 * Beans of other scopes are still looked up for every event. Methods with another listener annotation
 * (such as {@code @TransactionalEventListener}) are left to their own factories.
 */
class ReplicationEventListenerFactory implements EventListenerFactory, ApplicationContextAware, Ordered {

	private ApplicationContext context;

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) {
		this.context = applicationContext;
	}

	@Override
	public int getOrder() {
		// before Spring's DefaultEventListenerFactory (lowest precedence), after the transactional one (50)
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

	@Override
	public boolean supportsMethod(Method method) {
		return method.getParameterCount() == 1 && ReplicationEvent.class.isAssignableFrom(method.getParameterTypes()[0])
				&& method.isAnnotationPresent(EventListener.class);
	}

	@Override
	public ApplicationListener<?> createApplicationListener(String beanName, Class<?> type, Method method) {
		return new SingletonTargetListener(beanName, type, method, this.context);
	}

	/** Spring's method adapter, keeping the target bean once it is known to be a singleton. */
	static final class SingletonTargetListener extends ApplicationListenerMethodAdapter {

		private final String beanName;

		private final ApplicationContext context;

		private volatile Object target;

		SingletonTargetListener(String beanName, Class<?> targetClass, Method method, ApplicationContext context) {
			super(beanName, targetClass, method);
			this.beanName = beanName;
			this.context = context;
		}

		@Override
		protected Object getTargetBean() {
			Object bean = this.target;
			if (bean == null) {
				bean = super.getTargetBean();
				if (this.context != null && this.context.isSingleton(this.beanName)) {
					this.target = bean;
				}
			}
			return bean;
		}

	}

}
