package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStatus.State;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.sync.FeedWebhooks;
import io.m365connector.testing.WebhookSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/openapi.yaml's {@code webhooks:} names every event type the connector sends, each with its body's schema. The
 * deliveries themselves are checked against those schemas where tests receive real ones (WebhookReceiver.documented:
 * MaintenanceTest, StatusEventCrashTest, AppCredentialOutageTest, SyncWebhookTest); the credential events are built here.
 */
class WebhookSchemasTest {
    @Test
    void whenTheCodeSendsAnEventTypeThenOpenApiDocumentsIt() {
        for (String type : List.of(StatusEvent.TYPE, AppCredentialEvent.EXPIRING, AppCredentialEvent.INVALID, AppCredentialEvent.RECOVERED,
                FeedWebhooks.TYPE, FeedWebhooks.STOPPED, FeedWebhooks.RECOVERED)) {
            assertTrue(WebhookSchemas.schemaOf(type).startsWith("#/components/schemas/"), type);
        }
        assertThrows(AssertionError.class, () -> WebhookSchemas.schemaOf("connection.unknown"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"expiring", "expiring_soon", "invalid", "recovered"})
    void whenACredentialEventIsBuiltThenItIsWhatOpenApiDocuments(String change) {
        Instant now = Instant.parse("2027-06-01T08:00:00Z");
        AppCredentialStatus ok = status(State.OK, null, now.plus(Duration.ofDays(90)), now.minus(Duration.ofDays(30)));
        AppCredentialStatus after = switch (change) {
            case "expiring" -> status(State.EXPIRING, null, now.plus(Duration.ofDays(28)), now);
            case "expiring_soon" -> status(State.EXPIRING_SOON, null, now.plus(Duration.ofDays(5)), now);
            case "invalid" -> status(State.INVALID, ProblemCode.APP_SECRET_EXPIRED, now.minus(Duration.ofDays(1)), now);
            default -> status(State.OK, null, now.plus(Duration.ofDays(700)), now);
        };
        AppCredentialStatus before = change.equals("recovered") ? status(State.INVALID, ProblemCode.APP_SECRET_INVALID, null, now) : ok;

        AppCredentialEvent event = AppCredentialEvent.of(Optional.of(before), after, now).orElseThrow();

        WebhookSchemas.assertDocumented(Json.write(event));
    }

    @Test
    void whenAnEventDiffersFromItsSchemaThenTheCheckFails() {
        String unknownField = "{\"id\":\"evt_1\",\"type\":\"connection.sync_recovered\",\"occurredAt\":\"2027-01-01T00:00:00Z\","
                + "\"connectionId\":\"con_0123456789abcdef0123456789abcdef\",\"resource\":\"inbox\",\"extra\":1}";
        String missingResource = "{\"id\":\"evt_1\",\"type\":\"connection.sync_recovered\",\"occurredAt\":\"2027-01-01T00:00:00Z\","
                + "\"connectionId\":\"con_0123456789abcdef0123456789abcdef\"}";

        assertThrows(AssertionError.class, () -> WebhookSchemas.assertDocumented(unknownField));
        assertThrows(AssertionError.class, () -> WebhookSchemas.assertDocumented(missingResource));
        WebhookSchemas.assertDocumented(unknownField.replace(",\"extra\":1", ""));
    }

    private static AppCredentialStatus status(State state, ProblemCode code, Instant expiresAt, Instant changedAt) {
        return new AppCredentialStatus(NationalCloud.USGOV, "client_secret", state, code, expiresAt, changedAt, changedAt, null);
    }
}
