package io.m365connector.connect;

import static io.m365connector.connect.ConnectFlowTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.TestBrowser;
import io.m365connector.testing.entra.FakeUser;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/API.md: {@code tenant} defaults to {@code M365_<CLOUD>_TENANT}; a tenant id there also makes the callback refuse users
 * of other tenants ({@code account_not_in_tenant}). Entra ID stops such a sign-in itself (AADSTS50020: the account is not in
 * the tenant and not a guest there), which the fake Entra ID models; the connector's page then says what to do. (An ID token
 * of another tenant, which Entra ID does not issue for such a sign-in, is refused by the callback's own check: IdTokenClaimsTest.)
 */
class TenantRestrictionTest {
    private static final String TENANT = UUID.randomUUID().toString();
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> env.put("M365_GLOBAL_TENANT", TENANT), null);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenTheDefaultTenantIsATenantIdThenAUserOfAnotherTenantIsRefusedAndAUserOfItConnects() {
        FakeUser outsider = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "outsider@fabrikam.com");
        FakeUser member = HARNESS.entra.addUser(NationalCloud.GLOBAL, TENANT, "member@contoso.com");
        JsonNode refused = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        String toEntra = browser.fetch(refused.get("loginUrl").asText()).headers().get("Location");
        assertTrue(toEntra.startsWith("https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/authorize?"), "signs in at the tenant: " + toEntra);

        HARNESS.entra.nextSignIn(outsider);
        TestBrowser.Page page = browser.navigate(toEntra);

        assertEquals(403, page.status(), page.body());
        assertTrue(page.body().contains("Your account is not in the organization this app connects to"), page.body());
        assertTrue(page.body().contains("account_not_in_tenant"), "the code, for the app's support team");
        JsonNode connection = ConnectorHarness.json(HARNESS.getConnection(refused.get("connectionId").asText()).bodyText());
        assertEquals("pending", connection.get("status").asText(), "nothing stored for the outsider: " + connection);

        JsonNode allowed = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.entra.nextSignIn(member);
        assertEquals("active", query(HARNESS.browser().navigate(allowed.get("loginUrl").asText()).uri()).get("status"));
    }

    /**
     * A web app that names another tenant for a connection (API.md: {@code tenant}, here {@code organizations}) than the
     * deployment's default: the user of tenant B signs in there, and the refreshes must go to the user's tenant too. Sent to
     * the default tenant, Entra ID answered AADSTS50020 and the connection needed its user again at its first refresh.
     */
    @Test
    void whenAConnectionNamesAnotherTenantThanTheDefaultThenItsRefreshesKeepItActive() {
        FakeUser elsewhere = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "elsewhere@fabrikam.com");
        FakeHttpResponse created = HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"mail\"],\"cloud\":\"global\","
                + "\"tenant\":\"organizations\",\"returnUrl\":\"" + ConnectorHarness.RETURN_URL + "\"}");
        assertEquals(201, created.getStatusCode(), created.bodyText());
        JsonNode started = ConnectorHarness.json(created.bodyText());
        SecretsLedger.remember(started.get("loginUrl").asText().replaceAll(".*/", ""));
        HARNESS.entra.nextSignIn(elsewhere);
        assertEquals("active", query(HARNESS.browser().navigate(started.get("loginUrl").asText()).uri()).get("status"));
        String id = started.get("connectionId").asText();

        // Graph refuses the token from the sign-in: the send refreshes it (without moving the clock the other tests share)
        HARNESS.graph.failNext("POST", "/me/sendMail", 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.",
                null, false);
        FakeHttpResponse sent = HARNESS.sendMail(id, "tenant-b-1", "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"Hi\",\"body\":\"x\"}");

        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertEquals("active", ConnectorHarness.json(HARNESS.getConnection(id).bodyText()).get("status").asText());
    }

    /**
     * A user whose tenant lives in another Microsoft cloud than the connection's: Entra ID answers AADSTS90038
     * (NationalCloudTenantRedirection); the page says the organization uses another cloud and the web app must start the
     * connection in that one, and nothing is stored.
     */
    @ParameterizedTest
    @CsvSource({"GLOBAL, USGOV", "USGOVDOD, CHINA", "CHINA, GLOBAL"})
    void whenAUserOfATenantInAnotherCloudSignsInThenThePageSaysToConnectInThatCloud(NationalCloud connectionCloud, NationalCloud userCloud) {
        FakeUser elsewhere = HARNESS.entra.addUser(userCloud, UUID.randomUUID().toString(), "someone@" + userCloud.id() + ".example");
        JsonNode started = HARNESS.start(connectionCloud, "\"mail\"");
        HARNESS.entra.nextSignIn(elsewhere);

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(403, page.status(), page.body());
        assertTrue(page.body().contains("Your organization uses another Microsoft cloud"), page.body());
        assertTrue(page.body().contains("tenant_in_another_cloud"), "the code, for the app's support team");
        JsonNode connection = ConnectorHarness.json(HARNESS.getConnection(started.get("connectionId").asText()).bodyText());
        assertEquals("pending", connection.get("status").asText(), "nothing stored: " + connection);
    }

    /**
     * A guest of the tenant passes Entra ID's check (it is in the tenant), but has no mailbox or calendar there: every mail
     * and event call would fail. Its ID token names its home tenant as identity provider (idp); it is refused with what to
     * do, and nothing is stored.
     */
    @Test
    void whenAGuestOfTheTenantSignsInThenItIsRefusedAndNothingIsStored() {
        FakeUser guest = HARNESS.entra.addGuest(NationalCloud.GLOBAL, TENANT, UUID.randomUUID().toString(), "partner_fabrikam.com#EXT#@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.entra.nextSignIn(guest);

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(403, page.status(), page.body());
        assertTrue(page.body().contains("account_not_in_tenant"), page.body());
        assertTrue(page.body().contains("as a guest of that organization"), page.body());
        JsonNode connection = ConnectorHarness.json(HARNESS.getConnection(started.get("connectionId").asText()).bodyText());
        assertEquals("pending", connection.get("status").asText(), "nothing stored for the guest: " + connection);
    }
}
