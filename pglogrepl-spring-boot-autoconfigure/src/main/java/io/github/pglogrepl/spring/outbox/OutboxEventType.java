package io.github.pglogrepl.spring.outbox;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The outbox event type a payload class stands for, when it differs from the class's simple name: a listener
 * for {@code OutboxEvent<PlacedOrder>} with {@code @OutboxEventType("OrderPlaced")} on {@code PlacedOrder}
 * receives the events published with type {@code OrderPlaced}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OutboxEventType {

	/**
	 * @return the event type
	 */
	String value();

}
