package io.m365connector.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.graph.GraphException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.JsonFingerprint;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.InMemoryIdempotencyStore;
import io.m365connector.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
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

    @Test
    void leaseForTheDefaultTimeoutCoversTwoTimeoutsAndTheRetryBudgetTwiceAndIsNeverUnderAMinute() {
        assertEquals(Duration.ofSeconds(140), Idempotency.leaseFor(Duration.ofSeconds(30), Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(60), Idempotency.leaseFor(Duration.ofSeconds(1), Duration.ofSeconds(10)));
    }

    @Test
    void whenTheLeaseRunsLowDuringTheWorkThenKeepLeaseRenewsItAndAnotherRequestWithTheKeyIsToldToWait() {
        ConnectorException[] other = new ConnectorException[1];
        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            clock.advance(LEASE.multipliedBy(6).dividedBy(10)); // inside a long call: less than half the lease left
            step.keepLease();
            clock.advance(LEASE.multipliedBy(6).dividedBy(10)); // past the first lease, within the renewed one
            other[0] = assertThrows(ConnectorException.class, () -> send("k1", "{}"));
            return new Sent(CONNECTION, 1);
        });

        assertEquals(ProblemCode.REQUEST_IN_PROGRESS, other[0].code(), "no second runner while the first is working");
        assertEquals(0, runs.get());
    }

    @Test
    void whenKeepLeaseFindsPlentyLeftThenItWritesNothing() {
        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            String before = store.find(CONNECTION, Secrets.sha256("k1")).orElseThrow().version();
            step.keepLease();
            assertEquals(before, store.find(CONNECTION, Secrets.sha256("k1")).orElseThrow().version(), "no write per call");
            return new Sent(CONNECTION, 1);
        });
    }

    @Test
    void whenAnotherRunnerTookTheKeyOverThenTheFirstStopsBeforeItsNextCall() {
        AtomicInteger callsAfterTakeOver = new AtomicInteger();
        ConnectorException stopped = assertThrows(ConnectorException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            clock.advance(LEASE.plusSeconds(1)); // stuck far longer than any call may take
            send("k1", "{}");                    // meanwhile a retry takes the key over and finishes
            step.keepLease();                    // before its next call: the record is no longer this runner's
            callsAfterTakeOver.incrementAndGet();
            return new Sent(CONNECTION, 1);
        }));

        assertEquals(ProblemCode.REQUEST_IN_PROGRESS, stopped.code());
        assertEquals(0, callsAfterTakeOver.get());
        assertEquals(1, runs.get(), "the runner that took over did the work once");
        assertTrue(send("k1", "{}").replayed(), "its outcome stands");
    }

    @Test
    void whenTheRecordWasTakenOverThenSavingProgressBeforeANonRepeatableCallStopsTheRunner() {
        assertThrows(ConnectorException.class, () -> idempotency.run(request("k1", "{}"), Sent.class, step -> {
            clock.advance(LEASE.plusSeconds(1));
            send("k1", "{}");
            step.saveProgress("about to send");
            throw new AssertionError("must not get here");
        }));
    }

    @Test
    void whenStorageRefusesARenewalWhileTheLeaseStillRunsThenTheWorkGoesOnAndOnceItRanOutItStops() {
        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            clock.advance(LEASE.multipliedBy(6).dividedBy(10));
            store.failNextUpdates(1);
            step.keepLease(); // tried, refused, the lease still runs: the next call may go
            return new Sent(CONNECTION, 1);
        });
        assertThrows(StorageUnavailableException.class, () -> idempotency.run(request("k2", "{}"), Sent.class, step -> {
            clock.advance(LEASE.plusSeconds(1));
            store.failNextUpdates(1);
            step.keepLease();
            throw new AssertionError("no call without a lease");
        }));
    }

    @Test
    void whenStorageRefusesTheOutcomeThenTheAnswerStillGoesOutAndTheRecordKeepsItsProgressForTheRetry() {
        Idempotency.Outcome<Sent> sent = idempotency.run(request("k1", "{}"), Sent.class, step -> {
            step.saveProgress("about to send");
            store.failNextUpdates(3);
            return new Sent(CONNECTION, 1);
        });

        assertEquals(new Sent(CONNECTION, 1), sent.value(), "the work was done: its answer, not 'storage unavailable'");
        IdempotencyRecord record = store.find(CONNECTION, Secrets.sha256("k1")).orElseThrow();
        assertEquals(IdempotencyRecord.State.IN_PROGRESS, record.state());
        assertEquals("about to send", record.progress(), "a retry finds what was about to happen");
    }

    @Test
    void whenStorageRefusesTheOutcomeOnceThenItIsStoredOnTheNextTry() {
        idempotency.run(request("k1", "{}"), Sent.class, step -> {
            store.failNextUpdates(1);
            return new Sent(CONNECTION, 1);
        });

        assertEquals(IdempotencyRecord.State.COMPLETED, store.find(CONNECTION, Secrets.sha256("k1")).orElseThrow().state());
    }

    /** Counts the store's reads and writes: a keyed send's cost in Table Storage. */
    private static final class CountingStore implements IdempotencyStore {
        private final InMemoryIdempotencyStore inner = new InMemoryIdempotencyStore();
        int reads;
        int writes;
        int creates;

        @Override
        public Optional<IdempotencyRecord> tryCreate(IdempotencyRecord record) {
            writes++;
            creates++;
            return inner.tryCreate(record);
        }

        @Override
        public Optional<IdempotencyRecord> find(String connectionId, String keyHash) {
            reads++;
            return inner.find(connectionId, keyHash);
        }

        @Override
        public IdempotencyRecord update(IdempotencyRecord record) {
            writes++;
            return inner.update(record);
        }

        @Override
        public int deleteCreatedBefore(Instant cutoff) {
            return inner.deleteCreatedBefore(cutoff);
        }
    }

    @Test
    void whenTheKeyIsClaimedWithTheFirstProgressThenARunToItsEndWritesTwice() {
        CountingStore counting = new CountingStore();
        Idempotency deferred = new Idempotency(counting, clock, new ClockSleeper(clock), LEASE, WAIT);

        deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            assertTrue(step.progress().isEmpty());
            step.keepLease(); // nothing claimed yet: nothing to renew, nothing written
            assertEquals(0, counting.writes, "nothing written before the first progress");
            step.saveProgress("about to send");
            return new Sent(CONNECTION, 1);
        });

        assertEquals(2, counting.writes, "the claim (with its progress) and the outcome");
        assertEquals(1, counting.reads);
        IdempotencyRecord record = counting.find(CONNECTION, Secrets.sha256("k1")).orElseThrow();
        assertEquals(IdempotencyRecord.State.COMPLETED, record.state());
        Idempotency.Outcome<Sent> again = deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            throw new AssertionError("a settled key does not run again");
        });
        assertTrue(again.replayed());
    }

    @Test
    void whenAKeyClaimedWithTheFirstProgressIsReplayedThenTheReplayCostsOneReadAndNoCreate() {
        CountingStore counting = new CountingStore();
        Idempotency deferred = new Idempotency(counting, clock, new ClockSleeper(clock), LEASE, WAIT);
        deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            step.saveProgress("about to send");
            return new Sent(CONNECTION, 1);
        });
        counting.reads = 0;
        counting.writes = 0;
        counting.creates = 0;

        Idempotency.Outcome<Sent> again = deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            throw new AssertionError("a settled key does not run again");
        });

        assertTrue(again.replayed());
        assertEquals(1, counting.reads, "the record read once");
        assertEquals(0, counting.creates, "no create that must fail");
        assertEquals(0, counting.writes);
    }

    @Test
    void whenTheHoldersLeaseRanOutThenARetryClaimingWithTheFirstProgressTakesOverFromOneReadWithoutACreate() {
        CountingStore counting = new CountingStore();
        Idempotency deferred = new Idempotency(counting, clock, new ClockSleeper(clock), LEASE, WAIT);
        Instant start = clock.instant();
        counting.inner.tryCreate(new IdempotencyRecord(CONNECTION, Secrets.sha256("k1"), JsonFingerprint.of("mail", Json.parseRequest("{}")),
                "mail", IdempotencyRecord.State.IN_PROGRESS, start.plus(LEASE), "about to send", null, null, start, null));
        clock.advance(LEASE);
        String[] seen = new String[1];

        Idempotency.Outcome<Sent> retried = deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            seen[0] = step.progress().orElse(null);
            return new Sent(CONNECTION, 1);
        });

        assertFalse(retried.replayed());
        assertEquals("about to send", seen[0], "resumed from the dead runner's progress");
        assertEquals(1, counting.reads, "the record read once");
        assertEquals(0, counting.creates, "no create that must fail");
        assertEquals(2, counting.writes, "the take-over and the outcome");
        assertEquals(IdempotencyRecord.State.COMPLETED, counting.find(CONNECTION, Secrets.sha256("k1")).orElseThrow().state());
    }

    @Test
    void whenAnotherRequestClaimsTheKeyWhileThisOnePreparesThenThisOneUndoesItAndAnswersWithTheOthersOutcome() {
        AtomicInteger undone = new AtomicInteger();

        Idempotency.Outcome<Sent> outcome = idempotency.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            send("k1", "{}"); // the other request, with the same key, runs to its end meanwhile
            try {
                step.saveProgress("about to send");
            } catch (KeyTaken taken) {
                undone.incrementAndGet();
                throw taken;
            }
            throw new AssertionError("the key was taken: no call after it");
        });

        assertEquals(1, undone.get(), "what this request prepared was undone");
        assertTrue(outcome.replayed(), "the other request's outcome");
        assertEquals(new Sent(CONNECTION, 2), outcome.value());
        assertEquals(1, runs.get());
    }

    @Test
    void whenTheWorkFailsForGoodBeforeClaimingThenTheFailureIsStoredInOneWrite() {
        CountingStore counting = new CountingStore();
        Idempotency deferred = new Idempotency(counting, clock, new ClockSleeper(clock), LEASE, WAIT);

        assertThrows(ConnectorException.class, () -> deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS,
                step -> {
                    throw new ConnectorException(ProblemCode.MAILBOX_ACCESS_DENIED, "denied", CONNECTION, null);
                }));

        assertEquals(1, counting.writes);
        assertThrows(StoredProblem.class, () -> deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS,
                step -> new Sent(CONNECTION, 1)));
    }

    @Test
    void whenTheWorkFailsForNowBeforeClaimingThenNothingIsRecordedAndTheRetryStartsAfresh() {
        CountingStore counting = new CountingStore();
        Idempotency deferred = new Idempotency(counting, clock, new ClockSleeper(clock), LEASE, WAIT);

        assertThrows(ConnectorException.class, () -> deferred.run(request("k1", "{}"), Sent.class, Idempotency.Claim.WITH_FIRST_PROGRESS,
                step -> {
                    throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE, "later");
                }));

        assertEquals(0, counting.writes);
        assertTrue(counting.find(CONNECTION, Secrets.sha256("k1")).isEmpty());
    }
}
