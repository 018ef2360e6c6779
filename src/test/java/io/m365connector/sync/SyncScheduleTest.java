package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClientBuilder;
import io.m365connector.testing.Azurite;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The timer's due entries over Azurite: a backlog in the first shards must not starve the last ones, tick after tick. */
class SyncScheduleTest {
    private static final Instant NOW = Instant.parse("2027-01-04T09:00:00Z");

    private final TableClient table = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString()).buildClient()
            .createTableIfNotExists("syncdue" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    private final SyncSchedule schedule = new SyncSchedule(table);

    @Test
    void whenTheFirstShardHasMoreDueThanATickTakesThenTheLastShardsEntryIsTakenInTheSameTick() {
        for (int i = 0; i < 5; i++) {
            schedule.add(connection(i, '0'), SyncTarget.own(SyncResource.INBOX), NOW.minusSeconds(60 - i));
        }
        String last = connection(9, 'f');
        schedule.add(last, SyncTarget.shared(SyncResource.INBOX, "sales@contoso.com"), NOW.minusSeconds(1));

        List<SyncSchedule.Due> due = schedule.due(NOW, 4);

        assertEquals(4, due.size(), due.toString());
        assertTrue(due.stream().anyMatch(d -> d.connectionId().equals(last) && d.target().mailbox().equals("sales@contoso.com")),
                "the last shard's share: " + due);
        assertEquals(3, due.stream().filter(d -> d.connectionId().endsWith("0")).count(), "the rest of the limit to the first shard");
        assertEquals(due.size(), new HashSet<>(due).size(), "no entry twice across the two passes");
    }

    @Test
    void whenFewerAreDueThanTheLimitThenEachIsTakenOnceAndNothingNotYetDue() {
        for (int i = 0; i < 3; i++) {
            schedule.add(connection(i, '0'), SyncTarget.own(SyncResource.CALENDAR), NOW.minusSeconds(10 + i));
            schedule.add(connection(i, '7'), SyncTarget.own(SyncResource.INBOX), NOW);
        }
        schedule.add(connection(5, '7'), SyncTarget.own(SyncResource.INBOX), NOW.plusMillis(1));

        List<SyncSchedule.Due> due = schedule.due(NOW, 16);

        assertEquals(6, due.size(), due.toString());
        assertEquals(6, new HashSet<>(due).size());
    }

    /** A connection id whose last hex digit (its shard) is {@code shard}. */
    private static String connection(int n, char shard) {
        return "con_" + String.format("%031d", n) + shard;
    }
}
