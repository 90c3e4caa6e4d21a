package io.github.pglogrepl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LsnTest {

	@Test
	void parsesAndFormatsLikePostgres() {
		Lsn lsn = Lsn.parse("16/B374D848");
		assertThat(lsn.asLong()).isEqualTo(0x16_B374D848L);
		assertThat(lsn).hasToString("16/B374D848");
		assertThat(Lsn.parse("0/0")).isSameAs(Lsn.INVALID);
		assertThat(Lsn.INVALID.isValid()).isFalse();
		assertThat(Lsn.parse("0/1A")).hasToString("0/1A");
		assertThat(Lsn.parse("00000000/0000001a")).isEqualTo(Lsn.of(0x1A));
		assertThat(Lsn.of(-1L)).hasToString("FFFFFFFF/FFFFFFFF");
		assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").asLong()).isEqualTo(-1L);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "0/", "/0", "1/2/3", "G/0", "0/-1", "123456789/0", "0/123456789", " 0/1", "0/1 ",
			"0x1/2", "+1/2", "1//2", "１/2" })
	void rejectsMalformedText(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Lsn.parse(text))
			.withMessageContaining("Invalid LSN '" + text + "'")
			.withMessageContaining("XXXXXXXX/XXXXXXXX");
	}

	@Test
	void rejectsNull() {
		assertThatIllegalArgumentException().isThrownBy(() -> Lsn.parse(null)).withMessageContaining("null");
	}

	@Test
	void comparesUnsigned() {
		Lsn low = Lsn.parse("7FFFFFFF/FFFFFFFF");
		Lsn high = Lsn.parse("80000000/0");
		assertThat(high).isGreaterThan(low);
		assertThat(high.isAfter(low)).isTrue();
		assertThat(low.isBefore(high)).isTrue();
		assertThat(Lsn.max(low, high)).isSameAs(high);
		assertThat(Lsn.parse("1/0").compareTo(Lsn.parse("0/FFFFFFFF"))).isPositive();
	}

	@Test
	void arithmeticInBytes() {
		Lsn a = Lsn.parse("0/FFFFFFF0");
		Lsn b = a.plus(0x20);
		assertThat(b).hasToString("1/10");
		assertThat(b.minus(0x20)).isEqualTo(a);
		assertThat(b.bytesSince(a)).isEqualTo(0x20);
		assertThat(a.bytesSince(b)).isEqualTo(-0x20);
		assertThat(a.plus(0)).isEqualTo(a).hasSameHashCodeAs(a);
	}

}
