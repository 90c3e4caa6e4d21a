package io.github.pglogrepl.pgoutput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.pglogrepl.connection.Identifiers;

/**
 * Options of the {@code pgoutput} plugin for {@code START_REPLICATION}.
 *
 * <pre>{@code
 * PgOutputOptions.builder().protoVersion(4).publications("orders_pub").messages(true).streaming("on").build()
 * }</pre>
 *
 * Publication names are quoted as identifiers inside the {@code publication_names} value, so names with
 * commas, quotes or upper-case letters are passed exactly.
 *
 * @param protoVersion protocol version 1 to 4 (2 adds streaming, 3 two-phase, 4 parallel streaming)
 * @param publicationNames the publications to stream (at least one)
 * @param binary whether column values are sent in binary format (PostgreSQL 14+)
 * @param messages whether {@code pg_logical_emit_message} messages are sent (PostgreSQL 14+)
 * @param streaming {@code null}/{@code "off"}, {@code "on"} or {@code "parallel"} (protocol 4, PostgreSQL 16+)
 * @param twoPhase whether prepared transactions are decoded at PREPARE (protocol 3, PostgreSQL 15+)
 * @param origin {@code null}, {@code "any"} or {@code "none"} (PostgreSQL 16+)
 */
public record PgOutputOptions(int protoVersion, List<String> publicationNames, boolean binary, boolean messages,
		String streaming, boolean twoPhase, String origin) {

	/**
	 * Validates and creates the options.
	 * @param protoVersion protocol version
	 * @param publicationNames publications
	 * @param binary binary values
	 * @param messages logical decoding messages
	 * @param streaming streaming mode
	 * @param twoPhase two-phase decoding
	 * @param origin origin filter
	 */
	public PgOutputOptions {
		if (protoVersion < 1 || protoVersion > 4) {
			throw new IllegalArgumentException("pgoutput proto_version must be 1 to 4, was " + protoVersion);
		}
		if (publicationNames == null || publicationNames.isEmpty()) {
			throw new IllegalArgumentException("At least one publication name is required");
		}
		publicationNames = List.copyOf(publicationNames);
		publicationNames.forEach(Identifiers::quoteIdentifier);
		if (streaming != null && !streaming.equals("off") && !streaming.equals("on") && !streaming.equals("parallel")) {
			throw new IllegalArgumentException("streaming must be off, on or parallel, was '" + streaming + "'");
		}
		if ("on".equals(streaming) && protoVersion < 2) {
			throw new IllegalArgumentException("streaming requires proto_version 2 or later");
		}
		if ("parallel".equals(streaming) && protoVersion < 4) {
			throw new IllegalArgumentException("streaming 'parallel' requires proto_version 4");
		}
		if (twoPhase && protoVersion < 3) {
			throw new IllegalArgumentException("two_phase requires proto_version 3 or later");
		}
		if (origin != null && !origin.equals("any") && !origin.equals("none")) {
			throw new IllegalArgumentException("origin must be any or none, was '" + origin + "'");
		}
	}

	/**
	 * @return a builder with protocol version 1 and no publications
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * @return the highest protocol version a server major version supports (14: 2, 15: 3, 16+: 4)
	 * @param serverMajorVersion the server's major version
	 */
	public static int maxProtoVersion(int serverMajorVersion) {
		if (serverMajorVersion >= 16) {
			return 4;
		}
		if (serverMajorVersion == 15) {
			return 3;
		}
		return (serverMajorVersion == 14) ? 2 : 1;
	}

	/**
	 * @return the {@code publication_names} value: each name quoted as an identifier, comma-separated
	 */
	public String publicationNamesValue() {
		List<String> quoted = new ArrayList<>(this.publicationNames.size());
		for (String name : this.publicationNames) {
			quoted.add(Identifiers.quoteIdentifier(name));
		}
		return String.join(",", quoted);
	}

	/**
	 * @return the plugin options in the order they are sent
	 */
	public Map<String, String> toMap() {
		Map<String, String> map = new LinkedHashMap<>();
		map.put("proto_version", Integer.toString(this.protoVersion));
		map.put("publication_names", publicationNamesValue());
		if (this.binary) {
			map.put("binary", "true");
		}
		if (this.messages) {
			map.put("messages", "true");
		}
		if (this.streaming != null && !this.streaming.equals("off")) {
			map.put("streaming", this.streaming);
		}
		if (this.twoPhase) {
			map.put("two_phase", "true");
		}
		if (this.origin != null) {
			map.put("origin", this.origin);
		}
		return map;
	}

	/** Builder of {@link PgOutputOptions}. */
	public static final class Builder {

		private int protoVersion = 1;

		private final List<String> publications = new ArrayList<>();

		private boolean binary;

		private boolean messages;

		private String streaming;

		private boolean twoPhase;

		private String origin;

		private Builder() {
		}

		/**
		 * @param version protocol version 1 to 4
		 * @return this builder
		 */
		public Builder protoVersion(int version) {
			this.protoVersion = version;
			return this;
		}

		/**
		 * @param names publication names to add
		 * @return this builder
		 */
		public Builder publications(String... names) {
			this.publications.addAll(List.of(names));
			return this;
		}

		/**
		 * @param names publication names to add
		 * @return this builder
		 */
		public Builder publications(List<String> names) {
			this.publications.addAll(names);
			return this;
		}

		/**
		 * @param binary whether to receive values in binary format
		 * @return this builder
		 */
		public Builder binary(boolean binary) {
			this.binary = binary;
			return this;
		}

		/**
		 * @param messages whether to receive logical decoding messages
		 * @return this builder
		 */
		public Builder messages(boolean messages) {
			this.messages = messages;
			return this;
		}

		/**
		 * @param streaming {@code off}, {@code on} or {@code parallel}
		 * @return this builder
		 */
		public Builder streaming(String streaming) {
			this.streaming = streaming;
			return this;
		}

		/**
		 * @param twoPhase whether to decode prepared transactions at PREPARE
		 * @return this builder
		 */
		public Builder twoPhase(boolean twoPhase) {
			this.twoPhase = twoPhase;
			return this;
		}

		/**
		 * @param origin {@code any} or {@code none}
		 * @return this builder
		 */
		public Builder origin(String origin) {
			this.origin = origin;
			return this;
		}

		/**
		 * @return the options
		 */
		public PgOutputOptions build() {
			return new PgOutputOptions(this.protoVersion, this.publications, this.binary, this.messages,
					this.streaming, this.twoPhase, this.origin);
		}

	}

}
