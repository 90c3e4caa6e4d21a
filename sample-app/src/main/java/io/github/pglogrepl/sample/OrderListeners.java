package io.github.pglogrepl.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.github.pglogrepl.spring.event.DeleteEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.RowChangeEvent;
import io.github.pglogrepl.spring.event.SnapshotEvent;
import io.github.pglogrepl.spring.event.UpdateEvent;
import io.github.pglogrepl.spring.event.XLogDataEvent;

/**
 * The two levels of the starter: every raw WAL message, and typed order changes — including the rows a backfill
 * reads ({@link SnapshotEvent}, kind "snapshot" on the page), which arrive among the changes in stream order.
 */
@Component
public class OrderListeners {

	private static final Log logger = LogFactory.getLog(OrderListeners.class);

	private final ChangeFeed feed;

	OrderListeners(ChangeFeed feed) {
		this.feed = feed;
	}

	@EventListener
	void raw(XLogDataEvent event) {
		this.feed.raw(event.size());
		if (logger.isDebugEnabled()) {
			logger.debug("WAL message at " + event.walStart() + " (server at " + event.serverWalEnd() + "), "
					+ event.size() + " bytes");
		}
	}

	@EventListener
	void inserted(InsertEvent<Order> event) {
		this.feed.publish(change("insert", event, event.newValue()));
	}

	@EventListener
	void updated(UpdateEvent<Order> event) {
		this.feed.publish(change("update", event, event.newValue()));
	}

	@EventListener
	void deleted(DeleteEvent<Order> event) {
		Map<String, Object> change = change("delete", event, event.oldValue());
		if (event.oldRow().isKeyOnly()) {
			// without REPLICA IDENTITY FULL the server sends only the key of a deleted row
			change.put("note", "key only — set REPLICA IDENTITY FULL for the old row");
		}
		this.feed.publish(change);
	}

	@EventListener
	void snapshotRow(SnapshotEvent<Order> event) {
		this.feed.publish(change("snapshot", event, event.newValue()));
	}

	private static Map<String, Object> change(String op, RowChangeEvent<Order, ?> event, Order order) {
		Map<String, Object> change = new LinkedHashMap<>();
		change.put("op", op);
		change.put("table", event.table().toString());
		change.put("id", order.id());
		change.put("customer", order.customer());
		change.put("amount", order.amount());
		change.put("status", order.status());
		change.put("lsn", String.valueOf(event.walStart()));
		// a snapshot row was read, not committed: it has no commit time
		change.put("commitTime", (event.commitTime() != null) ? event.commitTime().toString() : "");
		return change;
	}

}
