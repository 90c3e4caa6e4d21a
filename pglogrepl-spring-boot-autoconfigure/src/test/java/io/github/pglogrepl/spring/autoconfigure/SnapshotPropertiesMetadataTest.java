package io.github.pglogrepl.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code pglogrepl.snapshot.*} properties in the generated {@code spring-configuration-metadata.json} (IDE
 * completion: a description each, defaults, the values of the two enums with what they mean) and in the known
 * names behind the unknown-property warning.
 */
class SnapshotPropertiesMetadataTest {

	private static final List<String> SNAPSHOT_PROPERTIES = List.of("pglogrepl.snapshot.enabled",
			"pglogrepl.snapshot.mode", "pglogrepl.snapshot.tables", "pglogrepl.snapshot.chunk-size",
			"pglogrepl.snapshot.chunk-max-bytes", "pglogrepl.snapshot.threads", "pglogrepl.snapshot.progress-store",
			"pglogrepl.snapshot.progress-table");

	@Test
	void everySnapshotPropertyHasADescriptionDefaultsAndEnumHints() throws IOException {
		JsonNode metadata;
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated metadata on the class path").isNotNull();
			metadata = JsonMapper.builder().build().readTree(in);
		}
		Map<String, JsonNode> properties = new LinkedHashMap<>();
		for (JsonNode property : metadata.get("properties")) {
			properties.put(property.get("name").asString(), property);
		}
		for (String name : SNAPSHOT_PROPERTIES) {
			assertThat(properties).as(name).containsKey(name);
			assertThat(properties.get(name).path("description").asString()).as(name).isNotBlank();
		}
		assertThat(properties.keySet().stream().filter((n) -> n.startsWith("pglogrepl.snapshot.")))
			.as("no snapshot property without a test here").containsExactlyInAnyOrderElementsOf(SNAPSHOT_PROPERTIES);
		assertThat(properties.get("pglogrepl.snapshot.mode").get("defaultValue").asString()).isEqualTo("never");
		assertThat(properties.get("pglogrepl.snapshot.progress-store").get("defaultValue").asString()).isEqualTo("table");
		assertThat(properties.get("pglogrepl.snapshot.enabled").get("defaultValue").asBoolean()).isTrue();
		assertThat(properties.get("pglogrepl.snapshot.threads").get("defaultValue").asInt()).isEqualTo(1);
		assertThat(properties.get("pglogrepl.snapshot.chunk-size").get("defaultValue").asInt()).isEqualTo(8192);
		assertThat(properties.get("pglogrepl.snapshot.chunk-max-bytes").get("defaultValue").asString()).isEqualTo("8MB");
		assertThat(properties.get("pglogrepl.snapshot.progress-table").get("defaultValue").asString())
			.isEqualTo("pglogrepl_snapshot");
		Map<String, JsonNode> hints = new LinkedHashMap<>();
		for (JsonNode hint : metadata.path("hints")) {
			hints.put(hint.get("name").asString(), hint);
		}
		assertThat(values(hints.get("pglogrepl.snapshot.mode"))).containsExactly("never", "initial");
		assertThat(values(hints.get("pglogrepl.snapshot.progress-store"))).containsExactly("table", "memory");
		for (JsonNode value : hints.get("pglogrepl.snapshot.mode").get("values")) {
			assertThat(value.path("description").asString()).isNotBlank();
		}
	}

	@Test
	void theUnknownPropertyWarningKnowsTheSnapshotProperties() {
		assertThat(PgLogReplPropertyNames.knownNames()).containsAll(SNAPSHOT_PROPERTIES);
		MockEnvironment environment = new MockEnvironment().withProperty("pglogrepl.snapshot.mode", "initial")
			.withProperty("pglogrepl.snapshot.chunk-max-bytes", "1MB")
			.withProperty("pglogrepl.snapshot.chunksize", "100")
			.withProperty("pglogrepl.snapshot.progres-store", "memory")
			.withProperty("pglogrepl.streams.other.snapshot.thread", "2");
		assertThat(PgLogReplPropertyNames.unknown(environment)).extracting(Object::toString)
			.containsExactlyInAnyOrder("pglogrepl.snapshot.chunksize (did you mean pglogrepl.snapshot.chunk-size?)",
					"pglogrepl.snapshot.progres-store (did you mean pglogrepl.snapshot.progress-store?)",
					"pglogrepl.streams.other.snapshot.thread (did you mean pglogrepl.streams.other.snapshot.threads?)");
	}

	private static List<String> values(JsonNode hint) {
		assertThat(hint).isNotNull();
		return hint.get("values").valueStream().map((v) -> v.get("value").asString()).toList();
	}

}
