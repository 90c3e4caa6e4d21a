package io.github.pglogrepl.spring.event;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;

/**
 * Maps a {@link ChangeRow} to a record or bean: a column {@code order_id} fills a component or property
 * {@code orderId} (or {@code order_id}); values are converted with the {@link ConversionService}. Columns
 * without a matching property are ignored; properties without a column (or with an unchanged TOAST value)
 * stay {@code null} / default.
 */
final class RowMapper {


	private RowMapper() {
	}

	static <T> T map(ChangeRow row, Class<T> type, ConversionService conversionService) {
		try {
			if (type.isRecord()) {
				return mapRecord(row, type, conversionService);
			}
			T bean = BeanUtils.instantiateClass(type);
			BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(bean);
			wrapper.setConversionService(conversionService);
			for (String column : row.columns()) {
				String property = Naming.camelCase(column);
				String target = wrapper.isWritableProperty(property) ? property
						: (wrapper.isWritableProperty(column) ? column : null);
				if (target != null && !row.isUnchangedToast(column)) {
					wrapper.setPropertyValue(target, row.get(column));
				}
			}
			return bean;
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Cannot map row of " + row.row().relation().qualifiedName() + " to "
					+ type.getName() + ": " + ex.getMessage(), ex);
		}
	}

	/** Column positions of a record's components in one relation (the last one mapped). */
	private record Columns(io.github.pglogrepl.pgoutput.RelationMessage relation, int[] indexes) {
	}

	/** What mapping a record type needs, computed once per type. */
	private record RecordPlan(Constructor<?> constructor, String[] names, String[] snakeNames, Class<?>[] types,
			TypeDescriptor[] targets, java.util.concurrent.atomic.AtomicReference<Columns> columns) {

		int[] indexes(io.github.pglogrepl.pgoutput.RelationMessage relation) {
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

		static RecordPlan of(Class<?> type) {
			RecordComponent[] components = type.getRecordComponents();
			int n = components.length;
			String[] names = new String[n];
			String[] snake = new String[n];
			Class<?>[] types = new Class<?>[n];
			TypeDescriptor[] targets = new TypeDescriptor[n];
			for (int i = 0; i < n; i++) {
				names[i] = components[i].getName();
				snake[i] = Naming.snakeCase(names[i]);
				types[i] = components[i].getType();
				targets[i] = new TypeDescriptor(org.springframework.core.ResolvableType.forType(components[i].getGenericType()),
						null, components[i].getAnnotations());
			}
			try {
				Constructor<?> constructor = type.getDeclaredConstructor(types);
				constructor.setAccessible(true);
				return new RecordPlan(constructor, names, snake, types, targets,
						new java.util.concurrent.atomic.AtomicReference<>());
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException("Record " + type.getName() + " has no canonical constructor", ex);
			}
		}

	}

	private static final Map<Class<?>, RecordPlan> PLANS = new ConcurrentHashMap<>();

	@SuppressWarnings("unchecked")
	private static <T> T mapRecord(ChangeRow row, Class<T> type, ConversionService conversionService) {
		RecordPlan plan = PLANS.computeIfAbsent(type, RecordPlan::of);
		io.github.pglogrepl.pgoutput.Row raw = row.row();
		io.github.pglogrepl.pgoutput.RelationMessage relation = raw.relation();
		Object[] args = new Object[plan.names().length];
		int[] indexes = plan.indexes(relation);
		for (int i = 0; i < args.length; i++) {
			int column = indexes[i];
			Object value = (column >= 0 && raw.tuple().hasValue(column)) ? raw.get(column) : null;
			Class<?> target = plan.types()[i];
			Object converted;
			if (value == null) {
				converted = target.isPrimitive() ? defaultValue(target) : null;
			}
			else if (org.springframework.util.ClassUtils.isAssignableValue(target, value)) {
				converted = value;
			}
			else {
				converted = conversionService.convert(value, TypeDescriptor.forObject(value), plan.targets()[i]);
			}
			args[i] = converted;
		}
		return (T) BeanUtils.instantiateClass(plan.constructor(), args);
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
