package io.github.pglogrepl.spring.event;

import java.util.AbstractList;

import io.github.pglogrepl.pgoutput.RelationMessage;

/**
 * The column names of a relation as a list, read from the Relation message when asked (no copy per event).
 */
final class ColumnNames extends AbstractList<String> {

	private final RelationMessage relation;

	ColumnNames(RelationMessage relation) {
		this.relation = relation;
	}

	@Override
	public String get(int index) {
		return this.relation.columns().get(index).name();
	}

	@Override
	public int size() {
		return this.relation.columns().size();
	}

}
