package io.github.pglogrepl.spring.event;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.util.ClassUtils;

import io.github.pglogrepl.pgoutput.RelationMessage;
import io.github.pglogrepl.pgoutput.Row;

/**
 * Maps a {@link ChangeRow} to a record or bean: a column {@code order_id} fills a component or property
 * {@code orderId} (or {@code order_id}); values are converted with the {@link ConversionService}. Columns
 * without a matching property are ignored; properties without a column stay {@code null} / default. A column
 * that is NULL, or whose value the server did not send, gives {@code null}; for a primitive that is refused
 * with an error naming table, column and type, unless the row defaults primitives (as Spring's
 * {@code BeanPropertyRowMapper} with {@code primitivesDefaultedForNullValue}).
 *
 * <p>Records are on the hot path of every typed listener, so what a record needs is worked out once per type
 * ({@link RecordPlan}) and once per relation (which column fills which component); a value whose Java type
 * already fits is passed without asking the conversion service.
 */
final class RowMapper {

	private static final ClassValue<RecordPlan> PLANS = new ClassValue<>() {

		@Override
		protected RecordPlan computeValue(Class<?> type) {
			return type.isRecord() ? RecordPlan.of(type) : null;
		}

	};

	private RowMapper() {
	}

	static <T> T map(ChangeRow row, Class<T> type, ConversionService conversionService) {
		try {
			RecordPlan plan = PLANS.get(type);
			if (plan != null) {
				return type.cast(plan.map(row, conversionService));
			}
			return mapBean(row, type, conversionService);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Cannot map row of " + row.row().relation().qualifiedName() + " to "
					+ type.getName() + ": " + ex.getMessage(), ex);
		}
	}

	private static <T> T mapBean(ChangeRow row, Class<T> type, ConversionService conversionService) {
		T bean = BeanUtils.instantiateClass(type);
		BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(bean);
		wrapper.setConversionService(conversionService);
		for (String column : row.columns()) {
			String property = Naming.camelCase(column);
			String target = wrapper.isWritableProperty(property) ? property
					: (wrapper.isWritableProperty(column) ? column : null);
			if (target == null) {
				continue;
			}
			Object value = row.isSent(column) ? row.get(column) : null;
			if (value == null && wrapper.getPropertyType(target) != null && wrapper.getPropertyType(target).isPrimitive()) {
				if (!row.primitivesDefaultedForNullValue()) {
					throw nullForPrimitive(row, column, target, wrapper.getPropertyType(target));
				}
				continue;
			}
			if (row.isSent(column)) {
				wrapper.setPropertyValue(target, value);
			}
		}
		return bean;
	}

	/** Column positions of a record's components in one relation (the last one mapped). */
	private record Columns(RelationMessage relation, int[] indexes) {
	}

	/** What mapping a record type needs, computed once per type. */
	private static final class RecordPlan {

		private final Constructor<?> constructor;

		private final String[] names;

		private final String[] snakeNames;

		/** Component types, primitives boxed: a value that is an instance needs no conversion. */
		private final Class<?>[] boxed;

		/** Zero / false for primitive components (what a NULL column gives), else null. */
		private final Object[] defaults;

		private final TypeDescriptor[] targets;

		private final AtomicReference<Columns> columns = new AtomicReference<>();

		private RecordPlan(Constructor<?> constructor, RecordComponent[] components) {
			int n = components.length;
			this.constructor = constructor;
			this.names = new String[n];
			this.snakeNames = new String[n];
			this.boxed = new Class<?>[n];
			this.defaults = new Object[n];
			this.targets = new TypeDescriptor[n];
			for (int i = 0; i < n; i++) {
				Class<?> type = components[i].getType();
				this.names[i] = components[i].getName();
				this.snakeNames[i] = Naming.snakeCase(this.names[i]);
				this.boxed[i] = ClassUtils.resolvePrimitiveIfNecessary(type);
				this.defaults[i] = type.isPrimitive() ? defaultValue(type) : null;
				this.targets[i] = new TypeDescriptor(ResolvableType.forType(components[i].getGenericType()), null,
						components[i].getAnnotations());
			}
		}

		static RecordPlan of(Class<?> type) {
			RecordComponent[] components = type.getRecordComponents();
			Class<?>[] types = new Class<?>[components.length];
			for (int i = 0; i < components.length; i++) {
				types[i] = components[i].getType();
			}
			try {
				Constructor<?> constructor = type.getDeclaredConstructor(types);
				constructor.setAccessible(true);
				return new RecordPlan(constructor, components);
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException("Record " + type.getName() + " has no canonical constructor", ex);
			}
		}

		private int[] indexes(RelationMessage relation) {
			Columns cached = this.columns.get();
			if (cached != null && cached.relation() == relation) {
				return cached.indexes();
			}
			int[] indexes = new int[this.names.length];
			for (int i = 0; i < indexes.length; i++) {
				int column = relation.indexOf(this.names[i]);
				indexes[i] = (column >= 0) ? column : relation.indexOf(this.snakeNames[i]);
			}
			this.columns.set(new Columns(relation, indexes));
			return indexes;
		}

		Object map(ChangeRow changeRow, ConversionService conversionService) {
			Row row = changeRow.row();
			int[] indexes = indexes(row.relation());
			Object[] args = new Object[indexes.length];
			for (int i = 0; i < args.length; i++) {
				int column = indexes[i];
				Object value = (column >= 0 && column < row.size()) ? row.get(column) : null;
				if (value == null) {
					if (this.defaults[i] != null && column >= 0 && !changeRow.primitivesDefaultedForNullValue()) {
						throw nullForPrimitive(changeRow, row.columnName(column), this.names[i],
								this.constructor.getParameterTypes()[i]);
					}
					args[i] = this.defaults[i];
				}
				else if (this.boxed[i].isInstance(value)) {
					args[i] = value;
				}
				else {
					Object converted = conversionService.convert(value, TypeDescriptor.forObject(value),
							this.targets[i]);
					args[i] = (converted != null) ? converted : this.defaults[i];
				}
			}
			try {
				return this.constructor.newInstance(args);
			}
			catch (InvocationTargetException ex) {
				Throwable cause = ex.getCause();
				throw (cause instanceof RuntimeException runtime) ? runtime
						: new IllegalStateException("Constructor of " + this.constructor.getDeclaringClass().getName()
								+ " failed", cause);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("Cannot instantiate " + this.constructor.getDeclaringClass().getName(),
						ex);
			}
		}

	}

	private static IllegalArgumentException nullForPrimitive(ChangeRow row, String column, String property,
			Class<?> type) {
		String what;
		if (row.isSent(column)) {
			what = "is NULL";
		}
		else if (row.isUnchangedToast(column)) {
			what = "was not sent by the server (an unchanged TOASTed value)";
		}
		else {
			what = "was not sent by the server (a key-only old row: only the replica identity is sent unless the table "
					+ "has REPLICA IDENTITY FULL)";
		}
		return new IllegalArgumentException("column " + column + " " + what + " but " + property + " is a primitive "
				+ type.getName() + "; use " + ClassUtils.resolvePrimitiveIfNecessary(type).getSimpleName()
				+ ", or set pglogrepl.mapping.primitives-defaulted-for-null-value=true to map it to "
				+ defaultValue(type));
	}

	private static Object defaultValue(Class<?> type) {
		if (type == boolean.class) {
			return false;
		}
		if (type == char.class) {
			return '\0';
		}
		if (type == long.class) {
			return 0L;
		}
		if (type == double.class) {
			return 0d;
		}
		if (type == float.class) {
			return 0f;
		}
		if (type == short.class) {
			return (short) 0;
		}
		if (type == byte.class) {
			return (byte) 0;
		}
		return 0;
	}

}
