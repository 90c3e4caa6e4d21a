package io.github.pglogrepl.spring.event;

/**
 * What publishes replication events — the stream container — as the events see it: the name of the stream,
 * which every event carries ({@link ReplicationEvent#stream()}).
 */
public interface ReplicationEventSource {

	/**
	 * @return the stream's name ({@code default} when the application has one stream)
	 */
	String streamName();

}
