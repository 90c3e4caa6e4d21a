package io.github.pglogrepl.spring.stream;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;

import io.github.pglogrepl.spring.StreamTestSupport;
import io.github.pglogrepl.test.RealPostgres;
import io.github.pglogrepl.test.RestartablePostgres.Sql;
import io.github.pglogrepl.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code pglogrepl.slot.failover}: refused with a reason and an action before PostgreSQL 17 and with a temporary
 * slot; on 17+ a new slot is created with {@code FAILOVER} and an existing one is switched with
 * {@code ALTER_REPLICATION_SLOT}; readiness says that {@code synchronized_standby_slots} is empty. Runs on 18 and,
 * in the {@code all-versions} pass, 14.
 */
@RealPostgres
@Tag("all-versions")
class FailoverSlotSetupTest {

	private static ReplicationStreamContainer container(TestPostgres pg, String slot, String publication) {
		StreamContainerProperties properties = new StreamContainerProperties(pg.jdbcUrl(), slot, List.of(publication));
		properties.getConnectionProperties().putAll(pg.properties());
		properties.setSlotFailover(true);
		GenericApplicationContext context = new GenericApplicationContext();
		context.refresh();
		return new ReplicationStreamContainer(properties, context);
	}

	private static String failoverColumn(TestPostgres pg, String slot) {
		return pg.queryString("SELECT failover FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
	}

	@Test
	void failoverSlotIsCreatedOrSwitchedOn17AndRefusedBefore(TestPostgres pg) {
		String publication = StreamTestSupport.tableWithPublication(pg, "id int primary key")[1];
		String created = TestPostgres.uniqueName("fo_new");
		ReplicationStreamContainer container = container(pg, created, publication);
		if (pg.majorVersion() < 17) {
			assertThatThrownBy(container::start).isInstanceOfSatisfying(ReplicationSetupException.class, (ex) -> {
				assertThat(ex.getMessage()).contains("pglogrepl.slot.failover=true needs PostgreSQL 17 or later (server: "
						+ pg.majorVersion() + ")");
				assertThat(ex.action()).contains("Remove pglogrepl.slot.failover");
			});
			assertThat(pg.queryString("SELECT slot_name FROM pg_replication_slots WHERE slot_name = '" + created + "'"))
				.as("nothing created").isNull();
			return;
		}
		String existing = TestPostgres.uniqueName("fo_old");
		pg.queryString("SELECT pg_create_logical_replication_slot('" + existing + "', 'pgoutput')");
		try {
			container.start();
			try {
				assertThat(failoverColumn(pg, created)).isEqualTo("t");
				FailoverReadiness readiness = container.failoverReadiness();
				assertThat(readiness.slotFailover()).isTrue();
				assertThat(readiness.synchronizedStandbySlots()).isEmpty();
				assertThat(readiness.standbySynchronized()).isFalse();
				assertThat(readiness.standbys()).isEmpty();
				assertThat(readiness.warning()).contains("synchronized_standby_slots is empty")
					.contains("lost");
				assertThat(readiness.toMap()).containsEntry("slot_failover", true).containsKey("warning");
				assertThat(container.failoverHistory().timeline()).isPositive();
			}
			finally {
				container.stop();
			}
			assertThat(failoverColumn(pg, existing)).isEqualTo("f");
			ReplicationStreamContainer switching = container(pg, existing, publication);
			switching.start();
			switching.stop();
			assertThat(failoverColumn(pg, existing)).isEqualTo("t");
		}
		finally {
			Sql.dropSlotQuietly(pg::connect, created);
			Sql.dropSlotQuietly(pg::connect, existing);
		}
	}

	@Test
	void failoverWithATemporarySlotIsRefused(TestPostgres pg) {
		String publication = StreamTestSupport.tableWithPublication(pg, "id int primary key")[1];
		ReplicationStreamContainer container = container(pg, TestPostgres.uniqueName("fo_tmp"), publication);
		container.getContainerProperties().setSlotCreation(SlotCreation.TEMPORARY);
		assertThatThrownBy(container::start).isInstanceOf(ReplicationSetupException.class)
			.hasMessageContaining((pg.majorVersion() < 17) ? "needs PostgreSQL 17" : "a temporary slot cannot be synchronised");
	}

}
