package io.m365connector.testing.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.AuthorizationRequestUrlParameters;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.RefreshTokenParameters;
import com.microsoft.aad.msal4j.ResponseMode;
import com.microsoft.aad.msal4j.SilentParameters;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.MsalHttpClient;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake Entra ID driven by the real MSAL4J client over the shared HTTP stack, at the real login hosts. */
class FakeEntraIdTest {
    private static final String CLIENT_ID = "0b5c8d7e-1f2a-4b3c-9d8e-7f6a5b4c3d2e";
    private static final String SECRET = SecretsLedger.remember("fake-entra-test-secret-" + UUID.randomUUID());
    private static final String REDIRECT_URI = "https://connector.example.com/api/connect/callback";
    private static final String USGOV_TENANT = "7a1c6b2e-3d4f-4a5b-8c9d-0e1f2a3b4c5d";
    private static final String CHINA_TENANT = "c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f";
    private static final Set<String> MAIL_SEND = Set.of("Mail.Send");

    private final FakeEntraId entra = new FakeEntraId();
    private final LocalCloudRouting routing = entra.routeInto(new LocalCloudRouting());
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), routing);
    private final SecureRandom random = new SecureRandom();

    FakeEntraIdTest() {
        entra.registerApp(CLIENT_ID, SECRET, REDIRECT_URI);
    }

    @AfterEach
    void tearDown() {
        entra.close();
    }

    // ------------------------------------------------------------------ happy paths

    @Test
    void whenUsGovUserSignsInThenMsalRedeemsTheCodeAndRefreshesThroughTheFake() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);

        Map<String, String> callback = callback(authorize(app, MAIL_SEND, "state-1", "nonce-1", pkce));
        assertEquals("state-1", callback.get("state"));
        assertNotNull(callback.get("session_state"));
        IAuthenticationResult first = redeem(app, callback.get("code"), pkce.verifier());

        IssuedAccessToken issued = entra.accessToken(first.accessToken()).orElseThrow();
        assertEquals(adele, issued.user());
        assertEquals(CLIENT_ID, issued.clientId());
        assertEquals(MAIL_SEND, issued.scopes());
        assertEquals("graph.microsoft.us", issued.audienceHost());
        assertEquals(adele.objectId() + "." + USGOV_TENANT, first.account().homeAccountId());
        assertEquals("adele.vance@contoso.us", first.account().username());
        assertTrue(first.scopes().contains("Mail.Send"), first.scopes());

        IAuthenticationResult refreshed = app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account())
                .forceRefresh(true).build()).get();

        assertNotEquals(first.accessToken(), refreshed.accessToken());
        assertEquals("graph.microsoft.us", entra.accessToken(refreshed.accessToken()).orElseThrow().audienceHost());
        assertEquals(1, entra.tokenRequests("authorization_code"));
        assertEquals(1, entra.tokenRequests("refresh_token"));
        List<Map<String, String>> requests = entra.tokenRequests();
        assertEquals(pkce.verifier(), requests.get(0).get("code_verifier"));
        assertEquals(REDIRECT_URI, requests.get(0).get("redirect_uri"));
        assertNotNull(requests.get(1).get("refresh_token"));
        URI authorizeUri = entra.authorizeRequests().get(0);
        assertEquals("login.microsoftonline.us", authorizeUri.getHost());
        assertEquals("/organizations/oauth2/v2.0/authorize", authorizeUri.getPath());
        assertEquals(List.of(), entra.unknownRequests(), "MSAL asked for something the fake does not implement");
    }

    @Test
    void whenChinaUserSignsInThenTokensComeFromThePartnerHostForChinasGraph() throws Exception {
        FakeUser li = entra.addUser(NationalCloud.CHINA, CHINA_TENANT, "li.wei@contoso.partner.onmschina.cn");
        ConfidentialClientApplication app = msal(NationalCloud.CHINA.authorityUrl("organizations"));
        entra.nextSignIn(li);
        Pkce pkce = Pkce.create(random);

        URI url = authorize(app, MAIL_SEND, "s-cn", "n-cn", pkce);
        assertEquals("login.partner.microsoftonline.cn", url.getHost());
        IAuthenticationResult first = redeem(app, callback(url).get("code"), pkce.verifier());
        IAuthenticationResult refreshed = app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account())
                .forceRefresh(true).build()).get();

        assertEquals("microsoftgraph.chinacloudapi.cn", entra.accessToken(first.accessToken()).orElseThrow().audienceHost());
        assertEquals("microsoftgraph.chinacloudapi.cn", entra.accessToken(refreshed.accessToken()).orElseThrow().audienceHost());
        Map<String, Object> claims = verifiedClaims(refreshed.idToken());
        assertEquals(NationalCloud.CHINA.idTokenIssuer(CHINA_TENANT), claims.get("iss"));
        assertEquals(1, entra.tokenRequests("refresh_token"));
    }

    @Test
    void whenCodeIsRedeemedThenTheIdTokenIsSignedAndNamesIssuerAudienceAndNonce() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);

        IAuthenticationResult result = redeem(app, callback(authorize(app, MAIL_SEND, "st", "nonce-42", pkce))
                .get("code"), pkce.verifier());

        Map<String, Object> header = json(new String(Base64.getUrlDecoder().decode(result.idToken().split("\\.")[0]), StandardCharsets.UTF_8));
        assertEquals("RS256", header.get("alg"));
        assertEquals(entra.signingKeyId(), header.get("kid"));
        Map<String, Object> claims = verifiedClaims(result.idToken());
        assertEquals("https://login.microsoftonline.us/" + USGOV_TENANT + "/v2.0", claims.get("iss"));
        assertTrue(NationalCloud.USGOV.acceptedIdTokenIssuers(USGOV_TENANT).contains(claims.get("iss")));
        assertEquals(CLIENT_ID, claims.get("aud"));
        assertEquals("nonce-42", claims.get("nonce"));
        assertEquals(USGOV_TENANT, claims.get("tid"));
        assertEquals(adele.objectId(), claims.get("oid"));
        assertEquals("adele.vance@contoso.us", claims.get("preferred_username"));
        assertEquals("Adele Vance", claims.get("name"));
        assertEquals("2.0", claims.get("ver"));
        long iat = ((Number) claims.get("iat")).longValue();
        assertEquals(iat + 3600, ((Number) claims.get("exp")).longValue());
        assertTrue(Math.abs(Instant.now().getEpochSecond() - iat) < 60);

        IAuthenticationResult refreshed = app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, result.account())
                .forceRefresh(true).build()).get();
        Map<String, Object> refreshedClaims = verifiedClaims(refreshed.idToken());
        assertNull(refreshedClaims.get("nonce"), "a refreshed ID token carries no nonce");
        assertEquals(claims.get("sub"), refreshedClaims.get("sub"), "sub is stable per user and app");
    }

    @Test
    void whenAFullyQualifiedScopeIsRequestedThenTheTokenIsForThatHostWithShortScopeNames() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOVDOD, USGOV_TENANT, "adele.vance@contoso.mil");
        ConfidentialClientApplication app = msal(NationalCloud.USGOVDOD.authorityUrl(USGOV_TENANT));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);
        Set<String> scopes = Set.of("https://dod-graph.microsoft.us/Mail.Send");

        String code = callback(authorize(app, scopes, "s", null, pkce)).get("code");
        IAuthenticationResult result = app.acquireToken(AuthorizationCodeParameters.builder(code, URI.create(REDIRECT_URI))
                .scopes(scopes).codeVerifier(pkce.verifier()).build()).get();

        IssuedAccessToken issued = entra.accessToken(result.accessToken()).orElseThrow();
        assertEquals("dod-graph.microsoft.us", issued.audienceHost());
        assertEquals(MAIL_SEND, issued.scopes());
    }

    @Test
    void whenResponseModeIsFormPostThenTheCodeIsInAnAutoSubmittingFormToTheRedirectUri() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);

        try (Response response = get(authorize(app, MAIL_SEND, "fp-state", null, pkce))) {
            assertEquals(200, response.code());
            String html = response.body().string();
            assertTrue(html.contains("<form method=\"POST\" name=\"hiddenform\" action=\"" + REDIRECT_URI + "\">"), html);
            Map<String, String> fields = hiddenFields(html);
            assertEquals("fp-state", fields.get("state"));
            assertTrue(html.contains("document.forms[0].submit()"));
            redeem(app, fields.get("code"), pkce.verifier());
        }
    }

    @Test
    void whenMsalIsAskedForQueryResponseModeThenItSendsFormPostAnyway() throws Exception {
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        URI url = URI.create(app.getAuthorizationRequestUrl(AuthorizationRequestUrlParameters.builder(REDIRECT_URI, MAIL_SEND)
                .state("q").responseMode(ResponseMode.QUERY).build()).toString());
        assertEquals("form_post", Forms.first(Forms.parse(url.getRawQuery()), "response_mode"));
        assertEquals("openid profile offline_access Mail.Send", Forms.first(Forms.parse(url.getRawQuery()), "scope"));
    }

    @Test
    void whenResponseModeIsQueryOrFragmentThenTheCodeComesBackInTheRedirectLocation() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        Pkce pkce = Pkce.create(random);
        URI url = URI.create(authorize(app, MAIL_SEND, "q-state", null, pkce).toString().replace("response_mode=form_post", "response_mode=query"));
        entra.nextSignIn(adele);
        try (Response response = get(url)) {
            assertEquals(302, response.code());
            URI location = URI.create(response.header("Location"));
            assertEquals("q-state", Forms.first(Forms.parse(location.getRawQuery()), "state"));
            redeem(app, Forms.first(Forms.parse(location.getRawQuery()), "code"), pkce.verifier());
        }
        entra.nextAuthorizeError("access_denied", "AADSTS65004: User declined to consent to access the app.");
        try (Response response = get(URI.create(url.toString().replace("response_mode=query", "response_mode=fragment")))) {
            assertEquals(302, response.code());
            URI location = URI.create(response.header("Location"));
            assertNull(location.getRawQuery());
            assertEquals("access_denied", Forms.first(Forms.parse(location.getRawFragment()), "error"));
            assertEquals("q-state", Forms.first(Forms.parse(location.getRawFragment()), "state"));
        }
    }

    // ------------------------------------------------------------------ token endpoint errors

    @Test
    void whenCodeVerifierDoesNotMatchThenMsalFailsWithInvalidGrant() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);
        String code = callback(authorize(app, MAIL_SEND, "s", null, pkce)).get("code");

        MsalServiceException e = msalFailure(() -> redeem(app, code, Pkce.create(random).verifier()));

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().startsWith("AADSTS501481: "), e.getMessage());
        assertNull(e.statusCode(), "MSAL4J leaves statusCode empty on MsalInteractionRequiredException (invalid_grant)");
    }

    @Test
    void whenCodeIsRedeemedTwiceThenTheSecondFailsWithAlreadyRedeemed() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);
        String code = callback(authorize(app, MAIL_SEND, "s", null, pkce)).get("code");
        redeem(app, code, pkce.verifier());

        MsalServiceException e = msalFailure(() -> redeem(app, code, pkce.verifier()));

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().contains("AADSTS54005"), e.getMessage());
    }

    @Test
    void whenClientSecretIsWrongThenTheTokenEndpointAnswers401InvalidClient() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        entra.nextSignIn(adele);
        Pkce pkce = Pkce.create(random);
        String code = callback(authorize(msal(NationalCloud.USGOV.authorityUrl("organizations")), MAIL_SEND, "s", null, pkce))
                .get("code");
        String wrong = SecretsLedger.remember("not-the-secret-" + UUID.randomUUID());
        ConfidentialClientApplication impostor = ConfidentialClientApplication.builder(CLIENT_ID, ClientCredentialFactory.createFromSecret(wrong))
                .authority(NationalCloud.USGOV.authorityUrl("organizations")).instanceDiscovery(false)
                .httpClient(MsalHttpClient.over(http)).build();

        MsalServiceException e = msalFailure(() -> redeem(impostor, code, pkce.verifier()));

        assertEquals("invalid_client", e.errorCode());
        assertEquals(401, e.statusCode());
        assertTrue(e.getMessage().startsWith("AADSTS7000215: "), e.getMessage());
    }

    @Test
    void whenRefreshTokensAreRevokedThenSilentRefreshFailsWithInvalidGrant50173() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        IAuthenticationResult first = signInAndRedeem(app, adele, MAIL_SEND);

        entra.revokeRefreshTokens(adele);
        MsalServiceException e = msalFailure(() -> app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account())
                .forceRefresh(true).build()).get());

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().contains("AADSTS50173"), e.getMessage());
        // A new sign-in after the revocation works again.
        IAuthenticationResult again = signInAndRedeem(app, adele, MAIL_SEND);
        assertNotNull(app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, again.account()).forceRefresh(true).build()).get());
    }

    /** https://learn.microsoft.com/en-us/azure/active-directory/hybrid/how-to-connect-fed-group-claims: 200 groups in a JWT, more: none. */
    @Test
    void whenTheAppEmitsGroupNamesThenUpToTwoHundredAreInTheIdTokenAndMoreLeaveTheClaimOut() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            names.add(i + " " + "g".repeat(250));
        }
        entra.setIdTokenGroupNames(CLIENT_ID, names.subList(0, 200));
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));

        IAuthenticationResult first = signInAndRedeem(app, adele, MAIL_SEND);

        assertEquals(names.subList(0, 200), verifiedClaims(first.idToken()).get("groups"));
        assertTrue(first.idToken().length() > 65_536, "over Table Storage's 64 KiB per property: " + first.idToken().length());
        entra.setIdTokenGroupNames(CLIENT_ID, names);
        assertNull(verifiedClaims(signInAndRedeem(app, adele, MAIL_SEND).idToken()).get("groups"), "an overage: no groups claim");
    }

    @Test
    void whenStrictRotationIsOnThenARedeemedRefreshTokenFails() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.setStrictRotation(true);
        IAuthenticationResult first = signInAndRedeem(app, adele, MAIL_SEND);
        app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account()).forceRefresh(true).build()).get();
        String redeemed = entra.tokenRequests().get(1).get("refresh_token");

        MsalServiceException e = msalFailure(() -> app.acquireToken(RefreshTokenParameters.builder(MAIL_SEND, redeemed).build()).get());

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().startsWith("AADSTS70043: "), e.getMessage());
        // The rotated refresh token in MSAL's cache still works.
        assertNotNull(app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account()).forceRefresh(true).build()).get());
    }

    @Test
    void whenRotationIsLenientThenARedeemedRefreshTokenStillWorksButANewOneIsIssued() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        IAuthenticationResult first = signInAndRedeem(app, adele, MAIL_SEND);
        app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, first.account()).forceRefresh(true).build()).get();
        String redeemed = entra.tokenRequests().get(1).get("refresh_token");

        Map<String, Object> body = json(postToken("login.microsoftonline.us", "organizations", refreshForm(redeemed, "Mail.Send offline_access"), 200));

        assertNotEquals(redeemed, body.get("refresh_token"));
        assertEquals("Mail.Send offline_access", body.get("scope"));
        assertNull(body.get("id_token"), "no openid scope, no ID token");
    }

    @Test
    void whenRefreshAsksForScopesNotConsentedThenInvalidGrant65001ConsentRequired() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextSignIn(adele, Set.of("Mail.Send"));
        Pkce pkce = Pkce.create(random);
        Set<String> asked = Set.of("Mail.Send", "Mail.ReadWrite");
        String code = callback(authorize(app, asked, "s", null, pkce)).get("code");
        IAuthenticationResult first = app.acquireToken(AuthorizationCodeParameters.builder(code, URI.create(REDIRECT_URI))
                .scopes(asked).codeVerifier(pkce.verifier()).build()).get();
        assertEquals(MAIL_SEND, entra.accessToken(first.accessToken()).orElseThrow().scopes());
        assertFalse(first.scopes().contains("Mail.ReadWrite"), first.scopes());

        MsalServiceException e = msalFailure(() -> app.acquireTokenSilently(SilentParameters.builder(Set.of("Mail.ReadWrite"),
                first.account()).forceRefresh(true).build()).get());

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().startsWith("AADSTS65001: "), e.getMessage());
    }

    @Test
    void whenATokenErrorIsScriptedThenItIsAnsweredInEntrasShape() throws Exception {
        entra.nextTokenError(400, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired.", 70008);

        Map<String, Object> body = json(postToken("login.microsoftonline.com", "common", refreshForm("anything", "Mail.Send"), 400));

        assertEquals("invalid_grant", body.get("error"));
        assertTrue(((String) body.get("error_description")).startsWith("AADSTS70008: The provided"), (String) body.get("error_description"));
        assertEquals(List.of(70008), ((List<?>) body.get("error_codes")).stream().map(n -> ((Number) n).intValue()).toList());
        assertNotNull(body.get("timestamp"));
        assertNotNull(body.get("trace_id"));
        assertEquals("corr-1234", body.get("correlation_id"));
        assertEquals(1, entra.tokenRequests("refresh_token"));
        // Consumed: the same request now fails on its own merits.
        Map<String, Object> next = json(postToken("login.microsoftonline.com", "common", refreshForm("anything", "Mail.Send"), 400));
        assertTrue(((String) next.get("error_description")).startsWith("AADSTS9002313: "));
    }

    @Test
    void whenClientIsUnknownAtTheTokenEndpointThenUnauthorizedClient700016() throws Exception {
        FormBody form = new FormBody.Builder().add("client_id", "ffffffff-0000-0000-0000-000000000000").add("client_secret", "whatever-secret")
                .add("grant_type", "refresh_token").add("refresh_token", "x").build();
        Map<String, Object> body = json(postToken("login.microsoftonline.us", "organizations", form, 400));
        assertEquals("unauthorized_client", body.get("error"));
        assertTrue(((String) body.get("error_description")).startsWith("AADSTS700016: Application with identifier 'ffffffff-"));
    }

    @Test
    void whenManyRefreshesRaceThenEachGetsItsOwnTokensAndStrictRotationLetsExactlyOneWin() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        signInAndRedeem(app, adele, MAIL_SEND);
        // The refresh token MSAL holds is only visible in a token request the fake received.
        String rt = refreshTokenOf(app);

        List<Integer> lenient = race(rt, 16);
        assertEquals(16, lenient.stream().filter(s -> s == 200).count(), lenient.toString());

        String fresh = (String) json(postToken("login.microsoftonline.us", "organizations", refreshForm(rt, "Mail.Send offline_access"), 200))
                .get("refresh_token");
        entra.setStrictRotation(true);
        List<Integer> strict = race(fresh, 16);
        assertEquals(1, strict.stream().filter(s -> s == 200).count(), strict.toString());
    }

    // ------------------------------------------------------------------ authorize endpoint

    @Test
    void whenAnAuthorizeErrorIsScriptedThenItIsRedirectedWithTheState() throws Exception {
        entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.nextAuthorizeError("access_denied", "AADSTS65004: User declined to consent to access the app.");

        Map<String, String> callback = callback(authorize(app, MAIL_SEND, "st-err", null, Pkce.create(random)));

        assertEquals("access_denied", callback.get("error"));
        assertTrue(callback.get("error_description").startsWith("AADSTS65004: User declined to consent to access the app."));
        assertEquals("st-err", callback.get("state"));
        assertNull(callback.get("code"));
    }

    @Test
    void whenUserIsFromAnotherTenantThanThePathThenTheErrorIsRedirected() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl(UUID.randomUUID().toString()));
        entra.nextSignIn(adele);

        Map<String, String> callback = callback(authorize(app, MAIL_SEND, "st", null, Pkce.create(random)));

        assertEquals("invalid_request", callback.get("error"));
        assertTrue(callback.get("error_description").startsWith("AADSTS50020: "), callback.get("error_description"));
    }

    @Test
    void whenUserIsFromAnotherCloudThanTheHostThenSignInIsRefusedWithNationalCloudTenantRedirection() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.GLOBAL.authorityUrl("organizations"));
        entra.nextSignIn(adele);

        Map<String, String> callback = callback(authorize(app, MAIL_SEND, "st", null, Pkce.create(random)));

        assertEquals("invalid_request", callback.get("error"));
        assertTrue(callback.get("error_description").startsWith("AADSTS90038: The specified tenant '" + USGOV_TENANT + "' belongs to the "
                + "National Cloud"), callback.get("error_description"));
    }

    @Test
    void whenClientOrRedirectUriIsUnknownThenAnErrorPageIsShownInsteadOfARedirect() throws Exception {
        String base = "https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize?response_type=code&scope=openid%20Mail.Send&state=s";
        try (Response response = get(URI.create(base + "&client_id=99999999-0000-0000-0000-000000000000&redirect_uri="
                + Forms.encode(REDIRECT_URI)))) {
            assertEquals(400, response.code());
            assertNull(response.header("Location"));
            assertTrue(response.body().string().contains("AADSTS700016"));
        }
        try (Response response = get(URI.create(base + "&client_id=" + CLIENT_ID + "&redirect_uri="
                + Forms.encode("https://evil.example/callback")))) {
            assertEquals(400, response.code());
            assertNull(response.header("Location"));
            assertTrue(response.body().string().contains("AADSTS50011"));
        }
    }

    @Test
    void whenCodeChallengeMethodIsPlainThenInvalidRequestIsRedirected() throws Exception {
        URI url = URI.create("https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize?client_id=" + CLIENT_ID
                + "&response_type=code&scope=openid%20Mail.Send&state=pl&redirect_uri=" + Forms.encode(REDIRECT_URI)
                + "&code_challenge=abc&code_challenge_method=plain");
        Map<String, String> callback = callback(url);
        assertEquals("invalid_request", callback.get("error"));
        assertEquals("pl", callback.get("state"));
    }

    @Test
    void whenNothingIsScriptedThenTheSignInPageIsServedAndAcceptRedirectsWithACode() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        FakeUser other = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "megan.bowen@contoso.us");
        FakeUser elsewhere = entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "someone@fabrikam.com");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        Pkce pkce = Pkce.create(random);
        URI url = URI.create(app.getAuthorizationRequestUrl(AuthorizationRequestUrlParameters.builder(REDIRECT_URI,
                        Set.of("Mail.Send", "Mail.ReadWrite")).state("page-state").nonce("page-nonce").codeChallenge(pkce.challenge())
                .codeChallengeMethod("S256").responseMode(ResponseMode.FORM_POST).loginHint("adele.vance@contoso.us").build()).toString());

        String html;
        try (Response response = get(url)) {
            assertEquals(200, response.code());
            html = response.body().string();
        }
        assertTrue(html.contains("<title>Sign in - Fake Microsoft Entra ID (login.microsoftonline.us)</title>"), html);
        assertTrue(html.contains("id=\"user-" + adele.objectId() + "\" value=\"" + adele.objectId() + "\" checked>"), html);
        assertTrue(html.contains("id=\"user-" + other.objectId() + "\" value=\"" + other.objectId() + "\">"), html);
        assertFalse(html.contains(elsewhere.objectId()), "users of another cloud are not offered");
        assertTrue(html.contains("id=\"scope-Mail.Send\""));
        assertTrue(html.contains("id=\"scope-Mail.ReadWrite\""));
        assertFalse(html.contains("id=\"scope-openid\""));
        assertTrue(html.contains("id=\"accept\"") && html.contains("id=\"decline\""));
        assertTrue(html.contains("action=\"/organizations/oauth2/v2.0/authorize\""));

        FormBody.Builder accept = new FormBody.Builder();
        hiddenFields(html).forEach(accept::add);
        accept.add("user", adele.objectId()).add("granted_scope", "Mail.Send").add("decision", "accept");
        Map<String, String> callback;
        try (Response response = http.okHttp().newCall(new Request.Builder()
                .url("https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize").post(accept.build()).build()).execute()) {
            callback = callbackOf(response);
        }
        assertEquals("page-state", callback.get("state"));
        IAuthenticationResult result = redeem(app, callback.get("code"), pkce.verifier());
        assertEquals(MAIL_SEND, entra.accessToken(result.accessToken()).orElseThrow().scopes(), "only the checked scope is granted");
        assertEquals("page-nonce", verifiedClaims(result.idToken()).get("nonce"));
        assertEquals(adele.objectId(), entra.accessToken(result.accessToken()).orElseThrow().user().objectId());
    }

    @Test
    void whenTheSignInPageIsDeclinedThenAccessDeniedIsRedirected() throws Exception {
        entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        String html;
        try (Response response = get(authorize(app, MAIL_SEND, "decl", null, Pkce.create(random)))) {
            html = response.body().string();
        }
        FormBody.Builder decline = new FormBody.Builder();
        hiddenFields(html).forEach(decline::add);
        decline.add("decision", "decline");
        try (Response response = http.okHttp().newCall(new Request.Builder()
                .url("https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize").post(decline.build()).build()).execute()) {
            Map<String, String> callback = callbackOf(response);
            assertEquals("access_denied", callback.get("error"));
            assertTrue(callback.get("error_description").startsWith("AADSTS65004: "));
            assertEquals("decl", callback.get("state"));
        }
    }

    // ------------------------------------------------------------------ misc

    @Test
    void whenAccessTokenLifetimeAndLatencyAreSetThenTokenAnswersReflectThem() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        entra.setAccessTokenLifetime(Duration.ofMinutes(5));
        entra.setTokenLatency(Duration.ofMillis(300));

        long started = System.nanoTime();
        IAuthenticationResult result = signInAndRedeem(app, adele, MAIL_SEND);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(elapsedMillis >= 300, "latency applied: " + elapsedMillis);
        long seconds = Duration.between(Instant.now(), result.expiresOnDate().toInstant()).toSeconds();
        assertTrue(seconds > 240 && seconds <= 300, "expires in " + seconds);
        Instant expiresAt = entra.accessToken(result.accessToken()).orElseThrow().expiresAt();
        assertTrue(Duration.between(Instant.now(), expiresAt).toSeconds() <= 300);
    }

    @Test
    void whenAnotherPathIsRequestedThenTheFakeAnswers404Json() throws Exception {
        try (Response response = get(URI.create("https://login.chinacloudapi.cn/common/userrealm/x"))) {
            assertEquals(404, response.code());
            assertTrue(response.header("Content-Type").startsWith("application/json"));
            assertTrue(json(response.body().string()).containsKey("error"));
        }
        assertEquals(List.of("GET https://login.chinacloudapi.cn/common/userrealm/x"), entra.unknownRequests());
    }

    @Test
    void whenKeysAndMetadataAreRequestedThenTheyDescribeTheSigningKeyAndEndpoints() throws Exception {
        try (Response response = get(URI.create("https://login.microsoftonline.us/" + USGOV_TENANT + "/discovery/v2.0/keys"))) {
            assertEquals(200, response.code());
            Map<?, ?> key = (Map<?, ?>) ((List<?>) json(response.body().string()).get("keys")).get(0);
            assertEquals(entra.signingKeyId(), key.get("kid"));
            assertEquals("RSA", key.get("kty"));
            assertEquals(entra.signingKey().getModulus(), new BigInteger(1, Base64.getUrlDecoder().decode((String) key.get("n"))));
        }
        try (Response response = get(URI.create("https://login.partner.microsoftonline.cn/" + CHINA_TENANT
                + "/v2.0/.well-known/openid-configuration"))) {
            Map<String, Object> metadata = json(response.body().string());
            assertEquals(NationalCloud.CHINA.idTokenIssuer(CHINA_TENANT), metadata.get("issuer"));
            assertEquals("https://login.partner.microsoftonline.cn/" + CHINA_TENANT + "/oauth2/v2.0/token", metadata.get("token_endpoint"));
        }
        assertEquals(List.of(), entra.unknownRequests());
    }

    @Test
    void whenSecretsAreIssuedThenTheLedgerKnowsThem() throws Exception {
        FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, "adele.vance@contoso.us");
        ConfidentialClientApplication app = msal(NationalCloud.USGOV.authorityUrl("organizations"));
        IAuthenticationResult result = signInAndRedeem(app, adele, MAIL_SEND);
        Set<String> ledger = SecretsLedger.all();
        assertTrue(ledger.contains(result.accessToken()));
        assertTrue(ledger.contains(result.idToken()));
        assertTrue(ledger.contains(entra.tokenRequests().get(0).get("code")));
        assertTrue(ledger.contains(SECRET));
    }

    // ------------------------------------------------------------------ helpers

    private ConfidentialClientApplication msal(String authority) throws Exception {
        return ConfidentialClientApplication.builder(CLIENT_ID, ClientCredentialFactory.createFromSecret(SECRET))
                .authority(authority)
                .instanceDiscovery(false)
                .httpClient(MsalHttpClient.over(http))
                .build();
    }

    /** MSAL's authorize URL. MSAL 1.26 only offers form_post (its default, and what it turns QUERY into) and fragment. */
    private static URI authorize(ConfidentialClientApplication app, Set<String> scopes, String state, String nonce, Pkce pkce) {
        AuthorizationRequestUrlParameters.Builder builder = AuthorizationRequestUrlParameters.builder(REDIRECT_URI, scopes)
                .state(state).codeChallenge(pkce.challenge()).codeChallengeMethod("S256").responseMode(ResponseMode.FORM_POST);
        if (nonce != null) {
            builder.nonce(nonce);
        }
        return URI.create(app.getAuthorizationRequestUrl(builder.build()).toString());
    }

    private IAuthenticationResult signInAndRedeem(ConfidentialClientApplication app, FakeUser user, Set<String> scopes) throws Exception {
        entra.nextSignIn(user);
        Pkce pkce = Pkce.create(random);
        String code = callback(authorize(app, scopes, "s", null, pkce)).get("code");
        return app.acquireToken(AuthorizationCodeParameters.builder(code, URI.create(REDIRECT_URI)).scopes(scopes)
                .codeVerifier(pkce.verifier()).build()).get();
    }

    private static IAuthenticationResult redeem(ConfidentialClientApplication app, String code, String verifier) throws Exception {
        return app.acquireToken(AuthorizationCodeParameters.builder(code, URI.create(REDIRECT_URI)).scopes(MAIL_SEND)
                .codeVerifier(verifier).build()).get();
    }

    /** Follows the authorize URL once and returns the parameters the browser would bring back to the app. */
    private Map<String, String> callback(URI authorizeUrl) throws IOException {
        try (Response response = get(authorizeUrl)) {
            return callbackOf(response);
        }
    }

    /** The parameters for the app in an authorize answer: a form_post page, or a 302 with query or fragment. */
    private static Map<String, String> callbackOf(Response response) throws IOException {
        String body = response.body().string();
        if (response.code() == 200 && body.contains("name=\"hiddenform\"")) {
            assertTrue(body.contains("action=\"" + REDIRECT_URI + "\""), body);
            return hiddenFields(body);
        }
        assertEquals(302, response.code(), () -> "authorize answered " + response.code() + ": " + body);
        URI location = URI.create(response.header("Location"));
        assertTrue(location.toString().startsWith(REDIRECT_URI), location.toString());
        return Forms.firstValues(Forms.parse(location.getRawQuery() != null ? location.getRawQuery() : location.getRawFragment()));
    }

    private Response get(URI url) throws IOException {
        return http.okHttp().newCall(new Request.Builder().url(url.toString()).build()).execute();
    }

    private String postToken(String host, String tenant, FormBody form, int expectedStatus) throws IOException {
        try (Response response = http.okHttp().newCall(new Request.Builder().url("https://" + host + "/" + tenant + "/oauth2/v2.0/token")
                .header("client-request-id", "corr-1234").post(form).build()).execute()) {
            String body = response.body().string();
            assertEquals(expectedStatus, response.code(), body);
            assertEquals("application/json; charset=utf-8", response.header("Content-Type"));
            return body;
        }
    }

    private static FormBody refreshForm(String refreshToken, String scope) {
        return new FormBody.Builder().add("client_id", CLIENT_ID).add("client_secret", SECRET).add("grant_type", "refresh_token")
                .add("refresh_token", refreshToken).add("scope", scope).build();
    }

    /** Redeems MSAL's cached refresh token once (forced silent refresh) and returns it, as the fake saw it. */
    private String refreshTokenOf(ConfidentialClientApplication app) throws Exception {
        app.acquireTokenSilently(SilentParameters.builder(MAIL_SEND, app.getAccounts().get().iterator().next()).forceRefresh(true)
                .build()).get();
        List<Map<String, String>> requests = entra.tokenRequests();
        return requests.get(requests.size() - 1).get("refresh_token");
    }

    private List<Integer> race(String refreshToken, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                calls.add(() -> {
                    try (Response response = http.okHttp().newCall(new Request.Builder()
                            .url("https://login.microsoftonline.us/organizations/oauth2/v2.0/token")
                            .post(refreshForm(refreshToken, "Mail.Send offline_access")).build()).execute()) {
                        String body = response.body().string();
                        if (response.code() == 200) {
                            String rt = (String) json(body).get("refresh_token");
                            assertNotEquals(refreshToken, rt);
                        }
                        return response.code();
                    }
                });
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static MsalServiceException msalFailure(Callable<?> call) {
        ExecutionException e = assertThrows(ExecutionException.class, call::call);
        return assertInstanceOf(MsalServiceException.class, e.getCause());
    }

    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"\\s*/?>");

    private static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) {
            fields.put(unescape(m.group(1)), unescape(m.group(2)));
        }
        return fields;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private Map<String, Object> verifiedClaims(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(entra.signingKey());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rsa.verify(Base64.getUrlDecoder().decode(parts[2])), "ID token signature");
        return json(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    private static Map<String, Object> json(String text) throws IOException {
        try (JsonReader reader = JsonProviders.createReader(text)) {
            reader.nextToken();
            return reader.readMap(JsonReader::readUntyped);
        }
    }

    private record Pkce(String verifier, String challenge) {
        static Pkce create(SecureRandom random) throws Exception {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
            return new Pkce(verifier, challenge);
        }
    }
}
