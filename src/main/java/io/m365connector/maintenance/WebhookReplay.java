package io.m365connector.maintenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.WorkQueue;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * An operator's replay of the webhook events given up on (POST /api/webhooks/replay): each event in the poison queue goes
 * back to the delivery queue as a first attempt, under its id (the web app drops one it handled already), and only then
 * leaves the poison queue, so a death in between sends it twice, never loses it. A message that is no event stays.
 */
public final class WebhookReplay {
    private static final Logger LOG = Logger.getLogger(WebhookReplay.class.getName());
    /** The most events one call moves: a call answers in seconds; the operator calls again for the rest. */
    public static final int MOST_PER_CALL = 1000;
    /** Long enough for one call: a message taken and not moved (not an event) comes back visible after it. */
    private static final Duration HIDDEN_WHILE_MOVED = Duration.ofMinutes(5);

    private final WorkQueue poison;
    private final WorkQueue deliveries;
    private final boolean webhookSet;

    /** @param webhookSet whether NOTIFY_WEBHOOK_URL is set: without it, a replayed event would only come back */
    public WebhookReplay(WorkQueue poison, WorkQueue deliveries, boolean webhookSet) {
        this.poison = Objects.requireNonNull(poison, "'poison' cannot be null.");
        this.deliveries = Objects.requireNonNull(deliveries, "'deliveries' cannot be null.");
        this.webhookSet = webhookSet;
    }

    /**
     * How many events went back to delivery, how many messages were no events (left there), and about how many messages the
     * poison queue holds now (null when it could not be counted): those no events, and events refused again since.
     */
    public record Result(int replayed, int notEvents, @JsonInclude(JsonInclude.Include.NON_NULL) Long left) {
    }

    /** Moves what the poison queue held when the call started, up to {@code limit}: never the events that come back meanwhile. */
    public Result replay(int limit) {
        if (!webhookSet) {
            throw new ConnectorException(ProblemCode.INVALID_REQUEST, "NOTIFY_WEBHOOK_URL is not set: a replayed event would go "
                    + "straight back to the poison queue. Set it first.");
        }
        long heldAtStart = poison.approximateCount().orElse(limit);
        int replayed = 0;
        int notEvents = 0;
        while (replayed + notEvents < Math.min(limit, heldAtStart)) {
            List<WorkQueue.Taken> batch = poison.take((int) Math.min(limit, heldAtStart) - replayed - notEvents, HIDDEN_WHILE_MOVED);
            if (batch.isEmpty()) {
                break;
            }
            for (WorkQueue.Taken taken : batch) {
                Optional<String> firstAttempt = firstAttempt(taken.body());
                if (firstAttempt.isEmpty()) {
                    notEvents++;
                    continue;
                }
                deliveries.send(firstAttempt.get(), Duration.ZERO);
                poison.cancel(taken.handle());
                replayed++;
            }
        }
        Long left = left();
        LOG.info("Replayed " + replayed + " webhook event(s) from the poison queue; " + notEvents + " message(s) there are no event; about "
                + left + " left");
        return new Result(replayed, notEvents, left);
    }

    /** Counted after the moves; a failure to count must not hide what moved. */
    private Long left() {
        try {
            OptionalLong count = poison.approximateCount();
            return count.isPresent() ? count.getAsLong() : null;
        } catch (RuntimeException e) {
            LOG.warning("Could not count the poison queue after a replay: " + e.getClass().getSimpleName());
            return null;
        }
    }

    /** The envelope of an event's first attempt: attempts and pauses start again; empty for a message that is no event. */
    static Optional<String> firstAttempt(String body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node instanceof ObjectNode envelope && envelope.get("event") instanceof ObjectNode event && event.path("id").isTextual()) {
                envelope.put("attempt", 1);
                envelope.remove("since"); // tried afresh: its day starts again
                if (envelope.get("confirm") instanceof ObjectNode confirm) {
                    confirm.put("looks", 0); // moved here by the host before its change was confirmed: looked at again, afresh
                }
                return Optional.of(envelope.toString());
            }
        } catch (Exception notJson) {
            // not an event: left for the operator
        }
        return Optional.empty();
    }
}
