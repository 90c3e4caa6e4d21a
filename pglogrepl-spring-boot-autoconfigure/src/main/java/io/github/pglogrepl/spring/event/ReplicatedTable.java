package io.github.pglogrepl.spring.event;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares which table a row type maps to, for typed listeners such as
 * {@code @EventListener void on(InsertEvent<Order> e)}. Without it, a type used in a listener maps to the
 * table named like the type in snake_case, or that name plus {@code s} ({@code Order} → {@code order} or
 * {@code orders}; {@code OrderLine} → {@code order_line} or {@code order_lines}), in any schema.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReplicatedTable {

	/**
	 * @return the table name
	 */
	String value();

	/**
	 * @return the schema, or empty for any schema
	 */
	String schema() default "";

}
