package io.github.pglogrepl.spring.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.stream.Acknowledgement;
import io.github.pglogrepl.spring.stream.ReplicationStreamContainer;

/**
 * The injectable {@link Acknowledgement} of the auto-configuration: acknowledges on the stream a commit event came
 * from, so one bean serves every stream. {@link #acknowledge(Lsn)} and {@link #acknowledged()} need to know the
 * stream and therefore work only while the application has exactly one; with several, acknowledge the
 * {@link CommitEvent} (or use {@link ReplicationStreamContainer#acknowledgement()} of the stream).
 */
class StreamsAcknowledgement implements Acknowledgement {

	private final ObjectProvider<ReplicationStreamContainer> containers;

	/** The streams, looked up once on first use (they are fixed once the context runs). */
	private volatile List<ReplicationStreamContainer> streams;

	StreamsAcknowledgement(ObjectProvider<ReplicationStreamContainer> containers) {
		this.containers = containers;
	}

	@Override
	public void acknowledge(CommitEvent commit) {
		if (commit.getSource() instanceof ReplicationStreamContainer container) {
			container.acknowledgement().acknowledge(commit.endLsn());
		}
		else {
			only().acknowledge(commit.endLsn());
		}
	}

	@Override
	public void acknowledge(Lsn lsn) {
		only().acknowledge(lsn);
	}

	@Override
	public Lsn acknowledged() {
		return only().acknowledged();
	}

	private Acknowledgement only() {
		List<ReplicationStreamContainer> all = this.streams;
		if (all == null) {
			all = this.containers.orderedStream().toList();
			if (!all.isEmpty()) {
				this.streams = all;
			}
		}
		if (all.size() != 1) {
			throw new IllegalStateException("There are " + all.size() + " replication streams "
					+ all.stream().map(ReplicationStreamContainer::streamName).toList()
					+ ": acknowledge the CommitEvent (which names its stream), or use the acknowledgement() of the stream's ReplicationStreamContainer");
		}
		return all.get(0).acknowledgement();
	}

}
