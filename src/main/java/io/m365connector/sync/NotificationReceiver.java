package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Where Graph delivers change and lifecycle notifications. It does nothing slow, so it answers within the 3 seconds
 * an older version of Graph's webhooks page asked for (10 now) even on a cold instance: the validation handshake (echo the token), then per
 * distinct notification of the batch (subscription, clientState, lifecycle event) one table read (which
 * connection, and is the clientState the one we gave) and one queued sync request. Graph's notification is only a hint: the run reads the delta. Unknown
 * subscriptions and wrong clientStates are acknowledged and dropped (a 4xx would only make Graph
 * retry), counted in one INFO line, never named.
 */
public final class NotificationReceiver {
    private static final Logger LOG = Logger.getLogger(NotificationReceiver.class.getName());
    /** Graph batches notifications; far less than this per request. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /**
     * How long the table reads and queued requests of one batch may take before the answer is a 503. Graph keeps
     * retrying a notification for up to 4 hours "as long as [it] receives any other HTTP response (even an error code)
     * within 10 seconds", and marks an endpoint slow (then drops its notifications, which cannot be recovered) when over
     * 10% (15%) of its answers take longer than that (Learn: change-notifications-delivery-webhooks, "HTTP codes and
     * retry logic", "Throttling"). Storage that hangs instead of failing must not hold the answer that long.
     */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);

    /** The answer: status, content type and body. */
    public record Answer(int status, String contentType, String body) {
    }

    private final Subscriptions subscriptions;
    private final WorkQueue requests;
    private final Clock clock;
    private final Duration budget;

    public NotificationReceiver(Subscriptions subscriptions, WorkQueue requests, Clock clock) {
        this(subscriptions, requests, clock, DEFAULT_BUDGET);
    }

    /** @param budget how long one batch's storage calls may take in all ({@link #DEFAULT_BUDGET}) */
    public NotificationReceiver(Subscriptions subscriptions, WorkQueue requests, Clock clock, Duration budget) {
        this.subscriptions = Objects.requireNonNull(subscriptions, "'subscriptions' cannot be null.");
        this.requests = Objects.requireNonNull(requests, "'requests' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.budget = Objects.requireNonNull(budget, "'budget' cannot be null.");
    }

    /** @param query the request's query (the validation token arrives as {@code validationToken}, already URL-decoded) */
    public Answer receive(Map<String, String> query, String body) {
        String validationToken = query.get("validationToken");
        if (validationToken != null) {
            return new Answer(200, "text/plain; charset=utf-8", validationToken);
        }
        JsonNode notifications = parse(body).map(n -> n.path("value")).orElse(null);
        if (notifications == null || !notifications.isArray()) {
            LOG.info("Dropped a notification request that is not a Graph notification batch");
            return new Answer(202, null, null);
        }
        // Real time, not the clock: the bound is on how long Graph waits for this answer.
        long deadline = System.nanoTime() + budget.toNanos();
        int dropped;
        try {
            dropped = queueRuns(notifications, deadline);
        } catch (StorageUnavailableException e) {
            // Nothing is lost by a 5xx: Graph delivers the batch again (a run queued twice is one run: SyncService).
            LOG.warning("Answered 503 to a notification batch of " + notifications.size() + ": storage failed or did not answer within "
                    + budget.toMillis() + " ms (" + e.getMessage() + "); Graph delivers it again");
            return new Answer(503, null, null);
        }
        if (dropped > 0) {
            LOG.info("Dropped " + dropped + " notification(s) of " + notifications.size()
                    + ": unknown subscription or wrong clientState (acknowledged, nothing synced)");
        }
        return new Answer(202, null, null);
    }

    /**
     * Why the run is asked for: the lifecycle event, or {@code notification}. Only the three Graph sends are passed on (any
     * other is a run like a change's, {@code lifecycleEvent}): the text goes into a queue message (64 KiB), and a body of
     * up to 1 MiB could carry anything there.
     */
    private static String reason(JsonNode notification) {
        String event = notification.path("lifecycleEvent").asText(null);
        return event == null ? "notification" : SyncRequest.LIFECYCLE_EVENTS.contains(event) ? event : "lifecycleEvent";
    }

    /** Looks up and queues each distinct notification of the batch; how many were dropped (unknown subscription, wrong clientState). */
    private int queueRuns(JsonNode notifications, long deadline) {
        int dropped = 0;
        // A burst is one batch of many notifications of one subscription: each distinct one is looked up and queued once,
        // so the answer's time grows with the subscriptions in the batch, not with its notifications.
        Map<List<String>, Boolean> seen = new HashMap<>();
        for (JsonNode notification : notifications) {
            String subscriptionId = notification.path("subscriptionId").asText(null);
            String clientState = notification.path("clientState").asText(null);
            String reason = reason(notification);
            Boolean accepted = seen.get(Arrays.asList(subscriptionId, clientState, reason));
            if (accepted == null) {
                Optional<Subscriptions.Held> held = subscriptions.find(subscriptionId, left(deadline));
                accepted = held.isPresent() && held.get().accepts(clientState);
                seen.put(Arrays.asList(subscriptionId, clientState, reason), accepted);
                if (accepted) {
                    requests.send(new SyncRequest(held.get().connectionId(), held.get().resource(), reason, clock.instant()).toJson(),
                            Duration.ZERO, left(deadline));
                }
            }
            if (!accepted) {
                dropped++;
            }
        }
        return dropped;
    }

    private Duration left(long deadline) {
        long nanos = deadline - System.nanoTime();
        // Under a millisecond counts as none: azure-core reads a 0 ms timeout as "no timeout" (ImplUtils.getResultWithTimeout).
        if (nanos < 1_000_000) {
            throw new StorageUnavailableException("the batch's time ran out", null);
        }
        return Duration.ofNanos(nanos);
    }

    private static Optional<JsonNode> parse(String body) {
        if (body == null || body.length() > MAX_BODY_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readTree(body));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
