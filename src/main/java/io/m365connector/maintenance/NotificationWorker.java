package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.credentials.AppCredentialStore;
import io.m365connector.platform.Json;
import io.m365connector.platform.RetryAfter;
import io.m365connector.platform.WorkQueue;
import io.m365connector.platform.webhooks.WebhookRefusedException;
import io.m365connector.platform.webhooks.WebhookSender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.logging.Logger;

/**
 * Delivers one queued webhook event (signed by {@link WebhookSender}, Standard Webhooks). A failed
 * delivery is queued again with exponential backoff (30 s doubling to 1 h; longer when the answer's
 * {@code Retry-After} asks, up to an hour; each wait plus up to a tenth at random so that the events of an outage
 * do not all come back at once; while a {@code Retry-After} runs, this instance sends no other event either: they wait
 * for it, spread over a tenth of it, without counting an attempt; {@value #MAX_ATTEMPTS} attempts, about a day in all) under the same event id, so the
 * receiver can drop repeats; after the last attempt the event goes to the {@code status-notifications-poison}
 * queue for an operator (without expiry, but a {@code connection.changes} event with the queue's 7 days: the feed holds its
 * changes). A {@code 410 Gone} is not retried: the web app said it wants no more at that URL.
 */
public final class NotificationWorker {
    private static final Logger LOG = Logger.getLogger(NotificationWorker.class.getName());
    static final int MAX_ATTEMPTS = 30;
    /**
     * How long after it was first held back (refused, or waiting out a pause) an event is tried at most: a little longer
     * than its 30 attempts take (about 25 hours with their random tenths), so pauses, which are no attempts, cannot
     * stretch it (OPERATIONS.md: keep handled ids two days).
     */
    static final Duration LONGEST_HELD = Duration.ofHours(26);
    /** The feed's webhook events (sync's FeedWebhooks.TYPE; maintenance does not depend on sync). */
    private static final String CHANGES = "connection.changes";

    /** Empty when no webhook is set (NOTIFY_WEBHOOK_URL): events queued before it was removed wait for an operator. */
    private final Optional<WebhookSender> sender;
    private final WorkQueue retries;
    private final WorkQueue poison;
    private final RandomGenerator jitter;
    private final Clock clock;
    /** Where an event queued before its change finds whether the change was saved. */
    private final StatusConfirmation confirmations;
    /**
     * Until when the web app asked this instance to wait ({@code Retry-After} on a refusal): HTTP's Retry-After is the
     * server's, not one request's, so the other events wait too instead of each being refused once. Per instance (an
     * instance delivers up to 24 at once); each learns it from its own first refusal.
     */
    private Instant pausedUntil = Instant.EPOCH;

    public NotificationWorker(Optional<WebhookSender> sender, WorkQueue retries, WorkQueue poison, RandomGenerator jitter, Clock clock,
                              ConnectionStore connections, AppCredentialStore credentials) {
        this.confirmations = new StatusConfirmation(connections, credentials);
        this.sender = sender;
        this.retries = retries;
        this.poison = poison;
        this.jitter = jitter;
        this.clock = clock;
    }

    public void handle(String envelope) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(envelope);
        } catch (Exception e) {
            LOG.warning("Dropping a status notification that is not JSON");
            return;
        }
        JsonNode event = node.get("event");
        int attempt = node.path("attempt").asInt(1);
        String eventId = event.path("id").asText();
        if (node.get("confirm") instanceof ObjectNode confirm && !confirmations.saved(event, confirm)) {
            StatusConfirmation.nextLook(confirm).ifPresentOrElse(wait -> retries.send(node.toString(), wait),
                    () -> LOG.info("Status event " + eventId + " dropped: its change was not saved"));
            return;
        }
        if (sender.isEmpty()) {
            // NOTIFY_WEBHOOK_URL removed while events were queued: kept for an operator, as a delivery given up on
            giveUp(node, event, "NOTIFY_WEBHOOK_URL is not set, so event " + eventId + " cannot be delivered");
            return;
        }
        Optional<Duration> paused = pauseLeft();
        if (paused.isPresent()) {
            waitForThePause((ObjectNode) node, event, paused.get());
            return;
        }
        try {
            sender.get().send(eventId, event.toString());
        } catch (Exception e) {
            retryOrGiveUp(node, event, attempt, e);
        }
    }

    private void retryOrGiveUp(JsonNode node, JsonNode event, int attempt, Exception e) {
        String eventId = event.path("id").asText();
        boolean gone = e instanceof WebhookRefusedException refused && refused.gone();
        boolean unsignable = e instanceof IllegalArgumentException; // an id the signer refuses: no retry changes that
        Instant since = since(node);
        if (gone || unsignable || attempt >= MAX_ATTEMPTS || overdue(since)) {
            giveUp(node, event, gone ? "The web app answered 410 Gone to event " + eventId + ": it wants no more events at NOTIFY_WEBHOOK_URL"
                    : unsignable ? "Event " + eventId + " cannot be sent (" + e.getMessage() + ")"
                    : "Giving up on status event " + eventId + " after " + attempt + " attempts (" + e.getMessage() + ")");
            return;
        }
        Optional<Duration> asked = e instanceof WebhookRefusedException refused ? RetryAfter.parse(refused.retryAfter(), clock)
                : Optional.empty();
        asked.ifPresent(this::pauseFor);
        Duration wait = wait(attempt, asked);
        LOG.warning("Status event " + eventId + " not delivered (" + e.getMessage() + "); attempt " + (attempt + 1)
                + " in " + wait.toSeconds() + " s");
        retries.send("{\"event\":" + event + ",\"attempt\":" + (attempt + 1) + ",\"since\":\"" + since + "\"}", wait);
    }

    /** When the event was first not delivered (refused, or held for a pause): now for one not held back before. */
    private Instant since(JsonNode envelope) {
        JsonNode since = envelope.get("since");
        try {
            return since == null ? clock.instant() : Instant.parse(since.asText());
        } catch (DateTimeParseException e) {
            return clock.instant();
        }
    }

    private boolean overdue(Instant since) {
        return Duration.between(since, clock.instant()).compareTo(LONGEST_HELD) > 0;
    }

    /**
     * Not an attempt (it was not sent), so the attempts do not bound it: {@link #LONGEST_HELD} after it was first held back
     * it goes to the poison queue, as one whose attempts ran out. Spread over a tenth of the pause, so that they do not all
     * come back at once.
     */
    private void waitForThePause(ObjectNode envelope, JsonNode event, Duration pause) {
        Instant since = since(envelope);
        if (overdue(since)) {
            giveUp(envelope, event, "Giving up on event " + event.path("id").asText() + ": not delivered " + LONGEST_HELD.toHours()
                    + " hours after its first try (the web app kept asking to wait)");
            return;
        }
        envelope.remove("confirm"); // confirmed above: the change was saved
        envelope.put("since", since.toString());
        retries.send(envelope.toString(), pause.plusMillis(jitter.nextLong(pause.toMillis() / 10 + 1)));
    }

    private synchronized void pauseFor(Duration asked) {
        Instant until = clock.instant().plus(asked);
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }

    /** How long deliveries still wait for the web app's Retry-After; empty when they may go. */
    private synchronized Optional<Duration> pauseLeft() {
        Duration left = Duration.between(clock.instant(), pausedUntil);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /** To the poison queue, for an operator: without expiry, but a connection.changes event with the queue's 7 days. */
    private void giveUp(JsonNode node, JsonNode event, String why) {
        LOG.severe(why + "; the event is in the status-notifications-poison queue");
        if (node instanceof ObjectNode confirmed) {
            confirmed.remove("confirm"); // confirmed above: sent again by an operator, it is delivered as it is
        }
        if (CHANGES.equals(event.path("type").asText())) {
            // Mail subjects and senders: they expire with the queue's 7 days, within the feed's 8 (SYNC.md), which
            // holds the same changes for the web app's cursor; kept for ever they would outlive the feed and a disconnect.
            poison.send(node.toString(), Duration.ZERO);
        } else {
            poison.keep(node.toString()); // an operator's: it must not expire unread after 7 days
        }
    }

    /**
     * The backoff, or the web app's Retry-After when that is longer, plus up to a tenth of it at random: the events a
     * throttled web app refused together (all told the same seconds, or the same HTTP date) come back spread out.
     */
    private Duration wait(int attempt, Optional<Duration> retryAfter) {
        Duration base = backoff(attempt);
        Duration longer = retryAfter.filter(asked -> asked.compareTo(base) > 0).orElse(base);
        return longer.plusMillis(jitter.nextLong(longer.toMillis() / 10 + 1));
    }

    static Duration backoff(int attempt) {
        long seconds = Math.min(3600L, 30L << Math.min(attempt - 1, 10));
        return Duration.ofSeconds(seconds);
    }
}
