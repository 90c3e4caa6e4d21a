package io.github.pglogrepl.spring.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.Naming;
import io.github.pglogrepl.spring.event.ReplicatedTable;

/**
 * Which Java type the rows of a table map to in {@code InsertEvent<T>}, {@code UpdateEvent<T>} and
 * {@code DeleteEvent<T>}. Filled at startup from the generic parameters of {@code @EventListener} methods
 * (and by {@link #register(Class)}); tables without a type use {@link ChangeRow}. Thread-safe: filled while the
 * context starts, read by the dispatch threads.
 */
public class RowTypeRegistry {

	private record Entry(String schema, String table, Class<?> type) {
	}

	private final List<Entry> entries = new CopyOnWriteArrayList<>();

	private final Map<String, Class<?>> cache = new ConcurrentHashMap<>();

	/**
	 * Registers a row type: its table is given by {@link ReplicatedTable}, or by the type's simple name in
	 * snake_case (also with a trailing {@code s}).
	 * @param type a record or bean class
	 */
	public void register(Class<?> type) {
		if (type == ChangeRow.class || type == Object.class) {
			return;
		}
		for (Entry entry : this.entries) {
			if (entry.type() == type) {
				return;
			}
		}
		ReplicatedTable annotation = type.getAnnotation(ReplicatedTable.class);
		if (annotation != null) {
			this.entries.add(new Entry(annotation.schema(), annotation.value(), type));
		}
		else {
			String snake = Naming.snakeCase(type.getSimpleName());
			this.entries.add(new Entry("", snake, type));
			this.entries.add(new Entry("", snake + "s", type));
		}
		this.cache.clear();
	}

	/**
	 * @param schema the table's schema
	 * @param table the table name
	 * @return the registered type, or {@link ChangeRow}
	 */
	public Class<?> typeFor(String schema, String table) {
		return this.cache.computeIfAbsent(schema + '.' + table, (key) -> {
			for (Entry entry : this.entries) {
				if (entry.table().equals(table) && (entry.schema().isEmpty() || entry.schema().equals(schema))) {
					return entry.type();
				}
			}
			return ChangeRow.class;
		});
	}

}
