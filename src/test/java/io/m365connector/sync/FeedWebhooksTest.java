package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Json;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run's changes become connection.changes events: at most 50 changes and 16 KiB of them each, cursors chained. */
class FeedWebhooksTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final ClockedWorkQueue queue = new ClockedWorkQueue(clock);
    private final FeedWebhooks webhooks = new FeedWebhooks(queue, clock);
    private final String connectionId = Connection.newId();

    private List<Change> changes(int count, String subject) {
        List<Change> changes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            changes.add(Change.of(SyncTarget.own(SyncResource.INBOX), Change.Type.CREATED, "item-" + i, "ck-" + i,
                    Change.Summary.message(subject + " " + i, "a@fabrikam.com", "2026-12-06T09:00:00Z")).at(1000 + i, clock.instant()));
        }
        return changes;
    }

    private List<JsonNode> events() {
        return queue.receiveVisible().stream().map(m -> Json.read(m, JsonNode.class).get("event")).toList();
    }

    @Test
    void whenARunAppendsManySmallChangesThenEventsCarryFiftyEachWithChainedCursors() {
        webhooks.appended(connectionId, changes(120, "Hello"));

        List<JsonNode> events = events();
        assertEquals(List.of(50, 50, 20), events.stream().map(e -> e.get("changes").size()).toList());
        assertChained(events, 1000, 1120);
    }

    @Test
    void whenSubjectsAreLongThenEventsStaySmallEnoughForTheQueueAndTheWebApp() {
        webhooks.appended(connectionId, changes(50, "件名".repeat(500))); // 1,000 characters, 3 bytes each in UTF-8

        List<String> messages = queue.receiveVisible();
        List<JsonNode> events = messages.stream().map(m -> Json.read(m, JsonNode.class).get("event")).toList();
        assertTrue(events.size() > 1, "split by size: " + events.size());
        for (String message : messages) {
            int base64 = (message.getBytes(StandardCharsets.UTF_8).length + 2) / 3 * 4;
            assertTrue(base64 < 64 * 1024, "a queue message holds 64 KiB of base64: " + base64);
        }
        assertChained(events, 1000, 1050);
    }

    /**
     * The longest texts a summary keeps, all escaped in JSON (6 bytes a character): such a change passes the 16 KiB of an
     * event and travels alone, and still fits a queue message.
     */
    @Test
    void whenEveryTextOfAChangeIsAtItsLongestThenItTravelsAloneAndStillFitsTheQueue() {
        String escaped = "\u0001".repeat(5000);
        SyncTarget shared = SyncTarget.shared(SyncResource.INBOX, "x".repeat(300) + "@fabrikam.com");
        List<Change> changes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            changes.add(Change.of(shared, Change.Type.CREATED, "item-" + i, "ck-" + i,
                    Change.Summary.message(escaped, escaped, escaped)).at(1000 + i, clock.instant()));
        }
        for (Change change : changes) {
            int bytes = Json.MAPPER.valueToTree(change).toString().getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes > FeedWebhooks.MAX_EVENT_CHANGE_BYTES && bytes < 20_000, "a change at its longest: " + bytes);
        }
        webhooks.appended(connectionId, changes);

        List<String> messages = queue.receiveVisible();
        for (String message : messages) {
            int base64 = (message.getBytes(StandardCharsets.UTF_8).length + 2) / 3 * 4;
            assertTrue(base64 < 64 * 1024, "a queue message holds 64 KiB of base64: " + base64);
        }
        List<JsonNode> events = messages.stream().map(m -> Json.read(m, JsonNode.class).get("event")).toList();
        assertEquals(List.of(1, 1, 1), events.stream().map(e -> e.get("changes").size()).toList(), "each alone");
        assertChained(events, 1000, 1003);
    }

    /** Each event's fromCursor is the previous event's toCursor, from {@code before} to {@code last}; ids name the sequences. */
    private void assertChained(List<JsonNode> events, long before, long last) {
        String cursor = "s" + before;
        for (JsonNode event : events) {
            assertEquals(cursor, event.get("fromCursor").asText());
            long first = event.get("changes").get(0).get("sequence").asLong();
            long end = event.get("changes").get(event.get("changes").size() - 1).get("sequence").asLong();
            assertEquals("s" + end, event.get("toCursor").asText());
            assertEquals("evt_chg_" + connectionId.substring(4) + "_" + first + "_" + end, event.get("id").asText());
            cursor = event.get("toCursor").asText();
        }
        assertEquals("s" + last, cursor);
    }
}
