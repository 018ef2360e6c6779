package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.entra.ScopeForm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Entra ID and Graph as they are documented to answer, in all four clouds: granted scopes in every
 * form, a valid stored token used without a token-endpoint call (also by a new instance), Graph
 * rejecting a cached token (401), and Continuous Access Evaluation claims challenges.
 */
class MicrosoftTokenBehaviourTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> {
        env.put("NOTIFY_WEBHOOK_URL", "https://hooks.example.com/m365");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", StandardWebhooks.newSecret());
    }, null);
    private static final String MAIL = "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Interview\",\"body\":\"Hello\"}";
    private static final String EVENT = "{\"subject\":\"Interview\",\"start\":{\"dateTime\":\"2027-03-01T10:00:00\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2027-03-01T11:00:00\",\"timeZone\":\"UTC\"}}";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @AfterEach
    void shortScopesAgain() {
        HARNESS.entra.setScopeForm(ScopeForm.SHORT);
    }

    static Stream<Arguments> cloudsAndScopeForms() {
        List<Arguments> cases = new ArrayList<>();
        for (NationalCloud cloud : NationalCloud.values()) {
            for (ScopeForm form : ScopeForm.values()) {
                cases.add(Arguments.of(cloud, form));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, scopes {1}")
    @MethodSource("cloudsAndScopeForms")
    void whenEntraWritesTheGrantedScopesInAnyFormThenTheyAreGrantedAndAValidStoredTokenIsUsedWithoutATokenCall(NationalCloud cloud,
                                                                                                             ScopeForm form) {
        HARNESS.entra.setScopeForm(form);
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\",\"calendar\"");

        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText());
        assertEquals("active", status.get("status").asText());
        assertTrue(status.get("missingScopes").isEmpty(), "nothing missing: " + status);
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        assertEquals(202, HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL).getStatusCode());
        assertEquals(201, HARNESS.createEvent(c.connectionId(), UUID.randomUUID().toString(), EVENT).getStatusCode());
        ConnectorHarness.Instance fresh = HARNESS.newInstance();
        FakeHttpResponse fromFreshInstance = fresh.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, fromFreshInstance.getStatusCode(), fromFreshInstance.bodyText());
        assertEquals(refreshes, HARNESS.entra.tokenRequests("refresh_token"),
                "the access token from sign-in served mail, event and a new instance without redeeming the refresh token");
        assertEquals(2, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
    }

    @Test
    void whenADoDUsersScopesNameTheGccHighGraphHostThenTheConnectionCanSendMail() {
        HARNESS.entra.setScopeForm(ScopeForm.QUALIFIED_SIBLING); // https://graph.microsoft.us/Mail.Send for an L5 user

        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        FakeHttpResponse sent = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText());
        assertTrue(status.get("grantedScopes").toString().contains("Mail.Send"), status.toString());
        assertTrue(HARNESS.graph.requests().stream().filter(r -> c.user().userPrincipalName().equals(r.userUpn()))
                .allMatch(r -> r.host().equals("dod-graph.microsoft.us")), "sent to the DoD Graph host");
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenGraphRejectsACachedTokenThenItIsRenewedOnceTheStepRepeatedAndTheRejectedTokenNotUsedAgain(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\"");
        assertEquals(202, HARNESS.sendMail(c.connectionId(), null, MAIL).getStatusCode());
        HARNESS.graph.failNext("POST", "/me/sendMail", 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.",
                null, false);
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        FakeHttpResponse afterRejection = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);
        FakeHttpResponse next = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, afterRejection.getStatusCode(), "not mailbox_access_denied: " + afterRejection.bodyText());
        assertEquals(202, next.getStatusCode());
        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"), "one refresh, and the new token is cached");
        assertEquals(3, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
    }

    @Test
    void whenAnotherInstanceRefreshedAndGraphRejectsThisInstancesTokenThenTheOtherInstancesTokenIsUsed() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
        assertEquals(202, HARNESS.sendMail(c.connectionId(), null, MAIL).getStatusCode()); // this instance caches the token
        ContextParts.of(HARNESS.newInstance().context()).broker().refreshNow(c.connectionId()); // the other instance stores new tokens
        HARNESS.graph.failNext("POST", "/me/sendMail", 401, "InvalidAuthenticationToken", "Access token validation failure.", null, false);
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        FakeHttpResponse sent = HARNESS.sendMail(c.connectionId(), null, MAIL);

        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertEquals(refreshes, HARNESS.entra.tokenRequests("refresh_token"), "the row's newer token was used, no second refresh");
    }

    @Test
    void whenTokensAreRequestedThenEveryRequestDeclaresClientCapabilityCp1() {
        int before = HARNESS.entra.tokenRequests().size();
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        ContextParts.of(HARNESS.context).broker().refreshNow(c.connectionId());

        List<Map<String, String>> requests = HARNESS.entra.tokenRequests().subList(before, HARNESS.entra.tokenRequests().size());
        assertFalse(requests.isEmpty());
        assertTrue(requests.stream().allMatch(form -> String.valueOf(form.get("claims")).replace(" ", "").contains("\"xms_cc\":{\"values\":[\"cp1\"]")),
                "cp1 on every token request");
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenGraphSendsAClaimsChallengeThatEntraCanSatisfyThenTheClaimsAreRedeemedAndTheMailGoesOut(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\"");
        assertEquals(202, HARNESS.sendMail(c.connectionId(), null, MAIL).getStatusCode());
        int before = HARNESS.entra.tokenRequests().size();
        HARNESS.entra.raiseClaimsChallenge(c.user(), true);

        FakeHttpResponse sent = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertTrue(HARNESS.entra.tokenRequests().subList(before, HARNESS.entra.tokenRequests().size()).stream()
                .anyMatch(form -> String.valueOf(form.get("claims")).contains("\"nbf\"")), "the refresh carried the challenge's claims");
        assertEquals(2, HARNESS.graph.sentMail(c.user().userPrincipalName()).size());
        assertEquals(ConnectionStatus.ACTIVE, connection(c).status());
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAClaimsChallengeNeedsTheUserThenReauthRequiredTheConnectionSaysWhyAndTheWebAppIsTold(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\"");
        assertEquals(202, HARNESS.sendMail(c.connectionId(), null, MAIL).getStatusCode());
        HARNESS.entra.raiseClaimsChallenge(c.user(), false);

        FakeHttpResponse refused = HARNESS.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals(409, refused.getStatusCode(), refused.bodyText());
        JsonNode problem = ConnectorHarness.json(refused.bodyText());
        assertEquals("reauth_required", problem.get("code").asText(), "never mailbox_access_denied");
        assertTrue(problem.get("detail").asText().contains("interaction_required"), problem.toString());
        Connection row = connection(c);
        assertEquals(ConnectionStatus.NEEDS_REAUTH, row.status());
        assertEquals("interaction_required", row.refresh().lastErrorCode());
        assertEquals(1, HARNESS.graph.sentMail(c.user().userPrincipalName()).size(), "nothing sent after the challenge");
        assertTrue(notifications().stream().anyMatch(event -> event.path("connectionId").asText().equals(c.connectionId())
                && event.path("status").asText().equals("needs_reauth") && event.path("errorCode").asText().equals("interaction_required")),
                "a status event for the web app");
    }

    private static Connection connection(ConnectorHarness.Connected c) {
        return ContextParts.of(HARNESS.context).connections().find(c.connectionId()).orElseThrow();
    }

    private static List<JsonNode> notifications() {
        QueueClient queue = HARNESS.queue("status-notifications");
        List<JsonNode> events = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            List<QueueMessageItem> messages = queue.receiveMessages(32).stream().toList();
            if (messages.isEmpty()) {
                break;
            }
            for (QueueMessageItem message : messages) {
                events.add(ConnectorHarness.json(message.getBody().toString()).path("event"));
                queue.deleteMessage(message.getMessageId(), message.getPopReceipt());
            }
        }
        return events;
    }
}
