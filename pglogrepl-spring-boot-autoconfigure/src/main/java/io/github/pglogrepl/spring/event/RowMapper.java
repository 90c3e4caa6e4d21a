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

	private static final Map<Class<?>, Constructor<?>> RECORD_CONSTRUCTORS = new ConcurrentHashMap<>();

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

	@SuppressWarnings("unchecked")
	private static <T> T mapRecord(ChangeRow row, Class<T> type, ConversionService conversionService) {
		RecordComponent[] components = type.getRecordComponents();
		Constructor<?> constructor = RECORD_CONSTRUCTORS.computeIfAbsent(type, (t) -> {
			Class<?>[] types = new Class<?>[components.length];
			for (int i = 0; i < components.length; i++) {
				types[i] = components[i].getType();
			}
			try {
				Constructor<?> c = t.getDeclaredConstructor(types);
				c.setAccessible(true);
				return c;
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException("Record " + t.getName() + " has no canonical constructor", ex);
			}
		});
		Object[] args = new Object[components.length];
		for (int i = 0; i < components.length; i++) {
			RecordComponent component = components[i];
			String column = findColumn(row, component.getName());
			Object value = (column != null && !row.isUnchangedToast(column)) ? row.get(column) : null;
			TypeDescriptor targetType = new TypeDescriptor(
					org.springframework.core.ResolvableType.forType(component.getGenericType()), null,
					component.getAnnotations());
			Object converted = (value != null)
					? conversionService.convert(value, TypeDescriptor.forObject(value), targetType) : null;
			if (converted == null && component.getType().isPrimitive()) {
				converted = defaultValue(component.getType());
			}
			args[i] = converted;
		}
		return (T) BeanUtils.instantiateClass(constructor, args);
	}

	private static String findColumn(ChangeRow row, String property) {
		if (row.has(property)) {
			return property;
		}
		String snake = Naming.snakeCase(property);
		return row.has(snake) ? snake : null;
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
