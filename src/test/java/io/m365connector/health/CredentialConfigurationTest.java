package io.m365connector.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.ConnectorHarness.CredentialKind;
import io.m365connector.testing.LogRecorder;
import io.m365connector.testing.SecretsLedger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances with different app credential configurations against one storage account (a rolling
 * deployment, or an operator's fix): each trusts only the check of its own configuration, so a new
 * configuration is checked at once and refreshes go on at once, while the other's verdict stands for
 * the other; neither flips the other's state back and forth.
 */
class CredentialConfigurationTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness(HostingCloud.GLOBAL,
            Map.of(NationalCloud.GLOBAL, CredentialKind.SECRET), env -> { }, null);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenAnInstanceStartsWithAFixedSecretThenItChecksAtOnceAndRefreshesWhileTheOldConfigurationStaysInvalid() {
        String clientId = HARNESS.clientIds.get(NationalCloud.GLOBAL);
        String oldSecret = HARNESS.env.get("M365_GLOBAL_CLIENT_SECRET");
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        HARNESS.entra.setSecretExpired(clientId, oldSecret, true);
        try {
            whenFixed(clientId, id);
        } finally {
            HARNESS.entra.setSecretExpired(clientId, oldSecret, false);
            HARNESS.clock.advance(Duration.ofMinutes(16)); // the old configuration's verdict ages out for the other test
        }
    }

    private static void whenFixed(String clientId, String id) {
        AppCredentialMonitor old = ContextParts.of(HARNESS.context).appCredentialMonitor();
        assertEquals("invalid", old.checkDue().get(0).state().id());

        String newSecret = SecretsLedger.remember("secret-global-fixed-" + UUID.randomUUID());
        HARNESS.entra.registerApp(clientId, newSecret, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/callback");
        ConnectorHarness.Instance fixed = HARNESS.newInstance(env -> env.put("M365_GLOBAL_CLIENT_SECRET", newSecret));

        assertTrue(ContextParts.of(fixed.context()).appCredentialMonitor().current(NationalCloud.GLOBAL).isEmpty(),
                "the old secret's verdict is not the new one's: refreshes do not skip Entra ID");
        assertEquals("ok", ContextParts.of(fixed.context()).appCredentialMonitor().checkDue().get(0).state().id(), "checked at once, not in 15 minutes");
        assertEquals("invalid", old.checkDue().get(0).state().id(), "the old configuration keeps its own verdict");

        int refreshes = HARNESS.entra.tokenRequests("refresh_token");
        HARNESS.clock.advance(Duration.ofDays(8));
        Connection due = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        RefreshMessage message = new RefreshMessage(id, due.refresh().nextRefreshDue());
        assertEquals(RefreshWorker.Outcome.REFRESHED, ContextParts.of(fixed.context()).refreshWorker().handle(message));
        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"), "the fixed instance refreshed through Entra ID");
    }

    @Test
    void whenTheHomeTenantIsNewlySetThenTheNewInstanceIsCheckedAtOnceAndTheTwoNeverFlipEachOther() {
        ConnectorHarness.Instance before = HARNESS.newInstance(env -> env.remove("M365_GLOBAL_HOME_TENANT"));
        ConnectorHarness.Instance after = HARNESS.newInstance(env -> { });
        try (LogRecorder log = new LogRecorder()) {
            assertEquals("unknown", ContextParts.of(before.context()).appCredentialMonitor().checkDue().get(0).state().id());
            assertEquals("ok", ContextParts.of(after.context()).appCredentialMonitor().checkDue().get(0).state().id(),
                    "the home tenant's first check is made at once, not after the earlier result ages out");
            for (int round = 0; round < 3; round++) {
                HARNESS.clock.advance(Duration.ofMinutes(16));
                assertEquals("unknown", ContextParts.of(before.context()).appCredentialMonitor().checkDue().get(0).state().id());
                assertEquals("ok", ContextParts.of(after.context()).appCredentialMonitor().checkDue().get(0).state().id());
            }
            List<String> changes = log.atOrAbove(Level.INFO).stream().filter(line -> line.contains("App credential of the global cloud"))
                    .toList();
            assertTrue(changes.size() <= 2, "one line per configuration's first state, no flapping: " + changes);
        }
    }
}
