package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Feature;
import io.m365connector.platform.Secrets;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.TestBrowser;
import io.m365connector.testing.entra.FakeUser;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The connect flow end to end over real parts, in each of the four clouds. */
class ConnectFlowTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenUserSignsInAndConsentsThenConnectionIsActiveAndBrowserReturnsToTheApp(NationalCloud cloud) {
        FakeUser user = HARNESS.entra.addUser(cloud, UUID.randomUUID().toString(), "adele@contoso-" + cloud.id() + ".com");
        JsonNode started = HARNESS.start(cloud, "\"mail\",\"calendar\"");
        String connectionId = started.get("connectionId").asText();
        assertEquals("pending", started.get("status").asText());
        assertEquals("pending", statusOf(connectionId).get("status").asText());

        HARNESS.entra.nextSignIn(user);
        TestBrowser browser = HARNESS.browser();
        TestBrowser.Page end = browser.navigate(started.get("loginUrl").asText());

        // Back at the web app with the connection id and its status.
        assertEquals(ConnectorHarness.APP_HOST, end.uri().getHost());
        Map<String, String> query = query(end.uri());
        assertEquals(connectionId, query.get("connection_id"));
        assertEquals("active", query.get("status"));

        // The authorize request went to this cloud's authority with PKCE S256, state, nonce and the feature scopes.
        URI authorize = HARNESS.entra.authorizeRequests().get(HARNESS.entra.authorizeRequests().size() - 1);
        assertEquals(cloud.authorityHost(), authorize.getHost());
        Map<String, String> params = query(authorize);
        assertEquals(HARNESS.clientIds.get(cloud), params.get("client_id"));
        assertEquals("S256", params.get("code_challenge_method"));
        assertEquals("query", params.get("response_mode"));
        assertEquals("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/callback", params.get("redirect_uri"));
        Set<String> scopes = Set.of(params.get("scope").split(" "));
        assertTrue(scopes.containsAll(Set.of("Mail.Send", "Mail.ReadWrite", "Calendars.ReadWrite", "openid", "profile", "offline_access")), scopes.toString());
        assertNotNull(params.get("nonce"));
        assertTrue(params.get("state").startsWith(started.get("loginUrl").asText().replaceAll(".*/", "")));

        // The code was redeemed with the PKCE verifier at the same cloud.
        Map<String, String> redemption = lastTokenRequest("authorization_code");
        assertNotNull(redemption.get("code_verifier"));

        JsonNode status = statusOf(connectionId);
        assertEquals("active", status.get("status").asText());
        assertEquals(cloud.id(), status.get("cloud").asText());
        assertEquals(user.tenantId(), status.get("tenantId").asText());
        assertEquals(user.objectId(), status.get("user").get("objectId").asText());
        assertEquals(user.userPrincipalName(), status.get("user").get("userPrincipalName").asText());
        assertEquals(List.of("calendar", "mail"), strings(status.get("features")));
        assertEquals(List.of("Calendars.ReadWrite", "Mail.ReadWrite", "Mail.Send"), strings(status.get("grantedScopes")));
        assertEquals(List.of(), strings(status.get("missingScopes")));
        assertFalse(status.toString().toLowerCase().contains("token\""), "no tokens in the status");

        // The stored MSAL cache is sealed, opens for this row, and holds this cloud's refresh token.
        Connection stored = ContextParts.of(HARNESS.context).connections().find(connectionId).orElseThrow();
        String cache = ContextParts.of(HARNESS.context).sealer().open(stored.id(), stored.cloud(), stored.tokens());
        assertTrue(cache.contains("\"RefreshToken\""), "refresh token cached");
        // MSAL records the global cloud under its cache alias login.windows.net; the others under their own host.
        String environment = cloud == NationalCloud.GLOBAL ? "login.windows.net" : cloud.authorityHost();
        assertTrue(Pattern.compile("\"environment\"\\s*:\\s*\"" + Pattern.quote(environment) + "\"")
                .matcher(cache).find(), "cache is for " + environment);
        assertNotNull(stored.refresh().nextRefreshDue());
    }

    @Test
    void whenALoginLinkIsForwardedThenOnlyTheBrowserThatFinishedTheSignInHoldsTheCompletionThatProvesIt() {
        // owner-1 starts connecting and, instead of following the link, forwards it; someone else signs in with it.
        FakeUser other = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "forwarded@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        String sessionId = started.get("loginUrl").asText().replaceAll(".*/", "");
        HARNESS.entra.nextSignIn(other);
        TestBrowser.Page end = HARNESS.browser().navigate(started.get("loginUrl").asText());
        String completion = query(end.uri()).get("completion");
        assertNotNull(completion, "the finishing browser's return carries the code: " + end.uri());
        SecretsLedger.remember(completion);
        assertEquals("active", statusOf(id).get("status").asText(), "the sign-in itself went through");
        JsonNode listed = ConnectorHarness.json(HARNESS.listConnections("ownerId=owner-1", "owner-1").bodyText()).get("connections");
        for (JsonNode c : listed) {
            if (c.get("connectionId").asText().equals(id)) {
                assertFalse(c.get("signInConfirmed").asBoolean(), "listed under owner-1, but never proved: not to be adopted");
            }
        }

        // owner-1's own session never saw the code: a return link without it, or with a made-up one, proves nothing
        String forged = "{\"completion\":\"" + sessionId + "." + "A".repeat(43) + "\"}";
        FakeHttpResponse refused = HARNESS.confirmCompletion(id, "owner-1", forged);
        assertEquals(409, refused.getStatusCode(), refused.bodyText());
        assertEquals("completion_invalid", ConnectorHarness.json(refused.bodyText()).get("code").asText());
        assertEquals(400, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + id + "\"}").getStatusCode());
        assertEquals(400, HARNESS.confirmCompletion(id, "owner-1", "{}").getStatusCode());

        // the code proves the sign-in for the connection's owner, again on a reload, and for no other owner or connection
        String body = "{\"completion\":\"" + completion + "\"}";
        FakeHttpResponse proved = HARNESS.confirmCompletion(id, "owner-1", body);
        assertEquals(200, proved.getStatusCode(), proved.bodyText());
        assertEquals("active", ConnectorHarness.json(proved.bodyText()).get("status").asText());
        assertTrue(ConnectorHarness.json(proved.bodyText()).get("signInConfirmed").asBoolean());
        assertTrue(statusOf(id).get("signInConfirmed").asBoolean(), "recorded: the list shows it too");
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", body).getStatusCode());
        assertEquals(404, HARNESS.confirmCompletion(id, "owner-2", body).getStatusCode(), "another user of the web app");
        String otherConnection = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"").get("connectionId").asText();
        assertEquals(409, HARNESS.confirmCompletion(otherConnection, "owner-1", body).getStatusCode());
        assertFalse(proved.bodyText().contains(completion), "never echoed");
    }

    @Test
    void whenTheConnectionIsSignedInAgainThenTheEarlierSignInsCodeNoLongerProvesIt() {
        FakeUser mine = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "mine@contoso.com");
        FakeUser someoneElse = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "else@fabrikam.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(mine);
        String earlier = query(HARNESS.browser().navigate(started.get("loginUrl").asText()).uri()).get("completion");
        SecretsLedger.remember(earlier);
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + earlier + "\"}").getStatusCode());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());

        // connected again (any account may, after a disconnect) through a link finished in someone else's browser
        HARNESS.entra.nextSignIn(someoneElse);
        String later = query(HARNESS.browser().navigate(HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText()).uri()).get("completion");
        SecretsLedger.remember(later);

        FakeHttpResponse replayed = HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + earlier + "\"}");
        assertEquals(409, replayed.getStatusCode(), "the earlier code proves the earlier sign-in only: " + replayed.bodyText());
        assertFalse(statusOf(id).get("signInConfirmed").asBoolean(), "each sign-in is proved anew");
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + later + "\"}").getStatusCode());
    }

    @Test
    void whenACodesSecretIsPairedWithALaterSessionOrTheConnectionIsDisconnectedThenItProvesNothing() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "paired@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        String code = query(HARNESS.browser().navigate(started.get("loginUrl").asText()).uri()).get("completion");
        SecretsLedger.remember(code);
        HARNESS.clock.advance(ConnectService.LOGIN_LINK_LIFETIME.plus(ConnectService.COMPLETION_LIFETIME).plusMinutes(1)); // expired
        JsonNode later = HARNESS.reconnect(id, "\"calendar\"");
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS65004: User declined to consent to access the app.");
        HARNESS.browser().navigate(later.get("loginUrl").asText()); // a later session, used, that connected nothing
        String laterSession = later.get("loginUrl").asText().replaceAll(".*/", "");
        String secret = code.substring(code.lastIndexOf('.') + 1);

        FakeHttpResponse paired = HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + laterSession + "." + secret + "\"}");

        assertEquals(409, paired.getStatusCode(), "the secret proves only with its own session: " + paired.bodyText());
        HARNESS.clock.advance(Duration.ofMinutes(-62)); // the first code back within its lifetime
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + code + "\"}").getStatusCode());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        assertEquals(409, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + code + "\"}").getStatusCode(),
                "a disconnected connection holds no sign-in to prove");
        assertFalse(statusOf(id).get("signInConfirmed").asBoolean());
    }

    @Test
    void whenTheCompletionIsOlderThanItsLifetimeThenItNoLongerProvesTheSignIn() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "late@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        String completion = query(HARNESS.browser().navigate(started.get("loginUrl").asText()).uri()).get("completion");
        SecretsLedger.remember(completion);
        String body = "{\"completion\":\"" + completion + "\"}";
        HARNESS.clock.advance(ConnectService.LOGIN_LINK_LIFETIME.plus(ConnectService.COMPLETION_LIFETIME).minusSeconds(1));
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", body).getStatusCode());

        HARNESS.clock.advance(Duration.ofSeconds(2));

        assertEquals(409, HARNESS.confirmCompletion(id, "owner-1", body).getStatusCode());
    }

    @Test
    void whenLoginLinkIsOpenedThenTheBrowserCookieIsHostPrefixedSecureHttpOnlyLax() {
        HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "cookie@contoso.com");
        TestBrowser browser = HARNESS.browser();
        TestBrowser.Page redirect = browser.fetch(HARNESS.start(NationalCloud.GLOBAL, "\"mail\"").get("loginUrl").asText());
        assertEquals(302, redirect.status());
        assertTrue(redirect.headers().get("Location").startsWith("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"));
        String cookie = browser.setCookieHeaders().get(0);
        assertTrue(cookie.startsWith("__Host-m365c-browser="), cookie);
        assertTrue(cookie.contains("; Path=/;"), cookie);
        assertTrue(cookie.contains("; Secure"), cookie);
        assertTrue(cookie.contains("; HttpOnly"), cookie);
        assertTrue(cookie.contains("; SameSite=Lax"), cookie);
        assertFalse(cookie.contains("Domain="), cookie);
        assertEquals("no-referrer", redirect.headers().get("Referrer-Policy"));
    }

    @Test
    void whenReconnectingToAddAFeatureThenTheSameIdGainsTheFeatureThroughIncrementalConsent() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.USGOV, UUID.randomUUID().toString(), "incremental@contoso.us");
        JsonNode first = HARNESS.start(NationalCloud.USGOV, "\"mail\"");
        String id = first.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(first.get("loginUrl").asText());
        assertEquals(List.of("mail"), strings(statusOf(id).get("features")));

        JsonNode again = ConnectorHarness.json(HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"calendar\"],"
                + "\"cloud\":\"usgov\",\"connectionId\":\"" + id + "\",\"returnUrl\":\"" + ConnectorHarness.RETURN_URL + "\"}").bodyText());
        assertEquals(id, again.get("connectionId").asText());
        assertEquals("active", again.get("status").asText(), "stays usable while the user re-consents");
        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page end = HARNESS.browser().navigate(again.get("loginUrl").asText());

        assertEquals("active", query(end.uri()).get("status"));
        Set<String> asked = Set.of(query(last(HARNESS.entra.authorizeRequests())).get("scope").split(" "));
        assertTrue(asked.containsAll(Set.of("Mail.Send", "Calendars.ReadWrite")), asked.toString());
        JsonNode status = statusOf(id);
        assertEquals(List.of("calendar", "mail"), strings(status.get("features")));
        assertEquals(List.of(), strings(status.get("missingScopes")));
    }

    @Test
    void whenTwoReconnectsCrossThenTheOneThatFinishesLastKeepsTheFeatureTheOtherAdded() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "two-tabs@contoso.com");
        JsonNode first = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = first.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(first.get("loginUrl").asText());
        JsonNode calendarTab = HARNESS.reconnect(id, "\"calendar\"");
        JsonNode roomsTab = HARNESS.reconnect(id, "\"rooms\""); // started before the calendar tab finished: it does not know of calendar

        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(calendarTab.get("loginUrl").asText());
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(roomsTab.get("loginUrl").asText());

        assertEquals(List.of("calendar", "mail", "rooms"), strings(statusOf(id).get("features")), "features add up (API.md)");
    }

    @Test
    void whenTheConnectionIsDisconnectedWhileItsSignInIsOpenThenFinishingThatSignInDoesNotConnectIt() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "left-open@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.clock.advance(Duration.ofSeconds(30)); // started 30 s before the disconnect (clocks of instances play no part)
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode()); // the user gave up, or offboarding

        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText()); // the tab left open

        assertEquals(400, page.status(), page.body());
        assertTrue(page.body().contains("state_invalid"), page.body());
        assertEquals("disconnected", statusOf(id).get("status").asText());
        assertNull(ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().tokens());
    }

    /** A tab left open from before the DELETE, finished after a reconnect connected the row again: it takes nothing over. */
    @Test
    void whenASignInFromBeforeTheDisconnectIsFinishedAfterAReconnectThenItIsRefusedAndTheReconnectStands() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "two-tabs@contoso.com");
        JsonNode first = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = first.get("connectionId").asText();
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        HARNESS.entra.nextSignIn(user);
        String completion = query(HARNESS.browser().navigate(HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText()).uri()).get("completion");
        SecretsLedger.remember(completion);
        assertEquals("active", statusOf(id).get("status").asText());

        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page page = HARNESS.browser().navigate(first.get("loginUrl").asText()); // the tab from before the DELETE

        assertEquals(400, page.status(), page.body());
        assertTrue(page.body().contains("state_invalid"), page.body());
        assertEquals(200, HARNESS.confirmCompletion(id, "owner-1", "{\"completion\":\"" + completion + "\"}").getStatusCode(),
                "the reconnect's proof still stands");
    }

    /**
     * A reconnect started on a disconnected connection, then a DELETE (the user gave up, or offboarding): the DELETE
     * found the connection disconnected already, and still cancels the reconnect's sign-in left open (API.md).
     */
    @Test
    void whenADisconnectedConnectionIsDisconnectedAgainWhileAReconnectIsOpenThenFinishingThatSignInDoesNotConnectIt() {
        Reconnecting r = reconnectStartedAfterADisconnect("reconnect-left-open@contoso.com");
        String id = r.connectionId();
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode()); // within the same millisecond of the test clock

        HARNESS.entra.nextSignIn(r.user());
        TestBrowser.Page page = HARNESS.browser().navigate(r.loginUrl()); // the reconnect's tab left open

        assertEquals(400, page.status(), page.body());
        assertTrue(page.body().contains("state_invalid"), page.body());
        assertEquals("disconnected", statusOf(id).get("status").asText());
        assertNull(ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().tokens());
    }

    /**
     * Another instance that still held a cached token for the connection records its use on the disconnected row (it
     * re-checks the status every 30 s): a write, but not a disconnect, so the reconnect started meanwhile still connects.
     */
    @Test
    void whenTheDisconnectedRowIsWrittenByAnotherInstancesUseThenAReconnectStartedBeforeStillConnects() {
        Reconnecting r = reconnectStartedAfterADisconnect("switching@contoso.com");
        String id = r.connectionId();
        ContextParts.of(HARNESS.context).connections().recordUse(id, HARNESS.clock.instant()); // the other instance's write

        HARNESS.entra.nextSignIn(r.user());
        HARNESS.browser().navigate(r.loginUrl());

        assertEquals("active", statusOf(id).get("status").asText());
    }

    @Test
    void whenAReconnectStartsRightAfterTheDisconnectOnAnInstanceWhoseClockLagsThenItConnects() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "quick-return@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        HARNESS.clock.advance(Duration.ofSeconds(-20)); // the instance that takes the reconnect runs 20 s behind

        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText());

        assertEquals("active", statusOf(id).get("status").asText());
    }

    @Test
    void whenAConnectionIsReconnectedThenMicrosoftIsAskedForItsOwnAccount() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "hinted@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());

        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(HARNESS.reconnect(id, "\"calendar\"").get("loginUrl").asText());

        assertEquals(user.userPrincipalName(), query(last(HARNESS.entra.authorizeRequests())).get("login_hint"),
                "the connection's account, not whichever one the browser is signed in to");
        assertNull(query(last(HARNESS.entra.authorizeRequests())).get("prompt"), "no account picker: the hint names the account");
    }

    /** A new connection lets the user pick the account, rather than Microsoft taking the one the browser is signed in to. */
    @Test
    void whenANewConnectionSignsInThenMicrosoftShowsTheAccountPicker() {
        HARNESS.browser().navigate(HARNESS.start(NationalCloud.USGOV, "\"mail\"").get("loginUrl").asText());

        Map<String, String> authorize = query(last(HARNESS.entra.authorizeRequests()));
        assertEquals("select_account", authorize.get("prompt"));
        assertNull(authorize.get("login_hint"));
    }

    @Test
    void whenUserGrantsOnlySomePermissionsThenConnectionIsActiveWithMissingScopesAndThePageSaysSo() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.CHINA, UUID.randomUUID().toString(), "partial@contoso.cn");
        JsonNode started = HARNESS.start(NationalCloud.CHINA, "\"mail\",\"calendar\"");
        HARNESS.entra.nextSignIn(user, Set.of("Mail.Send", "Mail.ReadWrite"));

        TestBrowser.Page page = HARNESS.browser().navigate(started.get("loginUrl").asText());

        assertEquals(200, page.status());
        assertTrue(page.body().contains("missing_permissions"), page.body());
        assertTrue(page.body().contains("Calendars.ReadWrite"));
        assertTrue(page.body().contains("error=missing_permissions"), "the return link tells the app");
        // TROUBLESHOOTING: the administrator grants the missing permissions with the admin consent link, for the user's tenant
        Matcher link = Pattern.compile("id=\"admin-consent-link\" href=\"([^\"]+)\"").matcher(page.body());
        assertTrue(link.find(), page.body());
        SecretsLedger.remember(link.group(1).replaceAll(".*/", ""));
        HARNESS.entra.nextAdminConsent(user.tenantId());
        HARNESS.browser().navigate(link.group(1));
        URI consent = HARNESS.entra.adminConsentRequests().get(HARNESS.entra.adminConsentRequests().size() - 1);
        assertEquals("login.partner.microsoftonline.cn", consent.getHost());
        assertEquals("/" + user.tenantId() + "/v2.0/adminconsent", consent.getPath());
        JsonNode status = statusOf(started.get("connectionId").asText());
        assertEquals("active", status.get("status").asText());
        assertEquals(List.of("Calendars.ReadWrite"), strings(status.get("missingScopes")));
    }

    @Test
    void whenAnotherAccountSignsInOnReconnectThenItIsRefusedAndTheConnectionKeepsItsUser() {
        FakeUser owner = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "owner@contoso.com");
        FakeUser other = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "other@fabrikam.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(owner);
        HARNESS.browser().navigate(started.get("loginUrl").asText());

        JsonNode again = ConnectorHarness.json(HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"mail\"],"
                + "\"cloud\":\"global\",\"connectionId\":\"" + id + "\"}").bodyText());
        HARNESS.entra.nextSignIn(other);
        TestBrowser.Page page = HARNESS.browser().navigate(again.get("loginUrl").asText());

        assertEquals(409, page.status());
        assertTrue(page.body().contains("account_mismatch"));
        assertEquals(owner.objectId(), statusOf(id).get("user").get("objectId").asText());
    }

    @Test
    void whenDisconnectedThenTokensAreGoneStatusSaysSoAndOnlyTheRemovalIsDue() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.USGOVDOD, UUID.randomUUID().toString(), "dod@army.mil");
        JsonNode started = HARNESS.start(NationalCloud.USGOVDOD, "\"calendar\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertNotNull(ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().tokens());

        var response = HARNESS.deleteConnection(id);

        assertEquals(200, response.getStatusCode());
        assertEquals("disconnected", ConnectorHarness.json(response.bodyText()).get("status").asText());
        Connection stored = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.DISCONNECTED, stored.status());
        assertNull(stored.tokens());
        assertEquals(HARNESS.clock.instant().plus(Connection.REMOVED_AFTER), stored.refresh().nextRefreshDue(), "only its removal is due");
        assertTrue(ContextParts.of(HARNESS.context).connections().findDue(HARNESS.clock.instant().plus(Connection.REMOVED_AFTER).minusMillis(1),
                1000).stream().noneMatch(d -> d.connectionId().equals(id)), "no refresh before it");
        assertEquals("disconnected", statusOf(id).get("status").asText());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode(), "disconnect is idempotent");
    }

    @Test
    void whenDisconnectedConnectionReconnectsThenItIsActiveAgainUnderTheSameId() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "back@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        HARNESS.deleteConnection(id);

        JsonNode again = HARNESS.reconnect(id, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(again.get("loginUrl").asText());

        assertEquals("active", statusOf(id).get("status").asText());
        assertEquals(Set.of(Feature.MAIL), ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().features());
    }

    /** OPERATIONS.md, data retention: a used-up sign-in's session keeps no hint (a UPN, a domain) and no PKCE verifier. */
    @Test
    void whenASignInCompletesThenItsSessionKeepsNeitherHintsNorTheVerifier() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "hinted@contoso.com");
        JsonNode started = ConnectorHarness.json(HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"mail\"],"
                + "\"cloud\":\"global\",\"loginHint\":\"hinted@contoso.com\",\"domainHint\":\"contoso.com\",\"returnUrl\":\""
                + ConnectorHarness.RETURN_URL + "\"}").bodyText());
        String sessionId = started.get("loginUrl").asText().replaceAll(".*/", "");
        SecretsLedger.remember(sessionId); // a capability: never in a log
        HARNESS.entra.nextSignIn(user);
        String loginPage = HARNESS.browser().navigate(started.get("loginUrl").asText()).url();

        TableEntity session = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.loginSessions())
                .listEntities(new ListEntitiesOptions().setFilter("RowKey eq '" + Secrets.sha256(sessionId) + "'"), null, null)
                .stream().findFirst().orElseThrow();
        assertEquals("active", statusOf(started.get("connectionId").asText()).get("status").asText(), loginPage);
        assertEquals("COMPLETED", session.getProperty("Phase"), session.getProperties().toString());
        for (String gone : List.of("LoginHint", "DomainHint", "Verifier", "Nonce")) {
            assertFalse(session.getProperties().containsKey(gone), gone + ": " + session.getProperties().keySet());
        }
    }

    private static JsonNode statusOf(String id) {
        var response = HARNESS.getConnection(id);
        assertEquals(200, response.getStatusCode(), response.bodyText());
        return ConnectorHarness.json(response.bodyText());
    }

    private static Map<String, String> lastTokenRequest(String grantType) {
        List<Map<String, String>> all = HARNESS.entra.tokenRequests();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (grantType.equals(all.get(i).get("grant_type"))) {
                return all.get(i);
            }
        }
        throw new AssertionError("no " + grantType + " request");
    }

    /** A connection signed in, disconnected, and a reconnect of it started (its login page not opened yet). */
    private record Reconnecting(FakeUser user, String connectionId, String loginUrl) {
    }

    private static Reconnecting reconnectStartedAfterADisconnect(String upn) {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), upn);
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        return new Reconnecting(user, id, HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText());
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
