package io.github.pglogrepl.spring.autoconfigure;

import java.util.function.Supplier;

import io.github.pglogrepl.spring.stream.ReplicationSetupException;

/**
 * {@link PgLogReplConnectionDetails} from {@code pglogrepl.*} properties, each falling back to a value of the
 * application's DataSource connection.
 */
class PropertiesPgLogReplConnectionDetails implements PgLogReplConnectionDetails {

	private final PgLogReplProperties properties;

	private final Supplier<PgLogReplConnectionDetails> fallback;

	PropertiesPgLogReplConnectionDetails(PgLogReplProperties properties, Supplier<PgLogReplConnectionDetails> fallback) {
		this.properties = properties;
		this.fallback = fallback;
	}

	@Override
	public String getJdbcUrl() {
		if (this.properties.getUrl() != null) {
			return this.properties.getUrl();
		}
		PgLogReplConnectionDetails other = this.fallback.get();
		String url = (other != null) ? other.getJdbcUrl() : null;
		if (url == null) {
			throw new ReplicationSetupException(
					"No database to stream from: pglogrepl.url is not set and the application has no DataSource URL.",
					"Set pglogrepl.url (e.g. jdbc:postgresql://localhost:5432/app) or spring.datasource.url.");
		}
		return url;
	}

	@Override
	public String getUsername() {
		if (this.properties.getUsername() != null) {
			return this.properties.getUsername();
		}
		PgLogReplConnectionDetails other = this.fallback.get();
		return (other != null) ? other.getUsername() : null;
	}

	@Override
	public String getPassword() {
		if (this.properties.getPassword() != null) {
			return this.properties.getPassword();
		}
		PgLogReplConnectionDetails other = this.fallback.get();
		return (other != null) ? other.getPassword() : null;
	}

	@Override
	public String toString() {
		return "PgLogReplConnectionDetails[url=" + io.github.pglogrepl.spring.stream.JdbcUrls.maskPassword(this.properties.getUrl()) + ", username="
				+ this.properties.getUsername() + ", password=******]";
	}

}
