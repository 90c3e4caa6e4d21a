package io.github.pglogrepl.spring.event;

/**
 * The naming conventions between Java and PostgreSQL used by typed rows, in one place: snake_case columns
 * and tables, camelCase properties.
 */
public final class Naming {

	private Naming() {
	}

	/**
	 * @param name a Java name, e.g. {@code OrderLine} or {@code createdAt}
	 * @return the snake_case form, e.g. {@code order_line} or {@code created_at}
	 */
	public static String snakeCase(String name) {
		StringBuilder sb = new StringBuilder(name.length() + 4);
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (Character.isUpperCase(c)) {
				if (i > 0) {
					sb.append('_');
				}
				sb.append(Character.toLowerCase(c));
			}
			else {
				sb.append(c);
			}
		}
		return sb.toString();
	}

	/**
	 * @param column a column name, e.g. {@code created_at}
	 * @return the camelCase form, e.g. {@code createdAt}
	 */
	public static String camelCase(String column) {
		if (column.indexOf('_') < 0) {
			return column;
		}
		StringBuilder sb = new StringBuilder(column.length());
		boolean upper = false;
		for (int i = 0; i < column.length(); i++) {
			char c = column.charAt(i);
			if (c == '_') {
				upper = sb.length() > 0;
			}
			else {
				sb.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return sb.toString();
	}

}
