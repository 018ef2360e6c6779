package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.SealedTokens;
import io.m365connector.connection.StatusListener;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.testing.InMemoryConnectionStore;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.TestConnections;
import io.m365connector.testing.TestTokenBrokers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The broker's refusals on the in-memory connection store: each is decided from the row alone, before
 * Entra ID (the MSAL clients here point at nothing that answers, so a refusal that reached Entra would
 * fail differently). Tokens themselves, refreshed and renewed against the fake Entra ID, are in {@link TokenBrokerTest}.
 */
class TokenBrokerUnitTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final RefreshOutcomes outcomes = new RefreshOutcomes(store, RefreshPolicy.keepAliveEvery(Duration.ofDays(7)), clock, StatusListener.NONE);
    private final TokenBroker broker = TestTokenBrokers.offline(store, outcomes, clock);

    private Connection stored(ConnectionStatus status, String lastError) {
        Connection c = TestConnections.active(NationalCloud.GLOBAL, clock.instant(), clock.instant().plus(Duration.ofDays(1)));
        RefreshState r = c.refresh();
        return store.create(c.toBuilder().status(status).tokens(new SealedTokens(new byte[] {1, 2, 3}, "v1"))
                .refresh(new RefreshState(r.accessTokenExpiresAt(), r.nextRefreshDue(), r.lastRefreshAt(), lastError, 0, null)).build());
    }

    private ConnectorException refused(ConnectionRef ref, Set<String> scopes) {
        return assertThrows(ConnectorException.class, () -> broker.tokenFor(ref, scopes));
    }

    @Test
    void whenTheConnectionIsUnknownOrAnotherOwnersThenBothAnswerTheSameNotFound() {
        Connection c = stored(ConnectionStatus.ACTIVE, null);

        String unknownId = Connection.newId();
        ConnectorException unknown = refused(ConnectionRef.of(unknownId, c.ownerId()), Set.of("Mail.Send"));
        ConnectorException otherOwner = refused(ConnectionRef.of(c.id(), "someone-else"), Set.of("Mail.Send"));

        assertEquals(ProblemCode.NOT_FOUND, unknown.code());
        assertEquals(ProblemCode.NOT_FOUND, otherOwner.code());
        assertEquals(unknown.getMessage().replace(unknownId, "ID"), otherOwner.getMessage().replace(c.id(), "ID"),
                "nothing tells another owner the connection exists");
    }

    @Test
    void whenTheConnectionNeedsTheUserThenReauthRequiredSaysWhyAndWhatToDo() {
        Connection needsReauth = stored(ConnectionStatus.NEEDS_REAUTH, "invalid_grant");
        Connection pending = stored(ConnectionStatus.PENDING, null);
        Connection disconnected = stored(ConnectionStatus.DISCONNECTED, null);

        ConnectorException a = refused(ConnectionRef.of(needsReauth.id(), null), Set.of("Mail.Send"));
        ConnectorException b = refused(ConnectionRef.of(pending.id(), null), Set.of("Mail.Send"));
        ConnectorException c = refused(ConnectionRef.of(disconnected.id(), null), Set.of("Mail.Send"));

        assertEquals(List.of(ProblemCode.REAUTH_REQUIRED, ProblemCode.REAUTH_REQUIRED, ProblemCode.REAUTH_REQUIRED), List.of(a.code(), b.code(), c.code()));
        assertTrue(a.getMessage().contains("(invalid_grant)") && a.getMessage().contains("connect again"), a.getMessage());
        assertTrue(b.getMessage().contains("not finished connecting"), b.getMessage());
        assertTrue(c.getMessage().contains("disconnected"), c.getMessage());
    }

    @Test
    void whenAPermissionIsMissingThenMissingPermissionsNamesItAndHowToAddIt() {
        Connection c = stored(ConnectionStatus.ACTIVE, null); // Mail.Send, Mail.ReadWrite, Calendars.ReadWrite

        ConnectorException e = refused(ConnectionRef.of(c.id(), null), Set.of("mail.send", "Mail.Read.Shared"));

        assertEquals(ProblemCode.MISSING_PERMISSIONS, e.code());
        assertTrue(e.getMessage().contains("Mail.Read.Shared") && !e.getMessage().contains("mail.send"), "case-insensitive, only the missing one: "
                + e.getMessage());
        assertTrue(e.getMessage().contains("connectionId"), "says how to add it: " + e.getMessage());
    }

    @Test
    void whenAskedWhichOfSeveralPermissionSetsTheConnectionHoldsThenTheFirstHeldIsAnswered() {
        Connection c = stored(ConnectionStatus.ACTIVE, null);

        Optional<Set<String>> held = broker.firstHeld(ConnectionRef.of(c.id(), null),
                List.of(Set.of("Mail.Read.Shared"), Set.of("Mail.ReadWrite"), Set.of("Mail.Send")));

        assertEquals(Optional.of(Set.of("Mail.ReadWrite")), held);
        assertEquals(Optional.empty(), broker.firstHeld(ConnectionRef.of(c.id(), null), List.of(Set.of("Calendars.Read.Shared"))));
    }
}
