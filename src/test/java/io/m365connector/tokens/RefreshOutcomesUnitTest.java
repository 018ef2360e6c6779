package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionPage;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.connection.OwnerQuery;
import io.m365connector.connection.SealedTokens;
import io.m365connector.connection.StatusListener;
import io.m365connector.platform.ProblemCode;
import io.m365connector.testing.InMemoryConnectionStore;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.TestConnections;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one writer of token outcomes, on the in-memory connection store (no Azurite, no Entra ID): the
 * backoff of temporary failures, the shorter ceiling for the app's own credential, a dead grant marked
 * only on the row as read, and renewed tokens that win over a racing needs_reauth but never over newer tokens.
 * The same outcomes through every real path are in {@link RefreshOutcomesTest}.
 */
class RefreshOutcomesUnitTest {
    private static final SealedTokens OLD = new SealedTokens(new byte[] {1, 2, 3}, "v1");
    private static final SealedTokens NEW = new SealedTokens(new byte[] {4, 5, 6}, "v1");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final List<String> changes = new ArrayList<>();
    /** What listeners were told before a save (sync's schedule, the web app's backstop event), with the row stored then. */
    private final List<String> prepared = new ArrayList<>();
    private final StatusListener listener = new StatusListener() {
        @Override
        public void statusChanged(Connection before, Connection after) {
            changes.add(before.status() + "->" + after.status());
        }

        @Override
        public void beforeChange(Connection before, Connection after) {
            prepared.add(before.status() + "->" + after.status() + ", stored "
                    + store.find(after.id()).map(c -> c.status().toString()).orElse("nothing"));
        }
    };
    private final RefreshOutcomes outcomes = new RefreshOutcomes(store, RefreshPolicy.keepAliveEvery(Duration.ofDays(7)), clock, listener);

    private Connection stored() {
        Connection c = TestConnections.active(NationalCloud.USGOV, clock.instant(), clock.instant().plus(Duration.ofDays(1)));
        return store.create(c.toBuilder().tokens(OLD).build());
    }

    private static RefreshFailure failure(RefreshFailure.Kind kind, ProblemCode code, Duration retryAfter) {
        return new RefreshFailure(kind, code, Optional.ofNullable(retryAfter), "test");
    }

    @Test
    void whenRefreshFailsForNowThenTheConnectionStaysActiveAndIsDueAgainAfterAGrowingJitteredBackoffCappedAtSixHours() {
        Connection c = stored();
        for (int failures = 1; failures <= 10; failures++) {
            outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, null));

            Connection after = store.find(c.id()).orElseThrow();
            assertEquals(ConnectionStatus.ACTIVE, after.status());
            assertEquals(failures, after.refresh().failureCount());
            assertEquals("temporarily_unavailable", after.refresh().lastErrorCode());
            long base = Math.min(Duration.ofMinutes(2).toMillis() << (failures - 1), Duration.ofHours(6).toMillis());
            long wait = Duration.between(clock.instant(), after.refresh().nextRefreshDue()).toMillis();
            assertTrue(wait >= base * 0.8 && wait <= base * 1.2, "failure " + failures + ": " + wait + " ms vs " + base + " +-20%");
        }
        assertTrue(changes.isEmpty(), "no status change, no webhook: " + changes);
    }

    @Test
    void whenEntraSaysRetryAfterLongerThanTheBackoffThenItIsDueAgainAfterItWithUpToAFifthMoreSpreadOverConnections() {
        Set<Instant> due = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Connection c = stored();

            outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, Duration.ofMinutes(40)));

            Instant next = store.find(c.id()).orElseThrow().refresh().nextRefreshDue();
            assertFalse(next.isBefore(clock.instant().plus(Duration.ofMinutes(40))), "never before Retry-After: " + next);
            assertFalse(next.isAfter(clock.instant().plus(Duration.ofMinutes(48))), "at most a fifth more: " + next);
            due.add(next);
        }
        assertTrue(due.size() > 10, "connections throttled together come back spread out: " + due);
    }

    /** A short Retry-After does not cut a long backoff: a connection Entra keeps throttling backs off like any other. */
    @Test
    void whenEntraSaysRetryAfterShorterThanTheBackoffThenTheBackoffStands() {
        Connection c = stored();
        for (int i = 0; i < 6; i++) {
            outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.THROTTLED, null));
        }

        outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.THROTTLED, Duration.ofMinutes(5)));

        long wait = Duration.between(clock.instant(), store.find(c.id()).orElseThrow().refresh().nextRefreshDue()).toMinutes();
        assertTrue(wait >= 102, "the 7th failure's backoff (128 min -20%), not Retry-After's 5 minutes: " + wait);
    }

    /**
     * During an Entra outage busy connections are written by every failing action: a failure that cannot be recorded
     * because the row kept changing is dropped, so that the caller still gets the refresh's answer (503), not a 409.
     */
    @Test
    void whenTheRowKeepsChangingThenATemporaryFailureIsNotRecordedAndNothingIsThrown() {
        Connection c = stored();
        ConnectionStore busy = new ConnectionStore() {
            @Override public Optional<Connection> find(String id) { return store.find(id); }
            @Override public Connection create(Connection connection) { return store.create(connection); }
            @Override public Connection update(Connection connection) {
                throw new ConcurrentUpdateException(connection.id(), "another writer won");
            }
            @Override public void delete(String id) { store.delete(id); }
            @Override public boolean deleteIfUnchanged(Connection read) { return store.deleteIfUnchanged(read); }
            @Override public ConnectionPage listByOwner(OwnerQuery query) { return store.listByOwner(query); }
            @Override public List<DueConnection> findDue(Instant now, int limit) { return store.findDue(now, limit); }
            @Override public void forgetDue(DueConnection entry) { store.forgetDue(entry); }
            @Override public void recordUse(String id, Instant at) { store.recordUse(id, at); }
        };

        new RefreshOutcomes(busy, RefreshPolicy.keepAliveEvery(Duration.ofDays(7)), clock, listener)
                .retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, null));

        assertEquals(0, store.find(c.id()).orElseThrow().refresh().failureCount());
    }

    @Test
    void whenTheAppsOwnCredentialIsRefusedThenConnectionsAreRetriedAtLeastEveryFifteenMinutesSpreadBelowIt() {
        Set<Instant> due = new HashSet<>();
        for (int n = 0; n < 10; n++) {
            Connection c = stored();
            for (int i = 0; i < 8; i++) {
                outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.CONFIGURATION, ProblemCode.APP_SECRET_EXPIRED, i == 7 ? Duration.ofHours(1) : null));
            }

            Connection after = store.find(c.id()).orElseThrow();
            assertEquals(8, after.refresh().failureCount());
            Instant next = after.refresh().nextRefreshDue();
            assertFalse(next.isAfter(clock.instant().plus(Duration.ofMinutes(15))), "not the 4 hours of an 8th failure, nor Retry-After's hour: " + next);
            assertFalse(next.isBefore(clock.instant().plus(Duration.ofMinutes(12))), "at most a fifth sooner: " + next);
            assertEquals(ConnectionStatus.ACTIVE, after.status(), "the user did nothing wrong");
            due.add(next);
        }
        assertTrue(due.size() > 5, "a cloud's connections come back spread out: " + due);
    }

    @Test
    void whenTheConnectionIsNoLongerActiveThenATemporaryFailureChangesNothing() {
        Connection c = stored();
        Connection marked = store.update(c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).build());

        outcomes.retryLater(c.id(), failure(RefreshFailure.Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, null));

        assertEquals(marked.version(), store.find(c.id()).orElseThrow().version());
    }

    @Test
    void whenTheGrantIsDeadThenTheRowAsReadIsMarkedNeedsReauthOnceWithOneStatusChange() {
        Connection read = stored();

        assertTrue(outcomes.needsReauth(read, failure(RefreshFailure.Kind.PERMANENT, ProblemCode.REAUTH_REQUIRED, null)));

        Connection after = store.find(read.id()).orElseThrow();
        assertEquals(ConnectionStatus.NEEDS_REAUTH, after.status());
        assertEquals("reauth_required", after.refresh().lastErrorCode());
        assertEquals(clock.instant().plus(RefreshOutcomes.TOKENS_KEPT_AFTER_REAUTH), after.refresh().nextRefreshDue(),
                "nothing left to refresh: due once more, to drop its tokens");
        // the web app's event is queued (as a backstop) before the row: a process killed after the row loses no event
        assertEquals(List.of("ACTIVE->NEEDS_REAUTH, stored ACTIVE"), prepared);
        assertEquals(List.of("ACTIVE->NEEDS_REAUTH"), changes);
    }

    @Test
    void whenAnotherWriterStoredNewTokensMeanwhileThenADeadGrantDoesNotMarkTheConnection() {
        Connection read = stored();
        store.putAsAnotherWriter(read.toBuilder().tokens(NEW).build());

        assertFalse(outcomes.needsReauth(read, failure(RefreshFailure.Kind.PERMANENT, ProblemCode.REAUTH_REQUIRED, null)));

        Connection after = store.find(read.id()).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status());
        assertEquals(NEW, after.tokens());
        assertEquals(List.of("ACTIVE->NEEDS_REAUTH, stored ACTIVE"), prepared, "told before the save (its backstop is dropped: the row never shows it)");
        assertTrue(changes.isEmpty(), "never after");
    }

    @Test
    void whenARacingRefreshMarkedNeedsReauthWithTheOldTokensThenTheRenewedTokensWinAndTheConnectionIsActiveAgain() {
        Connection read = stored();
        // Another instance refreshed with the same (old) refresh token, lost the race with ours and marked the row.
        store.putAsAnotherWriter(read.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).build());

        Optional<Connection> renewed = outcomes.renewed(read, NEW, clock.instant().plusSeconds(3600), null);

        assertTrue(renewed.isPresent());
        Connection after = store.find(read.id()).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status());
        assertEquals(NEW, after.tokens());
        // sync's schedule is written before the row (SyncEnrollment.beforeChange): a death after the row loses no enrollment
        assertEquals(List.of("NEEDS_REAUTH->ACTIVE, stored NEEDS_REAUTH"), prepared);
        assertEquals(List.of("NEEDS_REAUTH->ACTIVE"), changes);
    }

    @Test
    void whenAnotherWriterStoredOtherTokensMeanwhileThenRenewedTokensNeverOverwriteThem() {
        Connection read = stored();
        SealedTokens newer = new SealedTokens(new byte[] {7, 8, 9}, "v2");
        store.putAsAnotherWriter(read.toBuilder().tokens(newer).build());

        Optional<Connection> renewed = outcomes.renewed(read, NEW, clock.instant().plusSeconds(3600), null);

        assertTrue(renewed.isEmpty(), "the caller reads the row again and uses the other writer's tokens");
        assertEquals(newer, store.find(read.id()).orElseThrow().tokens());
    }
}
