package io.m365connector.actions.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.actions.graph.GraphException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.JsonFingerprint;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.InMemoryIdempotencyStore;
import io.m365connector.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Exactly-once bookkeeping over an in-memory store: no Azurite, no real waits. */
class IdempotencyTest {
    private static final String CONNECTION = "con_0123456789abcdef0123456789abcdef";
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
    private final Idempotency idempotency = new Idempotency(store, clock, new ClockSleeper(clock), LEASE, WAIT);
    private final AtomicInteger runs = new AtomicInteger();

    record Sent(String connectionId, int recipients) {
    }

    private Idempotency.Request request(String key, String body) {
        return new Idempotency.Request(CONNECTION, key, "mail", JsonFingerprint.of("mail", Json.parseRequest(body)));
    }

    private Idempotency.Outcome<Sent> send(String key, String body) {
        return idempotency.run(request(key, body), Sent.class, step -> {
            runs.incrementAndGet();
            return new Sent(CONNECTION, 2);
        });
    }

    @Test
    void whenThereIsNoKeyThenTheWorkRunsEveryTime() {
        send(null, "{}");
        send(null, "{}");

        assertEquals(2, runs.get());
    }

    @Test
    void whenTheSameKeyComesAgainThenTheStoredOutcomeIsReturnedWithoutRunningTheWork() {
        Idempotency.Outcome<Sent> first = send("k1", "{\"a\":1,\"b\":2}");
        Idempotency.Outcome<Sent> again = send("k1", "{ \"b\": 2, \"a\": 1 }");

        assertEquals(1, runs.get());
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.value(), again.value());
    }

    @Test
    void whenTheKeyIsReusedForAnotherBodyThenIdempotencyKeyReused() {
        send("k1", "{\"a\":1}");

        ConnectorException e = assertThrows(ConnectorException.class, () -> send("k1", "{\"a\":2}"));

        assertEquals(ProblemCode.IDEMPOTENCY_KEY_REUSED, e.code());
        assertEquals(1, runs.get());
    }

    @Test
    void whenTheWorkFailsForGoodThenTheFailureIsStoredAndReplayedWithItsExtensions() {
        ConnectorException refused = new ConnectorException(ProblemCode.MAILBOX_ACCESS_DENIED, "denied", CONNECTION, null);
        assertThrows(ConnectorException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            throw refused;
        }));

        StoredProblem replayed = assertThrows(StoredProblem.class, () -> send("k1", "{}"));

        assertEquals(ProblemCode.MAILBOX_ACCESS_DENIED, replayed.code());
        assertEquals("denied", replayed.detail());
        assertEquals(0, runs.get());
    }

    @Test
    void whenAStoredFailureHadExtensionsThenTheReplayHasThemToo() {
        assertThrows(ConnectorException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            throw new GraphException(ProblemCode.INVALID_REQUEST, "bad", CONNECTION, "ErrorInvalidRecipients",
                    null);
        }));

        StoredProblem replayed = assertThrows(StoredProblem.class, () -> send("k1", "{}"));

        assertEquals(Map.of("graphCode", "ErrorInvalidRecipients"), Problem.of(replayed).extensionMembers());
    }

    @Test
    void whenTheWorkFailsForNowThenTheKeyIsReleasedAndTheRetryResumesFromTheSavedProgress() {
        assertThrows(ConnectorException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            step.saveProgress("draft-1");
            throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE, "later");
        }));
        String[] seen = new String[1];

        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            seen[0] = step.progress().orElse(null);
            return new Sent(CONNECTION, 1);
        });

        assertEquals("draft-1", seen[0]);
    }

    @Test
    void whenDeliveryIsUnconfirmedThenItIsFinalUnlessTheFailureSaysItCanBeResumed() {
        assertThrows(ConnectorException.class, () -> idempotency.run(request("final", "{}"), Sent.class, step -> {
            throw new ConnectorException(ProblemCode.DELIVERY_UNCONFIRMED, "unconfirmed");
        }));
        assertThrows(StoredProblem.class, () -> send("final", "{}"));

        class Recheck extends ConnectorException implements Idempotency.Resumable {
            Recheck() {
                super(ProblemCode.DELIVERY_UNCONFIRMED, "look again");
            }
        }
        assertThrows(Recheck.class, () -> idempotency.run(request("resume", "{}"), Sent.class, step -> {
            throw new Recheck();
        }));
        send("resume", "{}");
        assertEquals(1, runs.get(), "the resumable one ran again; the final one did not");
    }

    @Test
    void whenAnotherRequestHoldsTheKeyThenThisOneWaitsAndThenAnswersRequestInProgress() {
        Instant start = clock.instant();
        store.tryCreate(new IdempotencyRecord(CONNECTION, Secrets.sha256("k1"), JsonFingerprint.of("mail", Json.parseRequest("{}")), "mail",
                IdempotencyRecord.State.IN_PROGRESS, start.plus(LEASE), null, null, null, start, null));

        ConnectorException e = assertThrows(ConnectorException.class, () -> send("k1", "{}"));

        assertEquals(ProblemCode.REQUEST_IN_PROGRESS, e.code());
        assertEquals(1, Problem.of(e).extensionMembers().get("retryAfterSeconds"));
        assertTrue(Duration.between(start, clock.instant()).compareTo(WAIT) >= 0, "waited for the other request");
        assertEquals(0, runs.get());
    }

    @Test
    void whenTheHoldersLeaseRanOutThenTheKeyIsTakenOverWithItsProgress() {
        Instant start = clock.instant();
        store.tryCreate(new IdempotencyRecord(CONNECTION, Secrets.sha256("k1"), JsonFingerprint.of("mail", Json.parseRequest("{}")), "mail",
                IdempotencyRecord.State.IN_PROGRESS, start.plus(LEASE), "draft-9", null, null, start, null));
        clock.advance(LEASE);
        String[] seen = new String[1];

        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            seen[0] = step.progress().orElse(null);
            return new Sent(CONNECTION, 1);
        });

        assertEquals("draft-9", seen[0]);
    }

    @Test
    void whenTheWorkThrowsSomethingUnexpectedThenTheKeyIsReleasedNotStored() {
        assertThrows(IllegalStateException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            throw new IllegalStateException("bug");
        }));

        IdempotencyRecord record = store.find(CONNECTION, Secrets.sha256("k1")).orElseThrow();
        assertEquals(IdempotencyRecord.State.IN_PROGRESS, record.state());
        assertFalse(record.leaseUntil().isAfter(clock.instant()), "released");
    }
}
