package io.github.pglogrepl.spring.kafka;

/**
 * How the relay writes {@code numeric} (and {@code decimal}) values into the JSON envelope.
 */
public enum NumericEncoding {

	/**
	 * A JSON string of the exact decimal ({@code "19.90"}), as Debezium's {@code decimal.handling.mode=string}: no
	 * precision lost by consumers that parse JSON numbers as doubles. The default.
	 */
	STRING,

	/**
	 * A JSON number written exactly ({@code 19.90}, never in exponent notation); consumers that read numbers as
	 * doubles lose precision beyond about 15 digits, as with Debezium's {@code decimal.handling.mode=double}.
	 */
	NUMBER

}
