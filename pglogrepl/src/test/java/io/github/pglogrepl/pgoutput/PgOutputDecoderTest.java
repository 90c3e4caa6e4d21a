package io.github.pglogrepl.pgoutput;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.TestBytes;
import io.github.pglogrepl.protocol.ProtocolException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pgoutput decoder on byte vectors laid out as in the PostgreSQL documentation ("Logical Replication
 * Message Formats").
 */
class PgOutputDecoderTest {

	static final int REL = 16385;

	static byte[] relation(int xid, boolean streamed) {
		TestBytes b = TestBytes.of('R');
		if (streamed) {
			b.i32(xid);
		}
		return b.i32(REL).str("public").str("orders").i8('d').i16(3)
			.i8(1).str("id").i32(20).i32(-1)
			.i8(0).str("note").i32(25).i32(-1)
			.i8(0).str("amount").i32(1700).i32(655366)
			.build();
	}

	static TestBytes tuple(TestBytes b) {
		return b.i16(3).text("42").i8('n').i8('u');
	}

	private final PgOutputDecoder decoder = new PgOutputDecoder();

	private RelationMessage knownRelation() {
		return (RelationMessage) this.decoder.decode(relation(0, false));
	}

	/** Every message kind, as a list of (decoder state setup, bytes) vectors for truncation tests. */
	static List<byte[]> samples() {
		List<byte[]> samples = new ArrayList<>();
		samples.add(TestBytes.of('B').i64(0x10).i64(1).i32(7).build());
		samples.add(TestBytes.of('C').i8(0).i64(0x10).i64(0x20).i64(1).build());
		samples.add(TestBytes.of('O').i64(0x10).str("origin").build());
		samples.add(relation(0, false));
		samples.add(TestBytes.of('Y').i32(99999).str("public").str("mood").build());
		samples.add(tuple(TestBytes.of('I').i32(REL).i8('N')).build());
		samples.add(tuple(tuple(TestBytes.of('U').i32(REL).i8('O')).i8('N')).build());
		samples.add(tuple(TestBytes.of('D').i32(REL).i8('K')).build());
		samples.add(TestBytes.of('T').i32(1).i8(3).i32(REL).build());
		samples.add(TestBytes.of('M').i8(1).i64(0x30).str("p").i32(3).bytes(new byte[] { 1, 2, 3 }).build());
		samples.add(TestBytes.of('S').i32(7).i8(1).build());
		samples.add(TestBytes.of('c').i32(7).i8(0).i64(0x10).i64(0x20).i64(1).build());
		samples.add(TestBytes.of('A').i32(7).i32(8).i64(0x40).i64(2).build());
		samples.add(TestBytes.of('b').i64(0x10).i64(0x20).i64(1).i32(7).str("gid").build());
		samples.add(TestBytes.of('P').i8(0).i64(0x10).i64(0x20).i64(1).i32(7).str("gid").build());
		samples.add(TestBytes.of('K').i8(0).i64(0x10).i64(0x20).i64(1).i32(7).str("gid").build());
		samples.add(TestBytes.of('r').i8(0).i64(0x10).i64(0x20).i64(1).i64(2).i32(7).str("gid").build());
		samples.add(TestBytes.of('p').i8(0).i64(0x10).i64(0x20).i64(1).i32(7).str("gid").build());
		return samples;
	}

	@Test
	void begin() {
		BeginMessage m = (BeginMessage) this.decoder.decode(TestBytes.of('B').i64(0x1_00000010L).i64(1_000_000).i32(-5).build());
		assertThat(m.finalLsn()).isEqualTo(Lsn.parse("1/10"));
		assertThat(m.commitTime()).isEqualTo(Instant.parse("2000-01-01T00:00:01Z"));
		assertThat(m.xid()).isEqualTo(-5);
		assertThat(Integer.toUnsignedLong(m.xid())).isEqualTo(4294967291L);
	}

	@Test
	void commit() {
		CommitMessage m = (CommitMessage) this.decoder.decode(TestBytes.of('C').i8(0).i64(0x10).i64(0x20).i64(2).build());
		assertThat(m).isEqualTo(new CommitMessage(0, Lsn.of(0x10), Lsn.of(0x20), 2));
	}

	@Test
	void origin() {
		OriginMessage m = (OriginMessage) this.decoder.decode(TestBytes.of('O').i64(0x10).str("pg_16390").build());
		assertThat(m).isEqualTo(new OriginMessage(Lsn.of(0x10), "pg_16390"));
	}

	@Test
	void relationIsCachedAndDescribesColumns() {
		RelationMessage m = knownRelation();
		assertThat(m.relationId()).isEqualTo(REL);
		assertThat(m.qualifiedName()).isEqualTo("public.orders");
		assertThat(m.replicaIdentity()).isEqualTo('d');
		assertThat(m.columns()).containsExactly(new RelationMessage.Column(true, "id", 20, -1),
				new RelationMessage.Column(false, "note", 25, -1), new RelationMessage.Column(false, "amount", 1700, 655366));
		assertThat(m.indexOf("amount")).isEqualTo(2);
		assertThat(m.indexOf("missing")).isEqualTo(-1);
		assertThat(this.decoder.relation(REL)).isSameAs(m);
	}

	@Test
	void typeMessage() {
		TypeMessage m = (TypeMessage) this.decoder.decode(TestBytes.of('Y').i32(99999).str("").str("mood").build());
		assertThat(m).isEqualTo(new TypeMessage(0, 99999, "", "mood"));
		assertThat(this.decoder.typeInfo(99999)).isEqualTo(m);
	}

	@Test
	void insertWithNullAndUnchangedToastColumns() {
		knownRelation();
		InsertMessage m = (InsertMessage) this.decoder.decode(tuple(TestBytes.of('I').i32(REL).i8('N')).build());
		assertThat(m.xid()).isZero();
		assertThat(m.newTuple().size()).isEqualTo(3);
		assertThat(m.newTuple().kind(0)).isEqualTo(TupleData.Kind.TEXT);
		assertThat(m.newTuple().text(0)).isEqualTo("42");
		assertThat(m.newTuple().kind(1)).isEqualTo(TupleData.Kind.NULL);
		assertThat(m.newTuple().kind(2)).isEqualTo(TupleData.Kind.UNCHANGED_TOAST);
		assertThat(m.newTuple().text(1)).isNull();
		Row row = m.newRow();
		assertThat(row.isNull("note")).isTrue();
		assertThat(row.isUnchangedToast("note")).isFalse();
		assertThat(row.isUnchangedToast("amount")).isTrue();
		assertThat(row.getText("id")).isEqualTo("42");
		assertThat(m.newTuple()).hasToString("TupleData['42', NULL, <unchanged toast>]");
	}

	@Test
	void binaryTupleColumnKeepsBytesInPlace() {
		knownRelation();
		byte[] bytes = TestBytes.of('I').i32(REL).i8('N').i16(3).i8('b').i32(8).i64(42).i8('n').i8('n').build();
		InsertMessage m = (InsertMessage) this.decoder.decode(bytes);
		assertThat(m.newTuple().kind(0)).isEqualTo(TupleData.Kind.BINARY);
		assertThat(m.newTuple().buffer()).isSameAs(bytes);
		assertThat(m.newTuple().valueOffset(0)).isEqualTo(13);
		assertThat(m.newTuple().valueLength(0)).isEqualTo(8);
		assertThat(m.newTuple().bytes(0)).containsExactly(0, 0, 0, 0, 0, 0, 0, 42);
	}

	@Test
	void updateVariants() {
		knownRelation();
		UpdateMessage plain = (UpdateMessage) this.decoder.decode(tuple(TestBytes.of('U').i32(REL).i8('N')).build());
		assertThat(plain.oldTupleType()).isEqualTo((char) 0);
		assertThat(plain.oldTuple()).isNull();
		UpdateMessage key = (UpdateMessage) this.decoder
			.decode(tuple(TestBytes.of('U').i32(REL).i8('K').i16(3).text("41").i8('n').i8('n').i8('N')).build());
		assertThat(key.oldTupleType()).isEqualTo('K');
		assertThat(key.oldTuple().text(0)).isEqualTo("41");
		assertThat(key.newTuple().text(0)).isEqualTo("42");
		UpdateMessage full = (UpdateMessage) this.decoder
			.decode(tuple(tuple(TestBytes.of('U').i32(REL).i8('O')).i8('N')).build());
		assertThat(full.oldTupleType()).isEqualTo('O');
	}

	@Test
	void deleteVariants() {
		knownRelation();
		DeleteMessage key = (DeleteMessage) this.decoder.decode(tuple(TestBytes.of('D').i32(REL).i8('K')).build());
		assertThat(key.oldTupleType()).isEqualTo('K');
		DeleteMessage full = (DeleteMessage) this.decoder.decode(tuple(TestBytes.of('D').i32(REL).i8('O')).build());
		assertThat(full.oldTupleType()).isEqualTo('O');
		assertThatThrownBy(() -> this.decoder.decode(tuple(TestBytes.of('D').i32(REL).i8('N')).build()))
			.isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
				assertThat(ex.messageType()).isEqualTo('D');
				assertThat(ex.offset()).isEqualTo(5);
			});
	}

	@Test
	void truncateFlags() {
		knownRelation();
		TruncateMessage m = (TruncateMessage) this.decoder.decode(TestBytes.of('T').i32(1).i8(3).i32(REL).build());
		assertThat(m.cascade()).isTrue();
		assertThat(m.restartIdentity()).isTrue();
		assertThat(m.relations()).extracting(RelationMessage::name).containsExactly("orders");
		TruncateMessage none = (TruncateMessage) this.decoder.decode(TestBytes.of('T').i32(1).i8(0).i32(REL).build());
		assertThat(none.cascade()).isFalse();
		assertThat(none.restartIdentity()).isFalse();
	}

	@Test
	void logicalDecodingMessage() {
		LogicalDecodingMessage m = (LogicalDecodingMessage) this.decoder
			.decode(TestBytes.of('M').i8(0).i64(0x30).str("audit").i32(2).bytes(new byte[] { 'h', 'i' }).build());
		assertThat(m.transactional()).isFalse();
		assertThat(m.lsn()).isEqualTo(Lsn.of(0x30));
		assertThat(m.prefix()).isEqualTo("audit");
		assertThat(m.contentAsString()).isEqualTo("hi");
		assertThat(m).isEqualTo(new LogicalDecodingMessage(0, false, Lsn.of(0x30), "audit", new byte[] { 'h', 'i' }));
	}

	@Test
	void streamedBlockMessagesCarryTheXid() {
		StreamStartMessage start = (StreamStartMessage) this.decoder.decode(TestBytes.of('S').i32(700).i8(1).build());
		assertThat(start).isEqualTo(new StreamStartMessage(700, true));
		assertThat(this.decoder.inStreamBlock()).isTrue();
		RelationMessage relation = (RelationMessage) this.decoder.decode(relation(700, true));
		assertThat(relation.xid()).isEqualTo(700);
		InsertMessage insert = (InsertMessage) this.decoder.decode(tuple(TestBytes.of('I').i32(700).i32(REL).i8('N')).build());
		assertThat(insert.xid()).isEqualTo(700);
		TypeMessage type = (TypeMessage) this.decoder.decode(TestBytes.of('Y').i32(700).i32(5).str("s").str("t").build());
		assertThat(type.xid()).isEqualTo(700);
		LogicalDecodingMessage message = (LogicalDecodingMessage) this.decoder
			.decode(TestBytes.of('M').i32(700).i8(1).i64(1).str("p").i32(0).build());
		assertThat(message.xid()).isEqualTo(700);
		TruncateMessage truncate = (TruncateMessage) this.decoder.decode(TestBytes.of('T').i32(700).i32(1).i8(0).i32(REL).build());
		assertThat(truncate.xid()).isEqualTo(700);
		assertThat(this.decoder.decode(new byte[] { 'E' })).isInstanceOf(StreamStopMessage.class);
		assertThat(this.decoder.inStreamBlock()).isFalse();
		// outside the block the xid is absent again
		InsertMessage after = (InsertMessage) this.decoder.decode(tuple(TestBytes.of('I').i32(REL).i8('N')).build());
		assertThat(after.xid()).isZero();
		StreamStartMessage next = (StreamStartMessage) this.decoder.decode(TestBytes.of('S').i32(700).i8(0).build());
		assertThat(next.firstSegment()).isFalse();
	}

	@Test
	void streamCommitAndAbortV2AndV4() {
		StreamCommitMessage commit = (StreamCommitMessage) this.decoder
			.decode(TestBytes.of('c').i32(7).i8(0).i64(0x10).i64(0x20).i64(3).build());
		assertThat(commit).isEqualTo(new StreamCommitMessage(7, 0, Lsn.of(0x10), Lsn.of(0x20), 3));
		StreamAbortMessage v2 = (StreamAbortMessage) this.decoder.decode(TestBytes.of('A').i32(7).i32(8).build());
		assertThat(v2).isEqualTo(new StreamAbortMessage(7, 8, Lsn.INVALID, 0));
		assertThat(v2.hasAbortPosition()).isFalse();
		StreamAbortMessage v4 = (StreamAbortMessage) this.decoder.decode(TestBytes.of('A').i32(7).i32(7).i64(0x40).i64(5).build());
		assertThat(v4.abortLsn()).isEqualTo(Lsn.of(0x40));
		assertThat(v4.abortTimeMicros()).isEqualTo(5);
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('A').i32(7).i32(7).i32(1).build()))
			.isInstanceOf(ProtocolException.class);
	}

	@Test
	void twoPhaseMessages() {
		BeginPrepareMessage begin = (BeginPrepareMessage) this.decoder
			.decode(TestBytes.of('b').i64(0x10).i64(0x20).i64(1).i32(7).str("gid-1").build());
		assertThat(begin).isEqualTo(new BeginPrepareMessage(Lsn.of(0x10), Lsn.of(0x20), 1, 7, "gid-1"));
		PrepareMessage prepare = (PrepareMessage) this.decoder
			.decode(TestBytes.of('P').i8(0).i64(0x10).i64(0x20).i64(1).i32(7).str("gid-1").build());
		assertThat(prepare).isEqualTo(new PrepareMessage(0, Lsn.of(0x10), Lsn.of(0x20), 1, 7, "gid-1"));
		CommitPreparedMessage commit = (CommitPreparedMessage) this.decoder
			.decode(TestBytes.of('K').i8(0).i64(0x30).i64(0x40).i64(2).i32(7).str("gid-1").build());
		assertThat(commit).isEqualTo(new CommitPreparedMessage(0, Lsn.of(0x30), Lsn.of(0x40), 2, 7, "gid-1"));
		RollbackPreparedMessage rollback = (RollbackPreparedMessage) this.decoder
			.decode(TestBytes.of('r').i8(0).i64(0x20).i64(0x50).i64(1).i64(3).i32(7).str("gid-1").build());
		assertThat(rollback).isEqualTo(new RollbackPreparedMessage(0, Lsn.of(0x20), Lsn.of(0x50), 1, 3, 7, "gid-1"));
		StreamPrepareMessage streamPrepare = (StreamPrepareMessage) this.decoder
			.decode(TestBytes.of('p').i8(0).i64(0x10).i64(0x20).i64(1).i32(7).str("gid-2").build());
		assertThat(streamPrepare.gid()).isEqualTo("gid-2");
	}

	@Test
	void rowMessageForUnknownRelationIsAProtocolError() {
		assertThatThrownBy(() -> this.decoder.decode(tuple(TestBytes.of('I').i32(777).i8('N')).build()))
			.isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
				assertThat(ex.messageType()).isEqualTo('I');
				assertThat(ex.offset()).isEqualTo(1);
				assertThat(ex.getMessage()).contains("unknown relation OID 777");
			});
	}

	@Test
	void tupleWithWrongColumnCountIsRejected() {
		knownRelation();
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('I').i32(REL).i8('N').i16(2).i8('n').i8('n').build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("tuple has 2 columns but relation public.orders has 3");
	}

	@Test
	void hugeCountsAreRejectedBeforeAllocating() {
		knownRelation();
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('R').i32(1).str("s").str("t").i8('d').i16(32767).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("column count 32767 exceeds");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('T').i32(Integer.MAX_VALUE).i8(0).i32(REL).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("relation count");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('I').i32(REL).i8('N').i16(3).i8('t').i32(Integer.MAX_VALUE).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("truncated");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('I').i32(REL).i8('N').i16(3).i8('t').i32(-1).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("negative length");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('M').i8(0).i64(1).str("p").i32(Integer.MIN_VALUE).build()))
			.isInstanceOf(ProtocolException.class);
	}

	@Test
	void garbageIsRejectedWithTypeAndOffset() {
		knownRelation();
		assertThatThrownBy(() -> this.decoder.decode(new byte[] { 'Z', 1, 2 }))
			.isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
				assertThat(ex.messageType()).isEqualTo('Z');
				assertThat(ex.offset()).isZero();
			})
			.hasMessageContaining("unknown pgoutput message type 0x5a");
		assertThatThrownBy(() -> this.decoder.decode(new byte[0])).isInstanceOf(ProtocolException.class);
		assertThatThrownBy(() -> this.decoder.decode(tuple(TestBytes.of('I').i32(REL).i8('X')).build()))
			.hasMessageContaining("expected tuple marker 'N'");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('I').i32(REL).i8('N').i16(3).i8('q').i8('n').i8('n').build()))
			.isInstanceOfSatisfying(ProtocolException.class, (ex) -> assertThat(ex.offset()).isEqualTo(8))
			.hasMessageContaining("unknown tuple column kind 0x71");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('R').i32(1).str("s").str("t").i8('x').i16(0).build()))
			.hasMessageContaining("replica identity");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('B').i64(1).i64(2).i32(3).i8(0).build()))
			.hasMessageContaining("trailing");
		assertThatThrownBy(() -> this.decoder.decode(TestBytes.of('O').i64(1).bytes(new byte[] { 'n', 'o', 'n', 'u', 'l' }).build()))
			.hasMessageContaining("NUL terminator");
	}

	@Test
	void everyTruncationOfEveryMessageIsAProtocolException() {
		for (byte[] sample : samples()) {
			PgOutputDecoder fresh = new PgOutputDecoder();
			fresh.decode(relation(0, false));
			assertThat(fresh.decode(sample).type()).isEqualTo((char) sample[0]);
			for (int len = 1; len < sample.length; len++) {
				int length = len;
				if (sample[0] == 'A' && length == 9) {
					continue; // xid + subXid alone is the valid protocol 2 form of Stream Abort
				}
				byte[] truncated = Arrays.copyOf(sample, length);
				PgOutputDecoder d = new PgOutputDecoder();
				d.decode(relation(0, false));
				assertThatThrownBy(() -> d.decode(truncated)).as("%s truncated to %d", (char) sample[0], length)
					.isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
						assertThat(ex.messageType()).isEqualTo((char) sample[0]);
						assertThat(ex.offset()).isBetween(0, length);
					});
			}
		}
	}

	@Test
	void everyMessageKnowsItsKindAndWhetherItEndsATransaction() {
		java.util.Set<PgOutputMessageType> seen = java.util.EnumSet.noneOf(PgOutputMessageType.class);
		List<byte[]> all = new java.util.ArrayList<>(samples());
		all.add(new byte[] { 'E' }); // Stream Stop has no fields
		for (byte[] sample : all) {
			PgOutputDecoder fresh = new PgOutputDecoder();
			fresh.decode(relation(0, false));
			PgOutputMessage message = fresh.decode(sample);
			PgOutputMessageType kind = message.messageType();
			seen.add(kind);
			assertThat(kind.code()).isEqualTo((char) sample[0]);
			assertThat(PgOutputMessageType.of(kind.code())).isSameAs(kind);
			assertThat(message.transactionEnd() != null).as("transactionEnd of %s", kind).isEqualTo(kind.endsTransaction());
			assertThat(kind.beginsTransaction()).as(kind.typeName())
				.isEqualTo(message instanceof BeginMessage || message instanceof BeginPrepareMessage);
		}
		assertThat(seen).as("the samples cover every kind").containsExactlyInAnyOrder(PgOutputMessageType.values());
		assertThat(java.util.Arrays.stream(PgOutputMessageType.values()).map(PgOutputMessageType::typeName).distinct())
			.hasSize(PgOutputMessageType.values().length);
		assertThat(PgOutputMessageType.of('Z')).isNull();
		assertThat(PgOutputMessageType.of('\u00ff')).isNull();
		assertThat(PgOutputMessageType.STREAM_COMMIT).hasToString("stream_commit");
	}

}
