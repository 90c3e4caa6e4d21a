package io.github.pglogrepl.spring.stream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.TestBytes;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.spring.event.BeginEvent;
import io.github.pglogrepl.spring.event.ChangeRow;
import io.github.pglogrepl.spring.event.CommitEvent;
import io.github.pglogrepl.spring.event.InsertEvent;
import io.github.pglogrepl.spring.event.RelationEvent;
import io.github.pglogrepl.spring.event.ReplicationEvent;
import io.github.pglogrepl.spring.event.ReplicationEventSource;
import io.github.pglogrepl.spring.event.StreamStartEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events made from pgoutput messages (decoded from bytes as the server sends them; no server): the event per
 * message kind, the enclosing transaction, typed rows, and the stream name carried by every event.
 */
class EventFactoryTest {

	record Order(int id, String note) {
	}

	private final PgOutputDecoder decoder = new PgOutputDecoder();

	private final ReplicationEventSource source = () -> "billing";

	private final EventFactory factory;

	private final EventFactory.Transaction transaction = new EventFactory.Transaction();

	EventFactoryTest() {
		RowTypeRegistry rowTypes = new RowTypeRegistry();
		rowTypes.register(Order.class);
		this.factory = new EventFactory(this.source, "slot_a", rowTypes, ApplicationConversionService.getSharedInstance());
	}

	private ReplicationEvent event(byte[] message) {
		return this.factory.create(this.decoder.decode(message), Lsn.parse("0/100"), this.transaction);
	}

	private static byte[] relation(String table) {
		return TestBytes.of('R').i32(7).str("public").str(table).i8('d').i16(2)
			.i8(1).str("id").i32(23).i32(-1)
			.i8(0).str("note").i32(25).i32(-1)
			.build();
	}

	private static byte[] insert(int id, String note) {
		return TestBytes.of('I').i32(7).i8('N').i16(2).text(Integer.toString(id)).text(note).build();
	}

	@Test
	void aTransactionBecomesBeginTypedRowsAndCommitEventsNamingTheirStream() {
		ReplicationEvent begin = event(TestBytes.of('B').i64(0x3000).i64(0).i32(42).build());
		assertThat(begin).isInstanceOf(BeginEvent.class);
		assertThat(begin.stream()).isEqualTo("billing");
		assertThat(begin.slotName()).isEqualTo("slot_a");
		assertThat(begin.getSource()).isSameAs(this.source);
		assertThat(event(relation("orders"))).isInstanceOf(RelationEvent.class);

		ReplicationEvent change = event(insert(1, "first"));
		assertThat(change).isInstanceOf(InsertEvent.class);
		InsertEvent<?> insert = (InsertEvent<?>) change;
		assertThat(insert.rowType()).isEqualTo(Order.class);
		assertThat(insert.newValue()).isEqualTo(new Order(1, "first"));
		assertThat(insert.table().name()).isEqualTo("orders");
		assertThat(insert.xid()).isEqualTo(42);
		assertThat(insert.commitLsn()).isEqualTo(Lsn.parse("0/3000"));
		assertThat(insert.transaction().streamed()).isFalse();
		assertThat(insert.stream()).isEqualTo("billing");

		ReplicationEvent commit = event(TestBytes.of('C').i8(0).i64(0x3000).i64(0x3010).i64(0).build());
		assertThat(commit).isInstanceOf(CommitEvent.class);
		assertThat(((CommitEvent) commit).endLsn()).isEqualTo(Lsn.parse("0/3010"));
		// after the commit no transaction is open
		InsertEvent<?> outside = (InsertEvent<?>) event(insert(2, "outside"));
		assertThat(outside.xid()).isZero();
		assertThat(outside.commitLsn()).isNull();
	}

	@Test
	void tablesWithoutATypeGiveChangeRowsAndStreamedChangesCarryTheirXid() {
		event(relation("invoices"));
		ReplicationEvent start = event(TestBytes.of('S').i32(77).i8(1).build());
		assertThat(start).isInstanceOf(StreamStartEvent.class);
		InsertEvent<?> streamed = (InsertEvent<?>) event(
				TestBytes.of('I').i32(77).i32(7).i8('N').i16(2).text("5").text("in progress").build());
		assertThat(streamed.rowType()).isEqualTo(ChangeRow.class);
		assertThat(streamed.newRow().get("note")).isEqualTo("in progress");
		assertThat(streamed.transaction().streamed()).isTrue();
		assertThat(streamed.xid()).isEqualTo(77);
		assertThat(streamed.commitLsn()).isNull();
	}

}
