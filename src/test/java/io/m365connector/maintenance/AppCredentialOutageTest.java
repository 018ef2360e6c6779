package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.testing.ConnectorHarness.CredentialKind;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A cloud whose app secret expires while 200 connections are due: the sweep and the queue workers
 * run as in Azure (Azurite queues), the fake Entra ID refuses the secret, the credential check finds
 * out. No connection is marked needs_reauth, Entra ID stops getting doomed requests once the check
 * knows, the web app gets one signed event per change, and every connection recovers after the
 * operator fixes the secret.
 */
class AppCredentialOutageTest {
    private static final int CONNECTIONS = 200;
    private static final String WEBHOOK_SECRET = StandardWebhooks.newSecret();
    private static final WebhookReceiver RECEIVER = new WebhookReceiver();
    private static final ConnectorHarness HARNESS = new ConnectorHarness(HostingCloud.GLOBAL,
            Map.of(NationalCloud.GLOBAL, CredentialKind.SECRET), env -> {
                env.put("NOTIFY_WEBHOOK_URL", RECEIVER.url());
                env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", WEBHOOK_SECRET);
            }, null);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        RECEIVER.close();
    }

    @Test
    void whenTheAppSecretExpiresWhile200RefreshesAreDueThenNoneNeedsReauthAndAllRecoverAfterTheFix() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            ids.add(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId());
        }
        AppCredentialMonitor monitor = ContextParts.of(HARNESS.context).appCredentialMonitor();
        assertEquals("ok", monitor.checkDue().get(0).state().id());
        List<String> credentialLog = captureCredentialLog();
        String clientId = HARNESS.clientIds.get(NationalCloud.GLOBAL);
        String secret = HARNESS.env.get("M365_GLOBAL_CLIENT_SECRET");

        HARNESS.entra.setSecretExpired(clientId, secret, true);
        HARNESS.clock.advance(Duration.ofDays(8)); // every connection's keep-alive refresh is due
        int refreshesBefore = HARNESS.entra.tokenRequests("refresh_token");
        sweepAndWork(CONNECTIONS / 4);           // the first quarter reaches Entra ID before the check knows
        int refusedByEntra = HARNESS.entra.tokenRequests("refresh_token") - refreshesBefore;
        assertEquals("invalid", monitor.checkDue().get(0).state().id());
        sweepAndWork(CONNECTIONS);              // the rest: the worker knows, Entra ID is not asked
        int whileKnownInvalid = HARNESS.entra.tokenRequests("refresh_token") - refreshesBefore - refusedByEntra;

        assertEquals(CONNECTIONS / 4, refusedByEntra);
        assertEquals(0, whileKnownInvalid);
        for (String id : ids) {
            Connection c = row(id);
            assertEquals(ConnectionStatus.ACTIVE, c.status(), id);
            assertEquals("app_secret_expired", c.refresh().lastErrorCode());
            assertTrue(c.refresh().nextRefreshDue().isBefore(HARNESS.clock.instant().plus(Duration.ofMinutes(16))),
                    "retried soon, not after hours of backoff: " + c.refresh().nextRefreshDue());
        }

        HARNESS.entra.setSecretExpired(clientId, secret, false); // the operator rotated the secret
        HARNESS.clock.advance(Duration.ofMinutes(16));
        assertEquals("ok", monitor.checkDue().get(0).state().id());
        assertEquals(CONNECTIONS, sweepAndWork(CONNECTIONS));

        for (String id : ids) {
            Connection c = row(id);
            assertEquals(ConnectionStatus.ACTIVE, c.status());
            assertEquals(null, c.refresh().lastErrorCode(), id);
            assertEquals(0, c.refresh().failureCount());
            assertTrue(c.refresh().nextRefreshDue().isAfter(HARNESS.clock.instant().plus(Duration.ofDays(6))));
        }
        assertEquals(2, credentialLog.size(), "one line when it broke, one when it recovered: " + credentialLog);
        assertTrue(credentialLog.get(0).contains("is now invalid (app_secret_expired)"), credentialLog.get(0));
        assertTrue(credentialLog.get(1).contains("is now ok, was invalid"), credentialLog.get(1));
        List<JsonNode> events = deliverNotifications();
        assertEquals(List.of("app_credential_invalid", "app_credential_recovered"), events.stream()
                .filter(e -> e.get("type").asText().startsWith("app_credential")).map(e -> e.get("type").asText()).toList());
        assertTrue(events.stream().noneMatch(e -> "needs_reauth".equals(e.path("status").asText())), "no user was told to reconnect");
    }

    /** Runs the sweep, then the queue workers over what it enqueued, for at most {@code limit} messages; how many refreshed. */
    private static int sweepAndWork(int limit) {
        ContextParts.of(HARNESS.context).refreshSweep().sweep(false);
        QueueClient queue = queue(MaintenanceFunctions.REFRESH_QUEUE);
        int handled = 0;
        int refreshed = 0;
        while (handled < limit) {
            List<QueueMessageItem> batch = new ArrayList<>();
            queue.receiveMessages(32).forEach(batch::add);
            if (batch.isEmpty()) {
                break;
            }
            for (QueueMessageItem item : batch) {
                if (handled >= limit) {
                    break; // left for the next sweep: the queue is cleared below, the connection stays due
                }
                RefreshWorker.Outcome outcome = ContextParts.of(HARNESS.context).refreshWorker().handle(RefreshMessage.parse(item.getBody().toString()), 1, 5);
                queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
                handled++;
                refreshed += outcome == RefreshWorker.Outcome.REFRESHED ? 1 : 0;
            }
        }
        queue.clearMessages();
        return refreshed;
    }

    /** Delivers the queued notifications to the web app (as the queue trigger would); the events it received, each signature checked. */
    private static List<JsonNode> deliverNotifications() {
        QueueClient queue = queue(MaintenanceFunctions.NOTIFICATION_QUEUE);
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 20; round++) {
            List<QueueMessageItem> batch = new ArrayList<>();
            queue.receiveMessages(32).forEach(batch::add);
            if (batch.isEmpty()) {
                break;
            }
            for (QueueMessageItem item : batch) {
                if (seen.add(item.getMessageId())) {
                    ContextParts.of(HARNESS.context).notificationWorker().handle(item.getBody().toString());
                }
                queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
            }
        }
        List<JsonNode> events = new ArrayList<>();
        for (WebhookReceiver.Received received : RECEIVER.documented()) {
            assertTrue(StandardWebhooks.verify(WEBHOOK_SECRET, received.headers(), received.body(), HARNESS.clock.instant()),
                    "a Standard Webhooks signature under the secret: " + received.headers());
            events.add(ConnectorHarness.json(received.body()));
        }
        return events;
    }

    private static List<String> captureCredentialLog() {
        List<String> lines = new ArrayList<>();
        Logger.getLogger(AppCredentialMonitor.class.getName()).addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        return lines;
    }

    private static Connection row(String id) {
        return ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
    }

    private static QueueClient queue(String name) {
        QueueClient client = HARNESS.queue(name);
        client.createIfNotExists();
        return client;
    }
}
