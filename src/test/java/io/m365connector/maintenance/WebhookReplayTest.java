package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.WorkQueue;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's replay on in-memory queues: events go back as first attempts, anything else stays for the operator. */
class WebhookReplayTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final ClockedWorkQueue poison = new ClockedWorkQueue(clock);
    private final ClockedWorkQueue deliveries = new ClockedWorkQueue(clock);

    @Test
    void whenEventsWereGivenUpOnThenEachGoesBackAsAFirstAttemptUnderItsIdAndLeavesThePoisonQueue() {
        poison.keep("{\"event\":{\"id\":\"evt_a\",\"type\":\"connection.status_changed\"},\"attempt\":30}");
        poison.keep("{\"event\":{\"id\":\"evt_b\"},\"attempt\":4,\"since\":\"2026-12-06T09:00:00Z\"}");
        poison.keep("{\"event\":{\"id\":\"evt_c\"},\"attempt\":1,\"confirm\":{\"status\":\"active\",\"looks\":3}}");
        poison.keep("not an event");

        WebhookReplay.Result result = new WebhookReplay(poison, deliveries, true).replay(WebhookReplay.MOST_PER_CALL);

        assertEquals(3, result.replayed());
        assertEquals(1, result.notEvents());
        List<JsonNode> sent = deliveries.receiveVisible().stream().map(m -> Json.read(m, JsonNode.class)).toList();
        assertEquals(List.of("evt_a", "evt_b", "evt_c"), sent.stream().map(e -> e.path("event").path("id").asText()).toList());
        for (JsonNode envelope : sent) {
            assertEquals(1, envelope.path("attempt").asInt(), envelope.toString());
            assertFalse(envelope.has("since"), "its day starts again: " + envelope);
        }
        assertEquals(0, sent.get(2).path("confirm").path("looks").asInt(-1),
                "moved by the host before its change was confirmed: confirmed afresh, never announced unchecked: " + sent.get(2));
        assertEquals("connection.status_changed", sent.get(0).path("event").path("type").asText(), "the event as it was");
        assertEquals(1, poison.size(), "the message that is no event stays for the operator");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(List.of("not an event"), poison.receiveVisible(), "visible again after the call");
    }

    @Test
    void whenMoreThanOneCallsWorthWaitThenACallMovesItsLimitAndSaysHowManyAreLeft() {
        for (int i = 0; i < 70; i++) {
            poison.keep("{\"event\":{\"id\":\"evt_" + i + "\"},\"attempt\":30}");
        }

        WebhookReplay.Result first = new WebhookReplay(poison, deliveries, true).replay(50);

        assertEquals(50, first.replayed());
        assertEquals(20L, first.left());
        assertEquals(20, new WebhookReplay(poison, deliveries, true).replay(50).replayed());
        assertEquals(70, deliveries.size());
    }

    /** Sent again before it leaves the poison queue: a failed send leaves it there, never lost. */
    @Test
    void whenTheDeliveryQueueRefusesThenTheEventStaysInThePoisonQueue() {
        poison.keep("{\"event\":{\"id\":\"evt_a\"},\"attempt\":30}");
        deliveries.failNextSends(1);

        assertThrows(RuntimeException.class, () -> new WebhookReplay(poison, deliveries, true).replay(10));

        clock.advance(Duration.ofMinutes(6));
        assertEquals(1, poison.receiveVisible().size(), "back in the poison queue after the call");
        assertEquals(0, deliveries.size());
    }

    /** An endpoint that refuses a replayed event at once (410) sends it back while the call runs: not taken again. */
    @Test
    void whenReplayedEventsComeBackDuringTheCallThenTheCallMovesOnlyWhatWasThereAtItsStart() {
        for (int i = 0; i < 3; i++) {
            poison.keep("{\"event\":{\"id\":\"evt_" + i + "\"},\"attempt\":30}");
        }
        WorkQueue refusedAtOnce = new WorkQueue() {
            @Override
            public void send(String message, Duration delay) {
                poison.keep(message); // the worker ran and gave up again before the call ended
            }
        };

        WebhookReplay.Result result = new WebhookReplay(poison, refusedAtOnce, true).replay(WebhookReplay.MOST_PER_CALL);

        assertEquals(3, result.replayed());
        assertEquals(3L, result.left(), "they are back, for the next call");
    }

    @Test
    void whenNoWebhookIsSetThenNothingMovesAndTheOperatorIsToldWhy() {
        poison.keep("{\"event\":{\"id\":\"evt_a\"},\"attempt\":30}");

        ConnectorException e = assertThrows(ConnectorException.class, () -> new WebhookReplay(poison, deliveries, false).replay(10));

        assertEquals(ProblemCode.INVALID_REQUEST, e.code());
        assertTrue(e.detail().contains("NOTIFY_WEBHOOK_URL"), e.detail());
        assertEquals(1, poison.size());
        assertEquals(0, deliveries.size());
    }
}
