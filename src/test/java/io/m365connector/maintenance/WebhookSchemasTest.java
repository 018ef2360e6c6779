package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
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
    /** The event types are the public String constants of the classes that make events: a new one must be documented. */
    @Test
    void whenTheCodeSendsAnEventTypeThenOpenApiDocumentsIt() throws IllegalAccessException {
        List<String> types = new ArrayList<>();
        for (Class<?> maker : List.of(StatusEvent.class, AppCredentialEvent.class, FeedWebhooks.class)) {
            for (Field field : maker.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                    types.add((String) field.get(null));
                }
            }
        }
        assertEquals(7, types.size(), "the seven event types: " + types);
        for (String type : types) {
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
    void whenAChangeInAnEventCarriesAnUndocumentedFieldThenTheCheckFails() {
        String event = "{\"id\":\"evt_chg_1\",\"type\":\"connection.changes\",\"occurredAt\":\"2027-01-01T00:00:00Z\","
                + "\"connectionId\":\"con_0123456789abcdef0123456789abcdef\",\"fromCursor\":\"s0\",\"toCursor\":\"s1\",\"changes\":"
                + "[{\"sequence\":1,\"id\":\"chg_1\",\"resource\":\"inbox\",\"type\":\"created\",\"itemId\":\"AAMk\",\"summary\":{\"subject\":\"Hi\"%s}}]}";

        WebhookSchemas.assertDocumented(String.format(event, ""));
        assertThrows(AssertionError.class, () -> WebhookSchemas.assertDocumented(String.format(event, ",\"size\":3")));
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
