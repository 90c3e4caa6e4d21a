package io.github.pglogrepl.spring.kafka;

/**
 * What the relay does with a record the broker (or the producer, before sending) rejects for good: too large,
 * not authorized, an invalid topic — an error that sending it again cannot cure. Errors that can pass (the broker
 * down or slow, a leader moving) are always retried and never reach this choice.
 */
public enum RejectedRecordAction {

	/**
	 * The transaction is delivered again from the last acknowledged position and the record sent again, with the
	 * stream's back-off, until it is accepted (for example once the topic's {@code max.message.bytes} or the
	 * ACLs were fixed). Nothing after it is acknowledged meanwhile.
	 */
	RETRY,

	/**
	 * The record is sent to the dead-letter topic ({@code <topic><dead-letter-suffix>}) instead, with headers
	 * telling why; the stream goes on. The transaction is delivered again once to do so, so the records sent
	 * before the rejected one may be on the topic twice (in transactional mode they are not).
	 */
	DEAD_LETTER,

	/**
	 * The stream stops (health DOWN, nothing acknowledged past the transaction) until it is started again.
	 */
	STOP

}
