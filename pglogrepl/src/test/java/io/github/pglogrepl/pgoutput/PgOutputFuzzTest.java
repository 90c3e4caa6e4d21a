package io.github.pglogrepl.pgoutput;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.github.pglogrepl.protocol.ProtocolException;
import io.github.pglogrepl.protocol.ReplicationMessage;
import io.github.pglogrepl.types.ValueDecodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random and mutated messages: the decoder either decodes them or throws {@link ProtocolException}; decoding
 * every value of a decoded row either works or throws {@link ValueDecodingException}. Nothing else escapes.
 * The seed is fixed for reproducibility; set {@code -Dpglogrepl.fuzz.seed} and {@code -Dpglogrepl.fuzz.cases}
 * to explore.
 */
class PgOutputFuzzTest {

	private static final long SEED = Long.getLong("pglogrepl.fuzz.seed", 20261126L);

	private static final int CASES = Integer.getInteger("pglogrepl.fuzz.cases", 200_000);

	@Test
	void randomAndMutatedMessagesOnlyRaiseTheDocumentedException() {
		SplittableRandom random = new SplittableRandom(SEED);
		List<byte[]> samples = PgOutputDecoderTest.samples();
		char[] types = "BCORYIUDTMSEcAbPKrpwkZ".toCharArray();
		int decoded = 0;
		int rejected = 0;
		for (int i = 0; i < CASES; i++) {
			byte[] input;
			if ((i & 1) == 0) {
				input = samples.get(random.nextInt(samples.size())).clone();
				int mutations = 1 + random.nextInt(4);
				for (int m = 0; m < mutations; m++) {
					switch (random.nextInt(4)) {
						case 0 -> input[random.nextInt(input.length)] = (byte) random.nextInt(256);
						case 1 -> input[random.nextInt(input.length)] = (byte) (random.nextBoolean() ? 0xFF : 0x7F);
						case 2 -> input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
						default -> input = java.util.Arrays.copyOf(input, input.length + random.nextInt(8));
					}
					if (input.length == 0) {
						break;
					}
				}
			}
			else {
				input = new byte[random.nextInt(64)];
				random.nextBytes(input);
				if (input.length > 0) {
					input[0] = (byte) types[random.nextInt(types.length)];
				}
			}
			PgOutputDecoder decoder = new PgOutputDecoder();
			decoder.decode(PgOutputDecoderTest.relation(0, false));
			if (random.nextInt(4) == 0) {
				decoder.decode(new byte[] { 'S', 0, 0, 0, 7, 1 });
			}
			try {
				PgOutputMessage message = decoder.decode(input);
				decoded++;
				touchValues(message);
			}
			catch (ProtocolException ex) {
				rejected++;
				assertThat(ex.offset()).isBetween(0, input.length);
			}
			catch (ValueDecodingException ex) {
				rejected++;
			}
			catch (RuntimeException | Error ex) {
				fail("Undocumented " + ex + " for input " + java.util.HexFormat.of().formatHex(input), ex);
			}
			try {
				ReplicationMessage.parse(input);
			}
			catch (ProtocolException ex) {
				// documented
			}
			catch (RuntimeException | Error ex) {
				fail("Undocumented " + ex + " from ReplicationMessage.parse for " + java.util.HexFormat.of().formatHex(input), ex);
			}
		}
		assertThat(decoded).isPositive();
		assertThat(rejected).isPositive();
		assertThat(decoded + rejected).isGreaterThanOrEqualTo(CASES);
	}

	private static void touchValues(PgOutputMessage message) {
		Row row = null;
		if (message instanceof InsertMessage m) {
			row = m.newRow();
		}
		else if (message instanceof UpdateMessage m) {
			row = m.newRow();
		}
		else if (message instanceof DeleteMessage m) {
			row = m.oldRow();
		}
		if (row != null) {
			for (int i = 0; i < row.size(); i++) {
				row.get(i);
			}
			row.toString();
		}
	}

}
