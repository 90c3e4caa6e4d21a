package io.github.pglogrepl.spring.stream;

/**
 * When the stream creates its publications ({@code pglogrepl.publication.create}).
 */
public enum PublicationCreation {

	/** Create missing publications, for the configured tables (or all tables). */
	IF_MISSING,
	/** Never create them: startup fails if one does not exist. The default. */
	NEVER

}
