package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionPage;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.connection.OwnerQuery;
import io.m365connector.connection.SealedTokens;
import io.m365connector.connection.StatusListener;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.platform.ProblemCode;
import io.m365connector.testing.InMemoryConnectionStore;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.TestConnections;
import io.m365connector.testing.TestTokenBrokers;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.RefreshPolicy;
import io.m365connector.tokens.TokenBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The refresh worker's decisions on the in-memory connection store (no Azurite, no HTTP: none of these
 * paths reaches Entra ID): a vanished connection, one not due, one whose cloud's app credential is known
 * to be invalid, and the poison record on the last delivery.
 */
class RefreshWorkerUnitTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final RefreshOutcomes outcomes = new RefreshOutcomes(store, RefreshPolicy.keepAliveEvery(Duration.ofDays(7)), clock, StatusListener.NONE);
    private final TokenBroker broker = TestTokenBrokers.offline(store, outcomes, clock);
    private Optional<AppCredentialStatus> credential = Optional.empty();
    private final List<String> removing = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private final RefreshWorker worker = new RefreshWorker(store, broker, outcomes, clock, cloud -> credential,
            new RefreshWorker.Removals(removing::add, removed::add));

    @Test
    void whenTheConnectionIsGoneThenTheMessageIsDoneAndItsIndexEntryForgotten() {
        RefreshMessage message = new RefreshMessage(Connection.newId(), clock.instant());

        assertEquals(RefreshWorker.Outcome.GONE, worker.handle(message));
    }

    @Test
    void whenTheConnectionIsNotDueYetThenNothingHappens() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plus(Duration.ofDays(3))));

        assertEquals(RefreshWorker.Outcome.NOT_DUE, worker.handle(new RefreshMessage(c.id(), clock.instant())));
        assertEquals(c.version(), store.find(c.id()).orElseThrow().version(), "the row is untouched");
    }

    @Test
    void whenTheCloudsAppCredentialIsKnownInvalidThenEntraIdIsNotAskedAndTheConnectionStaysActiveDueSoon() {
        Connection c = store.create(TestConnections.active(NationalCloud.USGOV, clock.instant(), clock.instant().minusSeconds(60)));
        credential = Optional.of(new AppCredentialStatus(NationalCloud.USGOV, "client_secret", AppCredentialStatus.State.INVALID,
                ProblemCode.APP_SECRET_EXPIRED, null, clock.instant(), clock.instant(), "app_secret_expired"));

        assertEquals(RefreshWorker.Outcome.RETRY_LATER, worker.handle(new RefreshMessage(c.id(), c.refresh().nextRefreshDue())));

        Connection after = store.find(c.id()).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status(), "not the user's fault: no needs_reauth");
        assertEquals("app_secret_expired", after.refresh().lastErrorCode());
        assertTrue(after.refresh().nextRefreshDue().isBefore(clock.instant().plus(Duration.ofMinutes(16))), "due again soon");
    }

    @Test
    void whenADisconnectedConnectionsRemovalIsDueThenTheRowGoesAndSyncIsToldBeforeAndAfter() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null).toBuilder()
                .status(ConnectionStatus.DISCONNECTED).tokens(null).refresh(Connection.RefreshState.NONE.withNextRefreshDue(clock.instant()))
                .build());

        assertEquals(RefreshWorker.Outcome.REMOVED, worker.handle(new RefreshMessage(c.id(), clock.instant())));

        assertTrue(store.find(c.id()).isEmpty());
        assertEquals(List.of(c.id()), removing, "sync marks it first");
        assertEquals(List.of(c.id()), removed, "and purges after the row went");
    }

    @Test
    void whenARemovalIsNotDueYetOrTheConnectionNeedsReauthThenNothingIsRemoved() {
        Connection later = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null).toBuilder()
                .status(ConnectionStatus.DISCONNECTED).tokens(null)
                .refresh(Connection.RefreshState.NONE.withNextRefreshDue(clock.instant().plusSeconds(60))).build());
        Connection reauth = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null).toBuilder()
                .status(ConnectionStatus.NEEDS_REAUTH).tokens(new SealedTokens(new byte[] {1, 2, 3}, "v1"))
                .refresh(Connection.RefreshState.NONE.withNextRefreshDue(clock.instant())).build());

        assertEquals(RefreshWorker.Outcome.NOT_DUE, worker.handle(new RefreshMessage(later.id(), clock.instant())));
        assertEquals(RefreshWorker.Outcome.TOKENS_DROPPED, worker.handle(new RefreshMessage(reauth.id(), clock.instant())));

        assertTrue(store.find(later.id()).isPresent());
        assertTrue(store.find(reauth.id()).isPresent(), "needs_reauth is kept until the web app disconnects it");
        assertEquals(List.of(), removing);
        assertEquals(List.of(), removed);
    }

    /** OPERATIONS.md, data retention: a day after needs_reauth its tokens go; the row, its status and error stay. */
    @Test
    void whenANeedsReauthConnectionsDayIsOverThenItsTokensAreDroppedAndItStays() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null).toBuilder()
                .status(ConnectionStatus.NEEDS_REAUTH).tokens(new SealedTokens(new byte[] {1, 2, 3}, "v1"))
                .refresh(Connection.RefreshState.NONE.withNextRefreshDue(clock.instant())).build());

        assertEquals(RefreshWorker.Outcome.TOKENS_DROPPED, worker.handle(new RefreshMessage(c.id(), clock.instant())));

        Connection after = store.find(c.id()).orElseThrow();
        assertEquals(null, after.tokens());
        assertEquals(ConnectionStatus.NEEDS_REAUTH, after.status());
        assertEquals(null, after.refresh().nextRefreshDue(), "nothing more is due");
        assertEquals(List.of(), removing, "not removed");
    }

    @Test
    void whenAReconnectFinishesWhileTheRemovalIsUnderWayThenTheConnectionStays() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null).toBuilder()
                .status(ConnectionStatus.DISCONNECTED).tokens(null).refresh(Connection.RefreshState.NONE.withNextRefreshDue(clock.instant()))
                .build());
        RefreshWorker racing = new RefreshWorker(store, broker, outcomes, clock, cloud -> credential, new RefreshWorker.Removals(
                id -> store.putAsAnotherWriter(store.find(id).orElseThrow().toBuilder().status(ConnectionStatus.ACTIVE).build()), removed::add));

        assertEquals(RefreshWorker.Outcome.NOT_DUE, racing.handle(new RefreshMessage(c.id(), clock.instant())));

        assertEquals(ConnectionStatus.ACTIVE, store.find(c.id()).orElseThrow().status());
        assertEquals(List.of(), removed, "sync keeps what the reconnected connection has");
    }

    @Test
    void whenTheLastDeliveryFailsThenTheConnectionRecordsWhyAndTheErrorGoesBackToTheHost() {
        Connection c = store.create(TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().minusSeconds(60)));
        IllegalStateException failure = new IllegalStateException("boom");
        RefreshWorker failing = new RefreshWorker(new UnreadableStore(store, failure), broker, outcomes, clock, cloud -> Optional.empty(),
                RefreshWorker.Removals.NONE);

        assertSame(failure, assertThrows(IllegalStateException.class, () -> failing.handle(new RefreshMessage(c.id(), clock.instant()), 5, 5)));

        assertEquals("internal_error", store.find(c.id()).orElseThrow().refresh().lastErrorCode());
    }

    /** The store whose reads fail (storage trouble on every delivery); writes reach the real one. */
    private record UnreadableStore(InMemoryConnectionStore store, RuntimeException failure) implements ConnectionStore {
        @Override
        public Optional<Connection> find(String id) {
            throw failure;
        }

        @Override
        public Connection create(Connection connection) {
            return store.create(connection);
        }

        @Override
        public Connection update(Connection connection) {
            return store.update(connection);
        }

        @Override
        public void delete(String id) {
            store.delete(id);
        }

        @Override
        public boolean deleteIfUnchanged(Connection read) {
            return store.deleteIfUnchanged(read);
        }

        @Override
        public List<DueConnection> findDue(Instant now, int limit) {
            return store.findDue(now, limit);
        }

        @Override
        public void forgetDue(DueConnection entry) {
            store.forgetDue(entry);
        }

        @Override
        public void recordUse(String id, Instant at) {
            store.recordUse(id, at);
        }

        @Override
        public ConnectionPage listByOwner(OwnerQuery query) {
            return store.listByOwner(query);
        }
    }
}
