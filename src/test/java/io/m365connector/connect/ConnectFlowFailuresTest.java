package io.m365connector.connect;

import static io.m365connector.connect.ConnectFlowTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.RefusedCall;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.TestBrowser;
import io.m365connector.testing.entra.FakeUser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way connecting can go wrong gets its clear 4xx (problem+json or HTML page) and stores nothing. */
class ConnectFlowFailuresTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final String CALLBACK = "https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/callback";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    /** Tests that move the clock past a link's lifetime leave it at the real time for the next. */
    @AfterEach
    void clockBackToNow() {
        HARNESS.clock.set(Instant.now());
    }

    @ParameterizedTest(name = "{0}: {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "consent_required        | AADSTS65001: The user or administrator has not consented to use the application.      | 403 | consent_required",
        "access_denied           | AADSTS65004: User declined to consent to access the app.                            | 403 | user_declined",
        "access_denied           | AADSTS90094: Admin consent is required for the permissions requested by this application. | 403 | admin_approval_required",
        "access_denied           | AADSTS90093: An administrator of Contoso has set a policy that prevents you from granting Connector the permissions it is requesting. | 403 | admin_approval_required",
        "invalid_request         | AADSTS90095: Admin consent is required for the permissions requested by an application.  | 403 | admin_approval_required",
        "access_denied           | AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access. | 403 | user_not_assigned",
        "access_denied           | AADSTS53003: Access has been blocked by Conditional Access policies.                | 403 | conditional_access_blocked",
        "interaction_required    | AADSTS530003: Your device is required to be managed to access this resource.       | 403 | conditional_access_blocked",
        "unauthorized_client     | AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.  | 403 | app_not_in_tenant",
        "interaction_required    | AADSTS50076: Due to a configuration change made by your administrator you must use multi-factor authentication. | 403 | mfa_required",
        "invalid_grant           | AADSTS70008: The provided authorization code or refresh token has expired.         | 409 | reauth_required",
        "server_error            | AADSTS50033: A transient error has occurred. Please try again.                      | 503 | temporarily_unavailable",
        "temporarily_unavailable | AADSTS90055: The request is throttled temporarily.                                  | 503 | temporarily_unavailable"
    })
    void whenMicrosoftRedirectsWithAnErrorThenAGuidancePageShowsAndNothingIsStored(String error, String description, int status, String code) {
        HARNESS.entra.addUser(NationalCloud.USGOV, UUID.randomUUID().toString(), "err@contoso.us");
        JsonNode started = HARNESS.start(NationalCloud.USGOV, "\"mail\"");
        HARNESS.entra.nextAuthorizeError(error, description);

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(status, page.status(), page.body());
        assertTrue(page.body().contains("id=\"error-code\">" + code + "<"), page.body());
        assertTrue(page.body().contains("error=" + code), "the return link carries the code");
        assertEquals("text/html; charset=utf-8", page.headers().get("Content-Type"));
        assertUntouched(started.get("connectionId").asText());
        boolean adminLink = code.equals("admin_approval_required") || code.equals("consent_required");
        assertEquals(adminLink, page.body().contains("id=\"admin-consent-link\""), "admin link shown iff an administrator can fix it");
    }

    @Test
    void whenStorageFailsAfterTheSignInResponseWasTakenThenThePageLinksBackToTheAppWithTheError() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "outage@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        RefusedCall connectionsDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.connections()); // the tokens' write fails
        ConnectorHarness.Instance instance = HARNESS.newInstance(connectionsDown, new ClockSleeper(HARNESS.clock));
        HARNESS.entra.nextSignIn(user);

        TestBrowser.Page page = HARNESS.browserOn(instance).navigate(started.get("loginUrl").asText());

        assertTrue(connectionsDown.refused());
        assertEquals(503, page.status(), page.body());
        assertEquals("30", page.headers().get("Retry-After"));
        assertTrue(page.body().contains("connection_id=" + id + "&amp;error=storage_unavailable"), "the return link tells the app: " + page.body());
        assertEquals("pending", ConnectorHarness.json(HARNESS.getConnection(id).bodyText()).get("status").asText(), "nothing was stored");
    }

    @Test
    void whenTokenEndpointRejectsTheAppsSecretThenTheOperatorIsToldAndNothingIsStored() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "secret@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        HARNESS.entra.nextTokenError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.", 7000215);

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(503, page.status());
        assertTrue(page.body().contains("app_secret_invalid"));
        assertTrue(page.body().contains("not a problem with your account"));
        assertUntouched(started.get("connectionId").asText());
    }

    /** A plain-text 429 or an empty 503 from the token endpoint (a gateway's): busy, not the app registration wrong. */
    @ParameterizedTest
    @CsvSource(value = {"429|Too Many Requests", "503|"}, delimiter = '|')
    void whenTheTokenEndpointAnswersWithoutAnOAuthErrorThenTheUserIsToldToTryAgainNotToCheckTheRegistration(int status, String body) {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "busy-" + status + "@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        HARNESS.entra.nextTokenAnswerWithoutJson(status, body == null ? "" : body);
        if (status >= 500) {
            HARNESS.entra.nextTokenAnswerWithoutJson(status, ""); // MSAL4J sends a 5xx's request once more
        }

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(503, page.status(), page.body());
        assertTrue(page.body().contains("temporarily_unavailable"), page.body());
        assertUntouched(started.get("connectionId").asText());
    }

    @Test
    void whenEntraIssuesNoRefreshTokenThenTheSignInIsRefusedWithItsOwnCodeAndNothingIsStored() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.USGOVDOD, UUID.randomUUID().toString(), "offline@contoso.us");
        JsonNode started = HARNESS.start(NationalCloud.USGOVDOD, "\"mail\"");
        HARNESS.entra.nextSignInWithoutOfflineAccess(user);

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(403, page.status(), page.body());
        assertTrue(page.body().contains("id=\"error-code\">offline_access_missing<"), page.body());
        assertTrue(page.body().contains("keep access while you are away"), "the page says what happened");
        assertTrue(page.body().contains("id=\"admin-consent-link\""), "an administrator can grant offline_access");
        Matcher link = Pattern.compile("id=\"admin-consent-link\" href=\"([^\"]+)\"").matcher(page.body());
        assertTrue(link.find());
        HARNESS.entra.nextAdminConsent(user.tenantId());
        HARNESS.browser().navigate(link.group(1));
        URI consent = HARNESS.entra.adminConsentRequests().get(HARNESS.entra.adminConsentRequests().size() - 1);
        assertEquals("/" + user.tenantId() + "/v2.0/adminconsent", consent.getPath(), "the user's tenant, known from the sign-in");
        assertTrue(page.body().contains("error=offline_access_missing"), "the return link carries the code");
        assertUntouched(started.get("connectionId").asText());
        assertEquals("pending", ConnectorHarness.json(HARNESS.getConnection(started.get("connectionId").asText()).bodyText())
                .get("status").asText());
    }

    @Test
    void whenCallbackHasNoStateThenItIsRefused() {
        TestBrowser.Page page = HARNESS.browser().navigate(CALLBACK + "?code=abc");
        assertEquals(400, page.status());
        assertTrue(page.body().contains("state_invalid"));
    }

    @Test
    void whenStateIsGarbledOrForgedThenItIsRefused() {
        assertEquals(400, HARNESS.browser().navigate(CALLBACK + "?code=abc&state=not-a-state").status());
        String forged = "20261123." + "A".repeat(43) + "." + "B".repeat(43);
        TestBrowser.Page page = HARNESS.browser().navigate(CALLBACK + "?code=abc&state=" + forged);
        assertEquals(400, page.status());
        assertTrue(page.body().contains("state_invalid"));
    }

    @Test
    void whenStateSecretIsTamperedThenTheSessionIsNotUsed() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "tamper@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        String callback = callbackUrl(browser, started, user);
        String state = query(URI.create(callback)).get("state");
        String tampered = callback.replace(state, state.substring(0, state.length() - 1) + (state.endsWith("A") ? "B" : "A"));

        assertEquals(400, browser.navigate(tampered).status());
        assertUntouched(started.get("connectionId").asText());
        assertEquals(ConnectorHarness.APP_HOST, browser.navigate(callback).uri().getHost(), "the genuine response still works");
    }

    @Test
    void whenTheSameBrowserRepeatsTheCallbackThenItGoesBackToTheAppWithANewCodeAndNothingIsRedeemedTwice() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "replay@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        TestBrowser browser = HARNESS.browser();
        String callback = callbackUrl(browser, started, user);
        String first = query(browser.navigate(callback).uri()).get("completion");
        int redemptions = HARNESS.entra.tokenRequests("authorization_code");

        // a reload while the first answer was slow: that answer (and its code) may never have reached the browser
        TestBrowser.Page again = browser.navigate(callback);

        assertEquals(ConnectorHarness.APP_HOST, again.uri().getHost(), again.body());
        String second = query(again.uri()).get("completion");
        SecretsLedger.remember(first);
        SecretsLedger.remember(second);
        assertEquals("active", query(again.uri()).get("status"));
        assertEquals(redemptions, HARNESS.entra.tokenRequests("authorization_code"), "the code is not redeemed twice");
        assertEquals(409, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + first + "\"}").getStatusCode(), "replaced");
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + second + "\"}").getStatusCode());
        TestBrowser.Page afterProof = browser.navigate(callback); // a tab restored later
        assertEquals(ConnectorHarness.APP_HOST, afterProof.uri().getHost());
        assertNull(query(afterProof.uri()).get("completion"), "proved already: no new code");
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + second + "\"}").getStatusCode(),
                "the proved code stays valid");

        TestBrowser.Page elsewhere = HARNESS.browser().navigate(callback); // the same response in another browser
        assertEquals(400, elsewhere.status());
        assertTrue(elsewhere.body().contains("already used"), elsewhere.body());
    }

    @Test
    void whenTheSameBrowserRepeatsACallbackThatConnectedNothingThenItIsToldTheResponseWasUsed() {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS65004: User declined to consent to access the app.");
        TestBrowser.Page declined = browser.navigate(started.get("loginUrl").asText());
        assertEquals(403, declined.status(), declined.body());

        TestBrowser.Page again = browser.navigate(declined.uri().toString());

        assertEquals(400, again.status());
        assertTrue(again.body().contains("already used"), again.body());
        assertTrue(again.body().contains("error=state_invalid"), "the way back to the app: " + again.body());
        assertUntouched(started.get("connectionId").asText());
    }

    @Test
    void whenTheSameBrowserRepeatsAnEarlierSignInsCallbackOrAnExpiredOneThenItGetsNoCode() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "earlier@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        TestBrowser browser = HARNESS.browser();
        String earlier = callbackUrl(browser, started, user);
        browser.navigate(earlier);
        JsonNode again = HARNESS.reconnect(id, "\"mail\"");
        String later = callbackUrl(browser, again, user);
        String laterCode = query(browser.navigate(later).uri()).get("completion");
        SecretsLedger.remember(laterCode);

        TestBrowser.Page repeatedEarlier = browser.navigate(earlier);

        assertEquals(400, repeatedEarlier.status(), "the connection holds the later sign-in's tokens");
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + laterCode + "\"}").getStatusCode(), "untouched");
        HARNESS.clock.advance(Duration.ofMinutes(31));
        assertEquals(400, browser.navigate(later).status(), "past the sign-in's 30 minutes");
    }

    @Test
    void whenSignInTakesTooLongThenTheCallbackIsRefused() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "slow@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        String callback = callbackUrl(browser, started, user);
        HARNESS.clock.advance(Duration.ofMinutes(31));
        TestBrowser.Page page = browser.navigate(callback);
        assertEquals(400, page.status());
        assertTrue(page.body().contains("expired"));
        assertUntouched(started.get("connectionId").asText());
    }

    @Test
    void whenLoginLinkIsOpenedJustBeforeItsThirtyMinutesEndThenItLeadsToMicrosoft() {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.clock.advance(Duration.ofMinutes(29));
        TestBrowser.Page page = HARNESS.browser().fetch(started.get("loginUrl").asText());
        assertEquals(302, page.status(), page.body());
        assertTrue(page.headers().get("Location").startsWith("https://" + NationalCloud.GLOBAL.authorityHost() + "/"), page.headers().toString());
    }

    @Test
    void whenALoginLinkIsReopenedInTheSameBrowserAgainAndAgainThenItStillEndsAnHourAfterItWasIssued() {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        for (int minute = 0; minute < 60; minute += 20) { // opened at 0, 20 and 40 minutes: each an attempt of its own
            assertEquals(302, browser.fetch(started.get("loginUrl").asText()).status(), "at minute " + minute);
            HARNESS.clock.advance(Duration.ofMinutes(20));
        }
        HARNESS.clock.advance(Duration.ofMinutes(1)); // 61 minutes after the link was issued, 21 after the last opening

        TestBrowser.Page page = browser.navigate(started.get("loginUrl").asText());

        assertEquals(400, page.status(), "no longer extended by opening it again");
        assertTrue(page.body().contains("expired"), page.body());
    }

    @Test
    void whenLoginLinkIsOpenedAfterItExpiredThenAPageSaysSo() {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.clock.advance(Duration.ofMinutes(31));
        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(400, page.status());
        assertTrue(page.body().contains("expired"));
    }

    @Test
    void whenCallbackArrivesInAnotherBrowserThenItIsRefused() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.CHINA, UUID.randomUUID().toString(), "victim@contoso.cn");
        JsonNode started = HARNESS.start(NationalCloud.CHINA, "\"mail\"");
        String callback = callbackUrl(HARNESS.browser(), started, user);

        TestBrowser.Page page = HARNESS.browser().navigate(callback);

        assertEquals(400, page.status());
        assertTrue(page.body().contains("another browser"));
        assertUntouched(started.get("connectionId").asText());
        assertEquals(0, HARNESS.entra.tokenRequests().stream().filter(r -> r.get("code") != null
                && callback.contains(r.get("code"))).count(), "the code is never redeemed");
    }

    @Test
    void whenLoginLinkIsOpenedInASecondBrowserThenItIsRefused() {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser first = HARNESS.browser();
        assertEquals(302, first.fetch(started.get("loginUrl").asText()).status());

        TestBrowser.Page second = HARNESS.browser().fetch(started.get("loginUrl").asText());

        assertEquals(400, second.status());
        assertTrue(second.body().contains("another browser"));
        assertEquals(302, first.fetch(started.get("loginUrl").asText()).status(), "the first browser may start again");
    }

    @Test
    void whenCallbackHasNeitherCodeNorErrorThenItIsRefused() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "nocode@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        String callback = callbackUrl(browser, started, user);
        String withoutCode = CALLBACK + "?state=" + URLEncoder.encode(query(URI.create(callback)).get("state"), StandardCharsets.UTF_8);

        TestBrowser.Page page = browser.navigate(withoutCode);

        assertEquals(400, page.status());
        assertTrue(page.body().contains("neither a code nor an error"));
        assertUntouched(started.get("connectionId").asText());
    }

    @Test
    void whenSessionIsUnknownThenAPageSaysTheLinkIsNotValid() {
        TestBrowser.Page page = HARNESS.browser().navigate("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/login/20261123." + "x".repeat(43));
        assertEquals(400, page.status());
        assertTrue(page.body().contains("This link is not valid"));
        assertEquals(400, HARNESS.browser().navigate("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/login/..%2F..%2Fetc").status());
        assertEquals(400, HARNESS.browser().navigate("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/adminconsent/nope").status());
    }

    @Test
    void whenReturnUrlIsNotAllowListedThenTheRequestIsRefusedAndNothingIsCreated() {
        long before = rows();
        FakeHttpResponse response = HARNESS.createConnection("{\"ownerId\":\"o\",\"features\":[\"mail\"],\"cloud\":\"global\","
                + "\"returnUrl\":\"https://app.example.com.evil.net/connected\"}");
        assertProblem(response, 400, "invalid_request", "returnUrl");
        FakeHttpResponse prefix = HARNESS.createConnection("{\"ownerId\":\"o\",\"features\":[\"mail\"],\"cloud\":\"global\","
                + "\"returnUrl\":\"https://app.example.com/connected/../admin\"}");
        assertProblem(prefix, 400, "invalid_request", "returnUrl");
        assertEquals(before, rows());
    }

    @Test
    void whenCloudOrFeaturesAreUnknownThenTheRequestIsRefusedAndNothingIsCreated() {
        long before = rows();
        assertProblem(HARNESS.createConnection("{\"ownerId\":\"o\",\"features\":[\"mail\"],\"cloud\":\"gcchigh\"}"), 400, "invalid_request", "cloud");
        assertProblem(HARNESS.createConnection("{\"ownerId\":\"o\",\"features\":[\"telepathy\"],\"cloud\":\"global\"}"), 400, "invalid_request", "features[0]");
        assertEquals(before, rows());
    }

    @Test
    void whenCloudIsNotEnabledThenTheRequestNamesTheSetting() {
        HARNESS.env.put("M365_CLOUDS", "global");
        try {
            AppContext globalOnly = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
            FakeHttpResponse response = (FakeHttpResponse) globalOnly.newFunction(ConnectionFunctions.class)
                    .create(FakeHttpRequest.post("https://x/api/connections",
                            "{\"ownerId\":\"o\",\"features\":[\"mail\"],\"cloud\":\"china\"}").header("Content-Type", "application/json"),
                            new FakeExecutionContext("createConnection"));
            JsonNode problem = assertProblem(response, 400, "cloud_not_enabled", null);
            assertTrue(problem.get("detail").asText().contains("M365_CLOUDS"));
        } finally {
            HARNESS.env.put("M365_CLOUDS", "global,usgov,usgovdod,china");
        }
    }

    @Test
    void whenBodyIsNotJsonContentTypeThenUnsupportedMediaType() {
        FakeHttpResponse response = (FakeHttpResponse) HARNESS.api.create(FakeHttpRequest
                .post("https://x/api/connections", "ownerId=1").header("Content-Type", "application/x-www-form-urlencoded"),
                new FakeExecutionContext("createConnection"));
        assertProblem(response, 415, "unsupported_media_type", null);
    }

    @Test
    void whenConnectionIsUnknownThenStatusAndDisconnectAre404() {
        assertProblem(HARNESS.getConnection(Connection.newId()), 404, "not_found", null);
        assertProblem(HARNESS.getConnection("../etc/passwd"), 404, "not_found", null);
        assertProblem(HARNESS.deleteConnection(Connection.newId()), 404, "not_found", null);
    }

    @Test
    void whenReconnectNamesAnotherOwnerOrCloudThenItIsRefused() {
        String id = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"").get("connectionId").asText();
        // another owner's connection looks unknown, as on every route (the trust model): not a 400 that confirms it exists
        FakeHttpResponse intruder = HARNESS.createConnection("{\"ownerId\":\"intruder\",\"features\":[\"mail\"],\"cloud\":\"global\","
                + "\"connectionId\":\"" + id + "\"}");
        assertProblem(intruder, 404, "not_found", null);
        assertEquals(HARNESS.createConnection("{\"ownerId\":\"intruder\",\"features\":[\"mail\"],\"cloud\":\"global\",\"connectionId\":\""
                + Connection.newId() + "\"}").bodyText().replaceAll("con_[0-9a-f]+", "con_"), intruder.bodyText().replaceAll("con_[0-9a-f]+", "con_"),
                "the same answer as for an id that does not exist");
        assertProblem(HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"mail\"],\"cloud\":\"usgov\",\"connectionId\":\"" + id + "\"}"),
                400, "invalid_request", "cloud");
    }

    /** Opens the login link in {@code browser} and lets the fake Entra ID sign {@code user} in; returns the callback URL without visiting it. */
    private static String callbackUrl(TestBrowser browser, JsonNode started, FakeUser user) {
        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page toMicrosoft = browser.fetch(started.get("loginUrl").asText());
        TestBrowser.Page fromMicrosoft = browser.fetch(toMicrosoft.headers().get("Location"));
        String location = fromMicrosoft.headers().get("Location");
        assertTrue(location.startsWith(CALLBACK + "?"), location);
        return location;
    }

    private static void assertUntouched(String connectionId) {
        Connection c = ContextParts.of(HARNESS.context).connections().find(connectionId).orElseThrow();
        assertEquals(ConnectionStatus.PENDING, c.status());
        assertNull(c.tokens());
        assertNull(c.account());
    }

    private static JsonNode assertProblem(FakeHttpResponse response, int status, String code, String field) {
        assertEquals(status, response.getStatusCode(), response.bodyText());
        assertEquals("application/problem+json", response.getHeader("Content-Type"));
        JsonNode problem = ConnectorHarness.json(response.bodyText());
        assertEquals(code, problem.get("code").asText());
        assertFalse(problem.get("detail").asText().isBlank());
        if (field != null) {
            boolean found = false;
            for (JsonNode error : problem.get("errors")) {
                found |= field.equals(error.get("field").asText());
            }
            assertTrue(found, "field " + field + " in " + problem);
        }
        return problem;
    }

    private static long rows() {
        long n = 0;
        try {
            for (var ignored : ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.connections()).listEntities()) {
                n++;
            }
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("TableNotFound")) {
                throw e;
            }
            return 0; // table not created yet
        }
        return n;
    }
}
