package io.m365connector.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.ConnectorHarness.CredentialKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The app registration deleted in its home tenant, then restored (Entra ID keeps it 30 days): every refresh is refused
 * with AADSTS700016, "application not found in the directory", which also says a user's tenant lacks the app. The first
 * refused refresh has the credential check made at once, which finds the registration gone at home: no connection is
 * marked as needing a new sign-in, and after the restore they refresh again without one.
 */
class RegistrationDeletedTest {
    /** One per test: each moves the clock by days, and a sign-in after that would meet its own ID token expired. */
    private final ConnectorHarness harness = new ConnectorHarness(HostingCloud.GLOBAL,
            Map.of(NationalCloud.GLOBAL, CredentialKind.SECRET), env -> { }, null);

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void whenTheRegistrationIsDeletedThenRefusedRefreshesMarkNoConnectionAndTheRestoreNeedsNoNewSignIn() {
        String clientId = harness.clientIds.get(NationalCloud.GLOBAL);
        List<String> ids = List.of(harness.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(),
                harness.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId());
        harness.clock.advance(Duration.ofDays(8)); // both due
        AppCredentialMonitor monitor = ContextParts.of(harness.context).appCredentialMonitor();
        assertEquals("ok", monitor.checkDue().get(0).state().id(), "checked: the verdict stands 15 minutes");
        harness.clock.advance(Duration.ofMinutes(1)); // the registration is deleted a minute after the check

        harness.entra.setAppDeleted(clientId, true);
        try {
            int refreshes = harness.entra.tokenRequests("refresh_token");
            for (String id : ids) {
                assertEquals(RefreshWorker.Outcome.RETRY_LATER, refresh(id));
            }
            for (String id : ids) {
                Connection c = ContextParts.of(harness.context).connections().find(id).orElseThrow();
                assertEquals(ConnectionStatus.ACTIVE, c.status(), "the app's registration is gone, not the user's grant");
                assertEquals("app_registration_not_found", c.refresh().lastErrorCode(), c.refresh().toString());
            }
            assertEquals(refreshes + 1, harness.entra.tokenRequests("refresh_token"),
                    "the check recorded its finding at once: the second connection was not sent to Entra ID");
            assertEquals("invalid", monitor.current(NationalCloud.GLOBAL).orElseThrow().state().id());
        } finally {
            harness.entra.setAppDeleted(clientId, false); // restored
        }

        harness.clock.advance(Duration.ofMinutes(16));
        assertEquals("ok", monitor.checkDue().get(0).state().id());
        for (String id : ids) {
            assertEquals(RefreshWorker.Outcome.REFRESHED, refresh(id), "the restored registration's refresh tokens still work");
        }
    }

    @Test
    void whenTheUsersTenantLacksTheAppThenTheCheckFindsTheRegistrationAtHomeAndTheConnectionNeedsANewSignIn() {
        String id = harness.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        harness.clock.advance(Duration.ofDays(8));
        harness.entra.nextTokenError(400, "unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the "
                + "directory 'y'.", 700016); // the refresh: the user's tenant removed the app

        int checks = harness.entra.tokenRequests("client_credentials");

        assertEquals(RefreshWorker.Outcome.NEEDS_REAUTH, refresh(id));
        assertEquals(checks + 1, harness.entra.tokenRequests("client_credentials"), "the check was made at the refusal");
        assertEquals("ok", ContextParts.of(harness.context).appCredentialMonitor().current(NationalCloud.GLOBAL).orElseThrow().state().id(),
                "the check made at once found the registration at home");
    }

    /** Hands the connection's refresh to the worker as the sweep would, once it is due (after a backoff, when that has passed). */
    private RefreshWorker.Outcome refresh(String id) {
        Connection c = ContextParts.of(harness.context).connections().find(id).orElseThrow();
        if (c.refresh().nextRefreshDue().isAfter(harness.clock.instant())) {
            harness.clock.advance(Duration.between(harness.clock.instant(), c.refresh().nextRefreshDue()).plusSeconds(1));
        }
        return ContextParts.of(harness.context).refreshWorker().handle(new RefreshMessage(id, c.refresh().nextRefreshDue()));
    }
}
