package io.github.pglogrepl.connection;

/**
 * Quoting of identifiers and string literals for replication commands and SQL, in one place. Every name or
 * value this library puts into a command text goes through here, so a slot or publication name containing
 * quotes, spaces or SQL fragments can never change the command.
 */
public final class Identifiers {

	private Identifiers() {
	}

	/**
	 * Quotes an identifier: {@code my "slot"} becomes {@code "my ""slot"""}.
	 * @param identifier the identifier
	 * @return the quoted identifier
	 * @throws IllegalArgumentException if it is null, empty or contains a NUL character
	 */
	public static String quoteIdentifier(String identifier) {
		check(identifier, "identifier");
		if (identifier.isEmpty()) {
			throw new IllegalArgumentException("identifier must not be empty");
		}
		return quote(identifier, '"');
	}

	/**
	 * Quotes a string literal for a replication command: {@code it's} becomes {@code 'it''s'}. The
	 * replication command scanner does not process backslash escapes, so backslashes are left as they are; in
	 * plain SQL prefer bind parameters.
	 * @param value the value
	 * @return the quoted literal
	 * @throws IllegalArgumentException if it is null or contains a NUL character
	 */
	public static String quoteLiteral(String value) {
		check(value, "literal");
		return quote(value, '\'');
	}

	/**
	 * Quotes a string literal for plain SQL, whatever {@code standard_conforming_strings} says: {@code it's a\b}
	 * becomes {@code E'it''s a\\b'}. For statements that cannot take bind parameters ({@code COPY (query)}).
	 * @param value the value
	 * @return the quoted literal
	 * @throws IllegalArgumentException if it is null or contains a NUL character
	 */
	public static String quoteSqlLiteral(String value) {
		check(value, "literal");
		StringBuilder sb = new StringBuilder(value.length() + 3).append("E'");
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\'' || c == '\\') {
				sb.append(c);
			}
			sb.append(c);
		}
		return sb.append('\'').toString();
	}

	private static void check(String s, String what) {
		if (s == null) {
			throw new IllegalArgumentException(what + " must not be null");
		}
		if (s.indexOf('\0') >= 0) {
			throw new IllegalArgumentException(what + " must not contain a NUL character");
		}
	}

	private static String quote(String s, char q) {
		StringBuilder sb = new StringBuilder(s.length() + 2).append(q);
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == q) {
				sb.append(q);
			}
			sb.append(c);
		}
		return sb.append(q).toString();
	}

	/**
	 * Checks a replication slot name the way the server does: 1 to 63 characters of lower-case letters,
	 * digits and underscores.
	 * @param name the slot name
	 * @return the name
	 * @throws IllegalArgumentException naming the rule that is broken
	 */
	public static String validateSlotName(String name) {
		if (name == null || name.isEmpty()) {
			throw new IllegalArgumentException("Replication slot name must not be empty");
		}
		if (name.length() > 63) {
			throw new IllegalArgumentException(
					"Replication slot name '" + name + "' is longer than 63 characters");
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
				throw new IllegalArgumentException("Replication slot name '" + name
						+ "' contains an invalid character: only lower-case letters, digits and underscores are allowed");
			}
		}
		return name;
	}

}
