package io.github.pglogrepl.spring.endpoint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.pglogrepl.spring.StreamTestSupport;

/**
 * The {@code pglogrepl} actuator endpoint over real HTTP: a servlet application on a random port and a plain
 * {@link HttpClient}, so that what is tested is what Spring's actuator makes of a request (body to parameters,
 * status codes), not a direct method call.
 */
final class EndpointHttp {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	private final String base;

	/** A response: status and parsed body (or {@code null} when there is none). */
	record Response(int status, JsonNode body, String text) {

		String error() {
			return (this.body != null && this.body.has("error")) ? this.body.get("error").asString() : null;
		}

	}

	EndpointHttp(ConfigurableApplicationContext context) {
		this.base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port")
				+ "/actuator/pglogrepl";
	}

	/**
	 * Starts a web application on a random port with the endpoint exposed.
	 * @param properties stream properties
	 * @param sources configuration classes
	 * @return the context
	 */
	static ConfigurableApplicationContext start(List<String> properties, Class<?>... sources) {
		List<String> all = new ArrayList<>(properties);
		all.add("server.port=0");
		all.add("management.endpoints.web.exposure.include=pglogrepl");
		List<Class<?>> classes = new ArrayList<>(List.of(sources));
		classes.add(0, StreamTestSupport.TestApp.class);
		SpringApplication application = new SpringApplicationBuilder(classes.toArray(Class<?>[]::new))
			.web(WebApplicationType.SERVLET)
			.properties(all.toArray(String[]::new))
			.build();
		return application.run();
	}

	Response get(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).GET());
	}

	Response post(String path, String json) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	Response delete(String path) {
		return send(HttpRequest.newBuilder(URI.create(this.base + path)).DELETE());
	}

	/**
	 * @param value a string
	 * @return it as a JSON string literal
	 */
	static String json(String value) {
		return JSON.writeValueAsString(value);
	}

	private Response send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			String text = response.body();
			JsonNode body = (text == null || text.isBlank()) ? null : JSON.readTree(text);
			return new Response(response.statusCode(), body, text);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
