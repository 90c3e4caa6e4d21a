package io.github.pglogrepl.protocol;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.Lsn;
import io.github.pglogrepl.TestBytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationMessageTest {

	@Test
	void parsesXLogDataWithoutCopyingTheData() {
		byte[] bytes = TestBytes.of('w').i64(0x1_00000010L).i64(0x1_00000020L).i64(725_000_000_123_456L)
			.bytes(new byte[] { 'B', 1, 2, 3 }).build();
		XLogData data = (XLogData) ReplicationMessage.parse(bytes);
		assertThat(data.walStart()).isEqualTo(Lsn.parse("1/10"));
		assertThat(data.serverWalEnd()).isEqualTo(Lsn.parse("1/20"));
		assertThat(data.serverTimeMicros()).isEqualTo(725_000_000_123_456L);
		assertThat(data.serverTime()).isEqualTo(Instant.parse("2022-12-22T04:53:20.123456Z"));
		assertThat(data.buffer()).isSameAs(bytes);
		assertThat(data.dataOffset()).isEqualTo(25);
		assertThat(data.dataLength()).isEqualTo(4);
		assertThat(data.dataBytes()).containsExactly('B', 1, 2, 3);
		ByteBuffer view = data.data();
		assertThat(view.isReadOnly()).isTrue();
		assertThat(view.remaining()).isEqualTo(4);
		assertThat(view.get(0)).isEqualTo((byte) 'B');
		assertThat(data.encode()).isEqualTo(bytes);
	}

	@Test
	void xlogDataWithEmptyPayload() {
		XLogData data = (XLogData) ReplicationMessage.parse(TestBytes.of('w').i64(1).i64(2).i64(3).build());
		assertThat(data.dataLength()).isZero();
	}

	@Test
	void parsesXLogDataAtAnOffset() {
		byte[] inner = TestBytes.of('w').i64(5).i64(6).i64(7).bytes(new byte[] { 9 }).build();
		byte[] buf = new byte[inner.length + 10];
		System.arraycopy(inner, 0, buf, 3, inner.length);
		XLogData data = (XLogData) ReplicationMessage.parse(buf, 3, inner.length);
		assertThat(data.walStart().asLong()).isEqualTo(5);
		assertThat(data.dataOffset()).isEqualTo(28);
		assertThat(data.dataBytes()).containsExactly(9);
	}

	@Test
	void parsesKeepalive() {
		byte[] bytes = TestBytes.of('k').i64(0xABCDEFL).i64(0).i8(1).build();
		PrimaryKeepalive keepalive = (PrimaryKeepalive) ReplicationMessage.parse(bytes);
		assertThat(keepalive.serverWalEnd()).isEqualTo(Lsn.parse("0/ABCDEF"));
		assertThat(keepalive.serverTime()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
		assertThat(keepalive.replyRequested()).isTrue();
		assertThat(keepalive.encode()).isEqualTo(bytes);
		bytes[17] = 0;
		assertThat(((PrimaryKeepalive) ReplicationMessage.parse(bytes)).replyRequested()).isFalse();
	}

	@Test
	void keepaliveWithInvalidFlagOrTrailingBytesIsRejected() {
		assertThatThrownBy(() -> ReplicationMessage.parse(TestBytes.of('k').i64(1).i64(2).i8(7).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("replyRequested");
		assertThatThrownBy(() -> ReplicationMessage.parse(TestBytes.of('k').i64(1).i64(2).i8(0).i8(0).build()))
			.isInstanceOf(ProtocolException.class)
			.hasMessageContaining("trailing");
	}

	@Test
	void everyTruncationIsAPreciseProtocolException() {
		byte[] xlog = TestBytes.of('w').i64(1).i64(2).i64(3).build();
		for (int length = 1; length < xlog.length; length++) {
			int len = length;
			assertThatThrownBy(() -> ReplicationMessage.parse(Arrays.copyOf(xlog, len)))
				.isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
					assertThat(ex.messageType()).isEqualTo('w');
					assertThat(ex.offset()).isBetween(1, 17);
					assertThat(ex.getMessage()).contains("truncated");
				});
		}
		byte[] keepalive = TestBytes.of('k').i64(1).i64(2).i8(0).build();
		for (int length = 1; length < keepalive.length; length++) {
			int len = length;
			assertThatThrownBy(() -> ReplicationMessage.parse(Arrays.copyOf(keepalive, len)))
				.isInstanceOfSatisfying(ProtocolException.class, (ex) -> assertThat(ex.messageType()).isEqualTo('k'));
		}
	}

	@Test
	void unknownTypeEmptyAndOutOfBoundsAreRejected() {
		assertThatThrownBy(() -> ReplicationMessage.parse(new byte[] { 'x', 0 })).isInstanceOf(ProtocolException.class)
			.hasMessageContaining("unknown replication message type 0x78");
		assertThatThrownBy(() -> ReplicationMessage.parse(new byte[0])).isInstanceOf(ProtocolException.class)
			.hasMessageContaining("empty");
		assertThatThrownBy(() -> ReplicationMessage.parse(null)).isInstanceOf(ProtocolException.class);
		assertThatThrownBy(() -> ReplicationMessage.parse(new byte[4], 2, 3)).isInstanceOf(ProtocolException.class)
			.hasMessageContaining("bounds");
		assertThatThrownBy(() -> ReplicationMessage.parse(new byte[4], -1, 2)).isInstanceOf(ProtocolException.class);
	}

	@Test
	void standbyStatusUpdateIsByteExact() {
		StandbyStatusUpdate update = new StandbyStatusUpdate(Lsn.parse("1/2"), Lsn.parse("3/4"), Lsn.parse("5/6"),
				PgTimestamps.toPgMicros(Instant.parse("2024-02-29T12:00:00.000001Z")), true);
		byte[] expected = TestBytes.of('r').i64(0x1_00000002L).i64(0x3_00000004L).i64(0x5_00000006L)
			.i64(762_523_200_000_001L).i8(1).build();
		assertThat(update.encode()).isEqualTo(expected).hasSize(34);
		assertThat(StandbyStatusUpdate.parse(expected)).isEqualTo(update);
		assertThat(update.clientTime()).isEqualTo(Instant.parse("2024-02-29T12:00:00.000001Z"));
		assertThatThrownBy(() -> StandbyStatusUpdate.parse(Arrays.copyOf(expected, 33)))
			.isInstanceOf(ProtocolException.class);
	}

	@Test
	void postgresEpochConversions() {
		assertThat(PgTimestamps.toInstant(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
		assertThat(PgTimestamps.toInstant(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
		assertThat(PgTimestamps.toPgMicros(Instant.parse("1970-01-01T00:00:00Z"))).isEqualTo(-946_684_800_000_000L);
		assertThat(PgTimestamps.toPgMicros(Instant.parse("2000-01-01T00:00:01.0000019Z"))).isEqualTo(1_000_001L);
		long now = PgTimestamps.nowPgMicros();
		assertThat(PgTimestamps.toInstant(now)).isBetween(Instant.now().minusSeconds(5), Instant.now().plusSeconds(1));
	}

}
