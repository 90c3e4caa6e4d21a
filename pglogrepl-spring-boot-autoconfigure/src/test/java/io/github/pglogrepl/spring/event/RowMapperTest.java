package io.github.pglogrepl.spring.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;

import io.github.pglogrepl.TestBytes;
import io.github.pglogrepl.pgoutput.InsertMessage;
import io.github.pglogrepl.pgoutput.PgOutputDecoder;
import io.github.pglogrepl.pgoutput.Row;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Mapping rows to records and beans, on rows decoded from pgoutput bytes (Relation + Insert messages as the
 * server sends them; no server needed to check the mapping rules).
 */
class RowMapperTest {

	private static final ConversionService CONVERSION = ApplicationConversionService.getSharedInstance();

	/** Components in another order than the columns, camelCase for snake_case, primitives, conversions. */
	record Order(String customerName, long id, int qty, BigDecimal price, Instant createdAt, boolean paid,
			String notInTable) {
	}

	/** A record whose canonical constructor validates. */
	record Positive(long id) {

		Positive {
			if (id <= 0) {
				throw new IllegalArgumentException("id must be positive");
			}
		}

	}

	/** A bean with a primitive property. */
	public static class OrderBeanWithPrimitive {

		private int qty;

		public void setQty(int qty) {
			this.qty = qty;
		}

	}

	/** A bean with a snake_case property name and a camelCase one. */
	public static class OrderBean {

		private Long id;

		private String customerName;

		private Integer qty;

		public void setId(Long id) {
			this.id = id;
		}

		public void setCustomerName(String customerName) {
			this.customerName = customerName;
		}

		public void setQty(Integer qty) {
			this.qty = qty;
		}

	}

	private final PgOutputDecoder decoder = new PgOutputDecoder();

	// columns: id int8, customer_name text, qty int4, price numeric, created_at timestamptz, paid bool
	private static final Object[][] COLUMNS = { { "id", 20 }, { "customer_name", 25 }, { "qty", 23 }, { "price", 1700 },
			{ "created_at", 1184 }, { "paid", 16 } };

	private Row row(int relationId, Object[][] columns, String... values) {
		this.decoder.decode(relation(relationId, columns));
		return ((InsertMessage) this.decoder.decode(insert(relationId, values))).newRow();
	}

	private static ChangeRow changeRow(Row row) {
		return new ChangeRow(row, CONVERSION);
	}

	@Test
	void recordComponentsAreFilledByNameWithConversion() {
		Row row = row(1, COLUMNS, "42", "Ada", "3", "12.50", "2024-05-01 10:00:00+02", "t");
		Order order = RowMapper.map(changeRow(row), Order.class, CONVERSION);
		assertThat(order).isEqualTo(new Order("Ada", 42L, 3, new BigDecimal("12.50"),
				OffsetDateTime.parse("2024-05-01T10:00:00+02:00").toInstant(), true, null));
	}

	@Test
	void aNullColumnForAPrimitiveIsRefusedUnlessPrimitivesAreDefaulted() {
		Row row = row(1, COLUMNS, "7", null, null, null, null, null);
		assertThatIllegalArgumentException().isThrownBy(() -> RowMapper.map(changeRow(row), Order.class, CONVERSION))
			.withMessageContaining("public.t1")
			.withMessageContaining(Order.class.getName())
			.withMessageContaining("column qty is NULL but qty is a primitive int")
			.withMessageContaining("use Integer")
			.withMessageContaining("pglogrepl.mapping.primitives-defaulted-for-null-value=true");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RowMapper.map(changeRow(row), OrderBeanWithPrimitive.class, CONVERSION))
			.withMessageContaining("column qty is NULL but qty is a primitive int");
		ChangeRow defaulted = new ChangeRow(row, CONVERSION, false, true);
		assertThat(RowMapper.map(defaulted, Order.class, CONVERSION))
			.isEqualTo(new Order(null, 7L, 0, null, null, false, null));
		assertThat(RowMapper.map(defaulted, OrderBeanWithPrimitive.class, CONVERSION).qty).isZero();
		// wrapper types take the NULL
		assertThat(RowMapper.map(changeRow(row), OrderBean.class, CONVERSION).qty).isNull();
	}

	@Test
	void aKeyOnlyRowTellsUnsentColumnsFromNulls() {
		Row row = row(4, COLUMNS, "7", null, null, null, null, null);
		ChangeRow key = new ChangeRow(row, CONVERSION, true, false);
		assertThat(key.isKeyOnly()).isTrue();
		assertThat(key.isSent("id")).isTrue();
		assertThat(key.isSent("qty")).isFalse();
		assertThat(key.isNull("qty")).as("not sent is no NULL").isFalse();
		assertThat(key.unsentColumns()).containsExactly("customer_name", "qty", "price", "created_at", "paid");
		assertThatIllegalArgumentException().isThrownBy(() -> key.as(Order.class))
			.withMessageContaining("column qty was not sent by the server (a key-only old row")
			.withMessageContaining("REPLICA IDENTITY FULL");
		ChangeRow whole = changeRow(row);
		assertThat(whole.isNull("qty")).isTrue();
		assertThat(whole.unsentColumns()).isEmpty();
	}

	@Test
	void theSameRecordMapsRowsOfDifferentRelationsByTheirOwnColumnOrder() {
		Object[][] reordered = { { "paid", 16 }, { "qty", 23 }, { "id", 20 } };
		Row first = row(1, COLUMNS, "1", "A", "10", "1.00", "2024-01-01 00:00:00+00", "f");
		Row second = row(2, reordered, "t", "20", "2");
		Row third = row(1, COLUMNS, "3", "C", "30", "3.00", "2024-01-01 00:00:00+00", "f");
		assertThat(RowMapper.map(changeRow(first), Order.class, CONVERSION).qty()).isEqualTo(10);
		Order fromSecond = RowMapper.map(changeRow(second), Order.class, CONVERSION);
		assertThat(fromSecond.id()).isEqualTo(2L);
		assertThat(fromSecond.qty()).isEqualTo(20);
		assertThat(fromSecond.paid()).isTrue();
		assertThat(fromSecond.customerName()).isNull();
		assertThat(RowMapper.map(changeRow(third), Order.class, CONVERSION).id()).isEqualTo(3L);
	}

	@Test
	void beansAreFilledThroughTheirSetters() {
		Row row = row(1, COLUMNS, "5", "Bob", "9", "1.00", "2024-01-01 00:00:00+00", "f");
		OrderBean bean = RowMapper.map(changeRow(row), OrderBean.class, CONVERSION);
		assertThat(bean.id).isEqualTo(5L);
		assertThat(bean.customerName).isEqualTo("Bob");
		assertThat(bean.qty).isEqualTo(9);
	}

	@Test
	void failuresNameTheTableAndTheTypeAndKeepTheCause() {
		Row row = row(1, COLUMNS, "-1", "A", "1", "1.00", "2024-01-01 00:00:00+00", "f");
		assertThatIllegalArgumentException().isThrownBy(() -> RowMapper.map(changeRow(row), Positive.class, CONVERSION))
			.withMessageContaining("public.t1")
			.withMessageContaining(Positive.class.getName())
			.withMessageContaining("id must be positive")
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class);
		Object[][] text = { { "id", 25 } };
		Row notANumber = row(3, text, "abc");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RowMapper.map(changeRow(notANumber), Positive.class, CONVERSION))
			.withMessageContaining("public.t3");
	}

	private static byte[] relation(int relationId, Object[][] columns) {
		TestBytes b = TestBytes.of('R').i32(relationId).str("public").str("t" + relationId).i8('d').i16(columns.length);
		for (Object[] c : columns) {
			// id is the replica identity (key flag)
			b.i8("id".equals(c[0]) ? 1 : 0).str((String) c[0]).i32((Integer) c[1]).i32(-1);
		}
		return b.build();
	}

	private static byte[] insert(int relationId, String... values) {
		TestBytes b = TestBytes.of('I').i32(relationId).i8('N').i16(values.length);
		for (String v : values) {
			if (v == null) {
				b.i8('n');
			}
			else {
				b.text(v);
			}
		}
		return b.build();
	}

}
