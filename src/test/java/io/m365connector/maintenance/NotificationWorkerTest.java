package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.webhooks.WebhookSecret;
import io.m365connector.platform.webhooks.WebhookSender;
import io.m365connector.platform.webhooks.WebhookSigner;
import io.m365connector.sync.ChangeFeed;
import io.m365connector.sync.FeedWebhooks;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.InMemoryAppCredentialStore;
import io.m365connector.testing.InMemoryConnectionStore;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.TestConnections;
import io.m365connector.testing.WebhookReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook retries with backoff, on queues whose visibility delays run on the test's clock: nothing waits. */
class NotificationWorkerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final WebhookReceiver receiver = new WebhookReceiver();
    private final ClockedWorkQueue retries = new ClockedWorkQueue(clock);
    private final ClockedWorkQueue poison = new ClockedWorkQueue(clock);
    private final String secret = StandardWebhooks.newSecret();
    private final InMemoryConnectionStore connections = new InMemoryConnectionStore();
    private final InMemoryAppCredentialStore credentials = new InMemoryAppCredentialStore();
    /** The jitter a worker adds to each backoff: none here, so that the schedule's edges can be checked to the second. */
    private final NotificationWorker worker = worker(new FixedJitter(0));

    private NotificationWorker worker(RandomGenerator jitter) {
        return new NotificationWorker(Optional.of(new WebhookSender(URI.create(receiver.url()), new WebhookSigner(WebhookSecret.parse(secret)),
                new OkHttpClient(), clock)), retries, poison, jitter, clock, connections, credentials);
    }

    /** A "random" generator that always picks the same fraction of the bound (0 <= fraction < 1). */
    private record FixedJitter(double fraction) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nextLong(long bound) {
            return (long) (bound * fraction);
        }
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void whenTheWebAppFailsThenTheEventComesBackAfterTheBackoffAndIsDeliveredOnTheRetry() {
        receiver.answerNext(500);
        worker.handle("{\"event\":{\"id\":\"evt_1\",\"status\":\"disconnected\"},\"attempt\":1}");

        assertEquals(1, receiver.received().size(), "the first attempt reached the web app and failed");
        assertEquals(1, retries.size());
        clock.advance(Duration.ofSeconds(29));
        assertTrue(retries.receiveVisible().isEmpty(), "hidden for the 30 s backoff");
        clock.advance(Duration.ofSeconds(1));
        String retry = retries.receiveVisible().get(0);
        JsonNode envelope = Json.read(retry, JsonNode.class);
        assertEquals(2, envelope.get("attempt").asInt());
        assertEquals("evt_1", envelope.get("event").get("id").asText());

        worker.handle(retry);

        assertEquals(2, receiver.received().size(), "delivered on the retry");
        assertEquals(0, retries.size());
    }

    /** A backstop queued before a change (QueuedStatusNotifications.beforeChange) for the connection {@code c}, planned now. */
    private String backstop(Connection c, ConnectionStatus planned) {
        return "{\"event\":{\"id\":\"evt_b\",\"connectionId\":\"" + c.id() + "\",\"status\":\"" + planned.id() + "\"},\"attempt\":1,"
                + "\"confirm\":{\"status\":\"" + planned.id() + "\",\"changedAt\":\"" + clock.instant() + "\"}}";
    }

    @Test
    void whenABackstopsChangeIsOnTheRowThenItIsDeliveredWithoutTheConfirmation() {
        Connection c = connections.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plusSeconds(3600)));
        String backstop = backstop(c, ConnectionStatus.NEEDS_REAUTH);
        connections.update(c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).updatedAt(clock.instant()).build()); // then the process died

        worker.handle(backstop);

        assertEquals(1, receiver.received().size());
        JsonNode delivered = Json.read(receiver.received().get(0).body(), JsonNode.class);
        assertEquals("needs_reauth", delivered.path("status").asText());
        assertTrue(delivered.path("confirm").isMissingNode(), "the web app gets the event, not the envelope");
        assertEquals(0, retries.size());
    }

    @Test
    void whenABackstopsChangeWasNeverSavedThenTheWorkerLooksThreeTimesMoreAndDropsItUndelivered() {
        Connection c = connections.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plusSeconds(3600)));
        String message = backstop(c, ConnectionStatus.NEEDS_REAUTH); // the save lost its race: the row stays active

        List<Duration> looks = new ArrayList<>();
        Instant last = clock.instant();
        worker.handle(message);
        while (retries.size() > 0) {
            List<String> visible = retries.receiveVisible();
            if (visible.isEmpty()) {
                clock.advance(Duration.ofSeconds(5));
                continue;
            }
            looks.add(Duration.between(last, clock.instant()));
            last = clock.instant();
            worker.handle(visible.get(0));
        }

        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)), looks);
        assertTrue(receiver.received().isEmpty(), "never told of a change that did not happen");
        assertEquals(0, poison.size());
    }

    @Test
    void whenTheRowHoldsTheSameStatusFromAnotherAttemptThenTheBackstopIsDroppedAsNeverSaved() {
        Connection c = connections.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plusSeconds(3600)));
        String first = backstop(c, ConnectionStatus.NEEDS_REAUTH); // this attempt's save failed
        clock.advance(Duration.ofSeconds(20));
        connections.update(c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).updatedAt(clock.instant()).build()); // a later one saved

        worker.handle(first);
        for (Duration wait : StatusConfirmation.WAITS) {
            clock.advance(wait);
            retries.receiveVisible().forEach(worker::handle);
        }

        assertTrue(receiver.received().isEmpty(), "the later change has its own event; this one never happened");
    }

    @Test
    void whenTheRowShowsTheChangeOnlyAtALaterLookThenItIsDeliveredThen() {
        Connection c = connections.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plusSeconds(3600)));
        worker.handle(backstop(c, ConnectionStatus.DISCONNECTED)); // the save is still under way
        assertTrue(receiver.received().isEmpty());
        connections.update(connections.find(c.id()).orElseThrow().toBuilder().status(ConnectionStatus.DISCONNECTED)
                .updatedAt(clock.instant()).build()); // the change as planned, at its time

        clock.advance(Duration.ofSeconds(30));
        worker.handle(retries.receiveVisible().get(0));

        assertEquals(1, receiver.received().size());
        assertEquals(0, retries.size());
    }

    @Test
    void whenACredentialBackstopsChangeIsTheStoredOneThenItIsDeliveredAndAnotherInstancesRecordOfItIsNot() {
        Instant ours = clock.instant();
        AppCredentialStatus invalid = new AppCredentialStatus(NationalCloud.USGOV, "client_secret", AppCredentialStatus.State.INVALID,
                ProblemCode.APP_SECRET_EXPIRED, null, ours, ours, null);
        String confirm = StatusConfirmation.of(invalid, "cfg-1").toString();
        String event = "{\"id\":\"evt_c\",\"type\":\"app_credential_invalid\",\"cloud\":\"usgov\"}";
        credentials.save(invalid, "cfg-1", null); // our check's record: then the process died

        worker.handle("{\"event\":" + event + ",\"attempt\":1,\"confirm\":" + confirm + "}");
        assertEquals(1, receiver.received().size(), "our record is stored: the backstop is the announcement");

        // another instance recorded the same change a moment later (its own event); our save lost: our backstop is not told
        Instant theirs = ours.plusMillis(40);
        credentials.save(new AppCredentialStatus(NationalCloud.USGOV, "client_secret", AppCredentialStatus.State.INVALID,
                ProblemCode.APP_SECRET_EXPIRED, null, theirs, theirs, null), "cfg-2", null);
        String lost = StatusConfirmation.of(invalid, "cfg-2").toString();
        worker.handle("{\"event\":" + event.replace("evt_c", "evt_d") + ",\"attempt\":1,\"confirm\":" + lost + "}");
        for (int look = 0; look < StatusConfirmation.WAITS.size(); look++) {
            clock.advance(StatusConfirmation.WAITS.get(look));
            retries.receiveVisible().forEach(worker::handle);
        }
        assertEquals(1, receiver.received().size(), "a change this instance did not record is announced by the one that did");
    }

    @Test
    void whenTheWebAppKeepsFailingThenThirtyAttemptsOverAboutADayCarryTheSameIdEachFreshlySigned() {
        for (int i = 0; i < NotificationWorker.MAX_ATTEMPTS; i++) {
            receiver.answerNext(503);
        }
        List<Instant> attempts = new ArrayList<>();
        attempts.add(clock.instant());
        worker.handle("{\"event\":{\"id\":\"evt_3\",\"status\":\"needs_reauth\"},\"attempt\":1}");
        while (retries.size() > 0) {
            List<String> visible = retries.receiveVisible();
            if (visible.isEmpty()) {
                clock.advance(Duration.ofSeconds(15)); // the queue's visibility delay passes on the test clock
                continue;
            }
            attempts.add(clock.instant());
            worker.handle(visible.get(0));
        }

        // README and docs/OPERATIONS.md: retried with the same id, a fresh timestamp and signature, 30 attempts over about 24 hours
        List<WebhookReceiver.Received> received = receiver.received();
        assertEquals(30, received.size());
        for (int i = 0; i < received.size(); i++) {
            WebhookReceiver.Received r = received.get(i);
            assertEquals(received.get(0).headers().get("webhook-id"), r.headers().get("webhook-id"), "attempt " + (i + 1));
            assertTrue(StandardWebhooks.verify(secret, r.headers(), r.body(), attempts.get(i)), "attempt " + (i + 1) + " signed when sent");
        }
        Duration span = Duration.between(attempts.get(0), attempts.get(attempts.size() - 1));
        assertTrue(span.compareTo(Duration.ofHours(20)) > 0 && span.compareTo(Duration.ofHours(28)) < 0, "about a day: " + span);
        clock.advance(Duration.ofDays(30)); // an operator back from leave: a Storage queue message expires after 7 days by default
        assertEquals(1, poison.receiveVisible().size(), "then kept for an operator, without expiring");
    }

    @Test
    void whenEveryAttemptFailsThenTheBackoffDoublesToAnHourAndTheLastGoesToThePoisonQueue() {
        assertEquals(Duration.ofSeconds(30), NotificationWorker.backoff(1));
        assertEquals(Duration.ofSeconds(60), NotificationWorker.backoff(2));
        assertEquals(Duration.ofHours(1), NotificationWorker.backoff(NotificationWorker.MAX_ATTEMPTS - 1));
        receiver.answerNext(500);

        worker.handle("{\"event\":{\"id\":\"evt_2\"},\"attempt\":" + NotificationWorker.MAX_ATTEMPTS + "}");

        assertEquals(0, retries.size());
        assertEquals(1, poison.receiveVisible().size(), "the last failure is kept for an operator");
    }

    /**
     * A change event carries mail subjects and senders: given up, it waits for an operator no longer than the queue's 7 days,
     * within the feed's 8 that hold the same changes; a status event waits for ever.
     */
    @Test
    void whenAChangesEventIsGivenUpThenItsPoisonCopyExpiresWithinTheFeedsRetention() {
        receiver.answerNext(500);
        worker.handle("{\"event\":{\"id\":\"evt_c\",\"type\":\"" + FeedWebhooks.TYPE + "\",\"changes\":[{\"summary\":"
                + "{\"subject\":\"Offer letter\"}}]},\"attempt\":" + NotificationWorker.MAX_ATTEMPTS + "}");
        receiver.answerNext(500);
        worker.handle("{\"event\":{\"id\":\"evt_s\",\"type\":\"connection.status_changed\"},\"attempt\":"
                + NotificationWorker.MAX_ATTEMPTS + "}");
        assertEquals(2, poison.size());

        clock.advance(Duration.ofDays(7));

        List<String> left = poison.receiveVisible();
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).contains("evt_s"), left.toString());
        assertTrue(Duration.ofDays(7).compareTo(ChangeFeed.RETENTION) < 0, "the poison copy goes before the feed's rows");
    }

    /**
     * NOTIFY_WEBHOOK_URL removed while events were queued: each goes to the poison queue for an operator (was: the worker
     * could not be built, and the host moved the message there after 5 tries with the queue's 7 days, or lost it).
     */
    @Test
    void whenNoWebhookIsSetThenAQueuedEventWaitsInThePoisonQueueWithoutExpiring() {
        NotificationWorker withoutWebhook = new NotificationWorker(Optional.empty(), retries, poison, new FixedJitter(0), clock, connections,
                credentials);

        withoutWebhook.handle("{\"event\":{\"id\":\"evt_n\",\"type\":\"connection.status_changed\"},\"attempt\":1}");

        assertEquals(0, retries.size());
        assertEquals(0, receiver.received().size());
        clock.advance(Duration.ofDays(30));
        List<String> kept = poison.receiveVisible();
        assertEquals(1, kept.size());
        assertTrue(kept.get(0).contains("evt_n"), kept.toString());
    }

    @Test
    void whenTheBackoffIsJitteredThenItAddsUpToATenthAndNeverShortensIt() {
        receiver.answerNext(500);
        worker(new FixedJitter(0.99)).handle("{\"event\":{\"id\":\"evt_j\"},\"attempt\":4}"); // backoff 240 s

        clock.advance(Duration.ofSeconds(263));
        assertTrue(retries.receiveVisible().isEmpty(), "240 s plus 23 s of jitter: still hidden");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, retries.receiveVisible().size(), "back within 240 s + a tenth");
    }

    @Test
    void whenTheWebAppAsksToWaitWithRetryAfterThenTheRetryWaitsThatLongUpToAnHour() {
        receiver.answerNext(429, "600");
        worker.handle("{\"event\":{\"id\":\"evt_r\"},\"attempt\":1}");
        clock.advance(Duration.ofSeconds(599));
        assertTrue(retries.receiveVisible().isEmpty(), "the web app asked for 10 minutes, not the 30 s backoff");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, retries.receiveVisible().size());

        receiver.answerNext(503, "86400");
        worker.handle("{\"event\":{\"id\":\"evt_r2\"},\"attempt\":1}");
        clock.advance(Duration.ofHours(1));
        assertEquals(1, retries.receiveVisible().size(), "a day asked for is cut to an hour");
    }

    /** OPERATIONS.md: each wait plus up to a tenth at random, a Retry-After's too (the refused events of one burst spread out). */
    @Test
    void whenTheWebAppAsksToWaitThenTheWaitIsJitteredLikeABackoff() {
        receiver.answerNext(429, "600");
        worker(new FixedJitter(0.99)).handle("{\"event\":{\"id\":\"evt_rj\"},\"attempt\":1}");

        clock.advance(Duration.ofSeconds(659));
        assertTrue(retries.receiveVisible().isEmpty(), "600 s asked for plus 59 s of jitter: still hidden");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, retries.receiveVisible().size(), "back within 600 s + a tenth");
    }

    /**
     * OPERATIONS.md: a Retry-After is the web app's, not one event's. The events after the refused one are not sent
     * while it runs (each would only be refused too); they wait for it without losing an attempt, then go.
     */
    @Test
    void whenTheWebAppAsksToWaitThenTheOtherEventsWaitTooWithoutLosingAnAttempt() {
        receiver.answerNext(429, "600");
        worker.handle("{\"event\":{\"id\":\"evt_p1\"},\"attempt\":1}");
        clock.advance(Duration.ofSeconds(100));
        worker.handle("{\"event\":{\"id\":\"evt_p2\"},\"attempt\":3}");

        assertEquals(1, receiver.received().size(), "only the first event was sent");
        clock.advance(Duration.ofSeconds(499));
        assertTrue(retries.receiveVisible().isEmpty(), "both wait for the 600 s asked for");
        clock.advance(Duration.ofSeconds(1));
        List<String> back = retries.receiveVisible();
        assertEquals(2, back.size(), back.toString());
        String second = back.stream().filter(m -> m.contains("evt_p2")).findFirst().orElseThrow();
        assertEquals(3, Json.read(second, JsonNode.class).path("attempt").asInt(), "not sent, so not an attempt: " + second);

        back.forEach(worker::handle);
        assertEquals(3, receiver.received().size(), "the pause is over: both are sent");
    }

    /**
     * A paused event loses no attempt, but does not wait for ever either: 26 hours after it was first held back it is given
     * up on, as one whose attempts ran out (OPERATIONS.md: keep handled ids two days).
     */
    @Test
    void whenTheWebAppKeepsAskingToWaitThenAnEventNeverSentIsGivenUpOnAfterItsDay() {
        Connection c = connections.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plusSeconds(3600)));
        String backstop = backstop(c, ConnectionStatus.NEEDS_REAUTH);
        connections.update(c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).updatedAt(clock.instant()).build()); // saved
        Instant start = clock.instant();
        receiver.answerNext(429, "3600");
        worker.handle("{\"event\":{\"id\":\"evt_first\"},\"attempt\":1}");
        worker.handle(backstop); // confirmed, then paused: the row may change again while it waits (a reconnect)
        List<String> givenUp = new ArrayList<>();
        while (givenUp.stream().noneMatch(m -> m.contains("needs_reauth")) && clock.instant().isBefore(start.plus(Duration.ofHours(30)))) {
            clock.advance(Duration.ofHours(1));
            List<String> back = new ArrayList<>(retries.receiveVisible());
            back.sort((a, b) -> Boolean.compare(!a.contains("evt_first"), !b.contains("evt_first"))); // the refused one first
            for (String message : back) {
                assertFalse(message.contains("\"confirm\""), "confirmed once: " + message);
                receiver.answerNext(429, "3600"); // the web app asks every request to wait an hour
                worker.handle(message);
            }
            givenUp.addAll(poison.receiveVisible());
        }

        assertTrue(givenUp.stream().anyMatch(m -> m.contains("needs_reauth")), givenUp.toString());
        assertTrue(receiver.received().stream().filter(r -> r.body().contains("needs_reauth")).count() <= 1,
                "held back while the first event's refusals kept the pause running: at most the one try when it ended");
        Duration held = Duration.between(start, clock.instant());
        assertTrue(held.compareTo(NotificationWorker.LONGEST_HELD) > 0 && held.compareTo(NotificationWorker.LONGEST_HELD.plusHours(2)) < 0,
                "given up on after its day, not sooner, not much later: " + held);
    }

    /** Attempts between pauses do not stretch an event's day either: the time since it was first held back bounds both. */
    @Test
    void whenAnEventWasFirstHeldBackOverItsDayAgoThenAFailedAttemptGivesItUpWhateverItsCount() {
        receiver.answerNext(500);

        worker.handle("{\"event\":{\"id\":\"evt_old\"},\"attempt\":5,\"since\":\""
                + clock.instant().minus(NotificationWorker.LONGEST_HELD).minusSeconds(1) + "\"}");

        assertEquals(0, retries.size());
        assertEquals(1, poison.receiveVisible().size());
    }

    @Test
    void whenTheWebAppAnswers410GoneThenTheEventIsNotRetriedAndGoesToThePoisonQueue() {
        receiver.answerNext(410);

        worker.handle("{\"event\":{\"id\":\"evt_g\"},\"attempt\":1}");

        assertEquals(0, retries.size(), "Standard Webhooks: stop sending to an endpoint that answers 410");
        assertEquals(1, poison.receiveVisible().size());
        assertEquals(1, receiver.received().size());
    }

    @Test
    void whenAnEventsIdCannotBeSignedThenItGoesToThePoisonQueueAtOnce() {
        worker.handle("{\"event\":{\"id\":\"evt_sync_x_inbox.abc_stopped_1\"},\"attempt\":1}"); // queued before ids lost their full stops

        assertEquals(0, retries.size(), "no retry can make it signable");
        assertEquals(1, poison.receiveVisible().size());
        assertEquals(0, receiver.received().size());
    }
}
