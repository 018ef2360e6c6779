package io.m365connector.connect;

import static io.m365connector.connect.ConnectFlowTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.TestBrowser;
import io.m365connector.testing.entra.FakeUser;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A user blocked by admin approval forwards a link; the administrator approves in their cloud; the user connects. */
class AdminConsentFlowTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final Pattern ADMIN_LINK = Pattern.compile("id=\"admin-consent-link\" href=\"([^\"]+)\"");

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAdministratorApprovesThroughTheForwardedLinkThenTheUserCanConnect(NationalCloud cloud) {
        FakeUser user = HARNESS.entra.addUser(cloud, UUID.randomUUID().toString(), "blocked@contoso-" + cloud.id() + ".com");
        JsonNode started = HARNESS.start(cloud, "\"mail\",\"shared_calendar\"");
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS90094: Admin consent is required for the permissions requested by this application.");
        TestBrowser.Page blocked = HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(403, blocked.status());
        String adminLink = adminLink(blocked.body());
        assertTrue(adminLink.startsWith("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/adminconsent/"), adminLink);

        // The administrator opens the link in their own browser and approves.
        HARNESS.entra.nextAdminConsent(UUID.randomUUID().toString());
        TestBrowser admin = HARNESS.browser();
        TestBrowser.Page approved = admin.navigate(adminLink);

        assertEquals(200, approved.status(), approved.body());
        assertTrue(approved.body().contains("Approved for your organization"));
        URI consent = HARNESS.entra.adminConsentRequests().get(HARNESS.entra.adminConsentRequests().size() - 1);
        assertEquals(cloud.authorityHost(), consent.getHost(), "built for the user's cloud, not MSAL's global host");
        assertEquals("/organizations/v2.0/adminconsent", consent.getPath());
        Map<String, String> params = query(consent);
        assertEquals(HARNESS.clientIds.get(cloud), params.get("client_id"));
        assertEquals(Set.of("openid", "profile", "offline_access", cloud.fullyQualifiedScope("Mail.Send"),
                cloud.fullyQualifiedScope("Mail.ReadWrite"), cloud.fullyQualifiedScope("Calendars.ReadWrite.Shared")),
                Set.of(params.get("scope").split(" ")));

        // The user starts again and connects.
        JsonNode again = HARNESS.start(cloud, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        assertEquals("active", query(HARNESS.browser().navigate(again.get("loginUrl").asText()).uri()).get("status"));
    }

    /**
     * In a tenant whose users may not consent, the approval must cover what every sign-in asks for besides the features'
     * permissions: openid, profile and offline_access are Graph permissions with a consent of their own (scopes-oidc on
     * Learn), so an approval of the features alone left the user blocked at the next sign-in.
     */
    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenUsersMayNotConsentThenTheApprovalCoversTheSignInItselfAndTheUserConnects(NationalCloud cloud) {
        FakeUser user = HARNESS.entra.addUser(cloud, UUID.randomUUID().toString(), "locked-down@contoso-" + cloud.id() + ".com");
        HARNESS.entra.disableUserConsent(user.tenantId());
        JsonNode started = HARNESS.start(cloud, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page blocked = HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(403, blocked.status(), blocked.body());

        HARNESS.entra.nextAdminConsent(user.tenantId());
        assertEquals(200, HARNESS.browser().navigate(adminLink(blocked.body())).status());

        JsonNode again = HARNESS.start(cloud, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page connected = HARNESS.browser().navigate(again.get("loginUrl").asText());
        assertEquals("active", query(connected.uri()).get("status"), connected.body());
    }

    @Test
    void whenAdministratorDeclinesThenThePageSaysSoEvenThoughAdminConsentIsTrue() {
        HARNESS.entra.addUser(NationalCloud.USGOV, UUID.randomUUID().toString(), "declined@contoso.us");
        JsonNode started = HARNESS.start(NationalCloud.USGOV, "\"mail\"");
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS90094: Admin consent is required.");
        String adminLink = adminLink(HARNESS.browser().navigate(started.get("loginUrl").asText()).body());
        HARNESS.entra.nextAdminConsentError("access_denied", "AADSTS65004: User declined to consent to access the app.");

        TestBrowser.Page page = HARNESS.browser().navigate(adminLink);

        assertEquals(403, page.status());
        assertTrue(page.body().contains("not approved"), page.body());
        assertTrue(page.body().contains("user_declined"));
        assertTrue(page.body().contains("Open the approval link again"), page.body());
    }

    /**
     * Declined (or cancelled, or signed in with an account that may not approve): the page says to open the link again,
     * and the link does, in any browser; only an approval uses it up. A reload of the approval's page shows it again.
     */
    @Test
    void whenTheAdministratorDeclinedThenTheSameLinkOpensTheApprovalAgainAndOnlyTheApprovalUsesItUp() {
        String adminLink = blockedUsersAdminLink("second-try@contoso.com");
        HARNESS.entra.nextAdminConsentError("access_denied", "AADSTS65004: User declined to consent to access the app.");
        assertEquals(403, HARNESS.browser().navigate(adminLink).status());

        HARNESS.entra.nextAdminConsent(UUID.randomUUID().toString());
        TestBrowser admin = HARNESS.browser(); // forwarded to another administrator
        TestBrowser.Page approved = admin.navigate(adminLink);
        assertEquals(200, approved.status(), approved.body());
        assertTrue(approved.body().contains("Approved for your organization"), approved.body());

        TestBrowser.Page reloaded = admin.navigate(approved.uri().toString());
        assertEquals(200, reloaded.status(), reloaded.body());
        assertTrue(reloaded.body().contains("Approved for your organization"), reloaded.body());
        TestBrowser.Page usedUp = HARNESS.browser().navigate(adminLink);
        assertEquals(400, usedUp.status(), usedUp.body());
        assertTrue(usedUp.body().contains("already used"), usedUp.body());
    }

    @Test
    void whenAdminConsentLinkWasUsedThenItCannotBeUsedAgain() {
        HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "once@contoso.com");
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"calendar\"");
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS90094: Admin consent is required.");
        String adminLink = adminLink(HARNESS.browser().navigate(started.get("loginUrl").asText()).body());
        HARNESS.entra.nextAdminConsent(UUID.randomUUID().toString());
        assertEquals(200, HARNESS.browser().navigate(adminLink).status());

        TestBrowser.Page again = HARNESS.browser().navigate(adminLink);

        assertEquals(400, again.status());
        assertTrue(again.body().contains("already used"));
    }

    @Test
    void whenTheAdminConsentLinkIsOpenedWithinSevenDaysThenItWorksAndAfterThemAPageSaysItExpired() {
        String early = blockedUsersAdminLink("early@contoso.com");
        String late = blockedUsersAdminLink("late@contoso.com");
        int consentRequests = HARNESS.entra.adminConsentRequests().size();
        try {
            // docs/API.md: the link (valid 7 days) opens the admin-consent page of the user's cloud
            HARNESS.clock.advance(Duration.ofDays(7).minusMinutes(5));
            HARNESS.entra.nextAdminConsent(UUID.randomUUID().toString());
            assertEquals(200, HARNESS.browser().navigate(early).status(), "still valid just before 7 days");

            HARNESS.clock.advance(Duration.ofMinutes(6));
            TestBrowser.Page expired = HARNESS.browser().navigate(late);

            assertEquals(400, expired.status(), expired.body());
            assertTrue(expired.body().contains("expired"), expired.body());
            assertEquals(consentRequests + 1, HARNESS.entra.adminConsentRequests().size(), "the expired link does not reach Microsoft");
        } finally {
            HARNESS.clock.set(Instant.now());
        }
    }

    /** A user whose tenant requires an administrator: the link on the page they are shown. */
    private static String blockedUsersAdminLink(String upn) {
        HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), upn);
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.entra.nextAuthorizeError("access_denied", "AADSTS90094: Admin consent is required.");
        return adminLink(HARNESS.browser().navigate(started.get("loginUrl").asText()).body());
    }

    private static String adminLink(String html) {
        Matcher m = ADMIN_LINK.matcher(html);
        assertTrue(m.find(), "no admin consent link on the page");
        return m.group(1).replace("&amp;", "&");
    }
}
