package io.github.pglogrepl.spring.stream;

import io.github.pglogrepl.spring.snapshot.SnapshotRequestException;

/**
 * Checks a backfill's {@code WHERE} condition before it is put, in parentheses, into the chunk query: one
 * balanced expression — no statement separator, no comment, no parenthesis closing one it did not open, outside
 * string literals, quoted identifiers and dollar quotes (a backslash in a string literal is refused: whether it
 * escapes the quote depends on the literal's prefix and on {@code standard_conforming_strings}). The server then checks that it is a valid boolean
 * expression on the table (a prepared statement, which takes exactly one statement), and the chunks run it in
 * a read-only transaction.
 */
final class SnapshotCondition {

	private SnapshotCondition() {
	}

	/**
	 * @param condition the condition
	 * @return the condition
	 * @throws SnapshotRequestException naming what is wrong
	 */
	static String check(String condition) {
		int depth = 0;
		int i = 0;
		int n = condition.length();
		while (i < n) {
			char c = condition.charAt(i);
			if (c == '\'' || c == '"') {
				int end = closing(condition, i + 1, c);
				if (c == '\'' && condition.substring(i, (end > 0) ? end : n).indexOf('\\') >= 0) {
					// E'\'' and standard_conforming_strings=off read a backslash as an escape, the default does not
					throw invalid(condition, "a backslash in a string literal");
				}
				if (end < 0) {
					throw invalid(condition, "an unterminated " + ((c == '"') ? "quoted identifier" : "string literal"));
				}
				i = end + 1;
				continue;
			}
			if (c == '$' && (i == 0 || !isIdentifierPart(condition.charAt(i - 1)))) {
				int tagEnd = condition.indexOf('$', i + 1);
				String tag = (tagEnd > 0) ? condition.substring(i, tagEnd + 1) : null;
				if (tag != null && tag.chars().skip(1).limit(tag.length() - 2L)
					.allMatch((ch) -> Character.isLetterOrDigit(ch) || ch == '_')
						&& (tag.length() == 2 || !Character.isDigit(tag.charAt(1)))) {
					int end = condition.indexOf(tag, tagEnd + 1);
					if (end < 0) {
						throw invalid(condition, "an unterminated dollar-quoted string");
					}
					i = end + tag.length();
					continue;
				}
			}
			if (c == ';') {
				throw invalid(condition, "a ';'");
			}
			if ((c == '-' && i + 1 < n && condition.charAt(i + 1) == '-')
					|| (c == '/' && i + 1 < n && condition.charAt(i + 1) == '*')) {
				throw invalid(condition, "a comment");
			}
			if (c == '(') {
				depth++;
			}
			else if (c == ')') {
				if (--depth < 0) {
					throw invalid(condition, "a ')' without its '('");
				}
			}
			else if (c == '\0') {
				throw invalid(condition, "a NUL character");
			}
			i++;
		}
		if (depth != 0) {
			throw invalid(condition, "a '(' without its ')'");
		}
		return condition;
	}

	/** Whether a {@code $} after this character continues an identifier rather than starting a dollar quote. */
	private static boolean isIdentifierPart(char c) {
		return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
	}

	/** Index of the closing quote (doubled quotes are part of the text), or -1. */
	private static int closing(String s, int from, char quote) {
		int i = from;
		while (i < s.length()) {
			if (s.charAt(i) == quote) {
				if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
					i += 2;
					continue;
				}
				return i;
			}
			i++;
		}
		return -1;
	}

	private static SnapshotRequestException invalid(String condition, String what) {
		return new SnapshotRequestException("Invalid snapshot condition: it contains " + what
				+ "; give one boolean expression on the table's columns, e.g. created_at > now() - interval '1 day'");
	}

}
