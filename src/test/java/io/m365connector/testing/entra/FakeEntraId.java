package io.m365connector.testing.entra;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.m365connector.platform.Html.escape;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.FakeServers;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of Microsoft Entra ID's v2.0 OAuth endpoints (authorization code + PKCE, refresh
 * tokens) for every national cloud, over HTTPS at the real login host names.
 *
 * <p>The authorize endpoint is scripted ({@link #nextSignIn}, {@link #nextAuthorizeError}); with
 * nothing scripted it serves a small HTML sign-in page a person (or a test driving HTML) can use.
 * The token endpoint checks what Entra checks: client authentication, one-time unexpired codes bound
 * to client and redirect URI, PKCE S256, refresh tokens bound to the client, revocation, consent
 * for the requested scopes. Errors look like Entra's ({@code AADSTSnnnn:} descriptions with trace
 * and correlation ids, {@code error_codes}, {@code timestamp}). ID tokens are real RS256 JWTs; access
 * tokens are opaque, and a fake resource looks them up with {@link #accessToken(String)}.
 *
 * <p>Every code, token and client secret goes to {@link SecretsLedger}. Thread-safe.
 */
public final class FakeEntraId implements AutoCloseable {
    static final String TRANSFORMER = "fake-entra-id";

    private static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    private static final Duration ID_TOKEN_LIFETIME = Duration.ofHours(1);
    /** Entra ID's limit of groups in a JWT's groups claim (more: the claim is left out). */
    private static final int MAX_GROUPS_IN_JWT = 200;
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern OAUTH_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/(authorize|token)/?");
    private static final Pattern KEYS_PATH = Pattern.compile("/([^/]+)/discovery/v2\\.0/keys/?");
    private static final Pattern ADMIN_CONSENT_PATH = Pattern.compile("/([^/]+)/v2\\.0/adminconsent/?");
    private static final Pattern METADATA_PATH = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration/?");
    private static final DateTimeFormatter ENTRA_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final Map<String, Set<NationalCloud>> CLOUDS_BY_HOST = cloudsByHost();

    private final Object lock = new Object();
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final TokenSigner signer;

    private final Map<String, App> apps = new HashMap<>();
    /** Registrations deleted in their home tenant (restorable for 30 days in Entra ID, as here): unknown everywhere meanwhile. */
    private final Set<String> deletedApps = new HashSet<>();
    private final List<FakeUser> users = new ArrayList<>();
    private final Deque<AuthorizeScript> authorizeScripts = new ArrayDeque<>();
    private final Deque<ScriptedTokenError> tokenErrors = new ArrayDeque<>();
    private final Map<String, AuthorizationCode> codes = new HashMap<>();
    private final Map<String, RefreshGrant> refreshTokens = new HashMap<>();
    private final Map<String, IssuedAccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> consents = new HashMap<>();
    private final Map<String, Revocation> revocations = new HashMap<>();
    private final List<Map<String, String>> tokenRequestLog = new ArrayList<>();
    private final Map<String, Integer> tokenRequestCounts = new HashMap<>();
    private final List<URI> authorizeRequestLog = new ArrayList<>();
    private final Deque<Map<String, String>> adminConsentScripts = new ArrayDeque<>();
    /** Tenants whose users may not consent (Enterprise applications, User consent settings: "Do not allow user consent"). */
    private final Set<String> userConsentDisabled = new HashSet<>();
    /** Guests (by object id in the resource tenant): the tenant their account is in. */
    private final Map<String, String> guestHomes = new HashMap<>();
    /** Per tenant, the (short, lower-case) scopes an administrator granted for the whole organization through admin consent. */
    private final Map<String, Set<String>> tenantGrants = new HashMap<>();
    private final List<URI> adminConsentRequestLog = new ArrayList<>();
    private final List<String> unknownRequests = new ArrayList<>();
    private long refreshSequence;
    private boolean strictRotation;
    private ScopeForm scopeForm = ScopeForm.SHORT;
    private final Map<String, Challenge> challenges = new HashMap<>();
    private volatile Duration tokenLatency = Duration.ZERO;
    private volatile Duration accessTokenLifetime = Duration.ofHours(1);

    private final WireMockServer server;

    /** Starts the fake on a free local HTTPS port; times come from the system clock. */
    public FakeEntraId() {
        this(Clock.systemUTC());
    }

    /** Starts the fake with its own clock (code expiry, token lifetimes, JWT times). */
    public FakeEntraId(Clock clock) {
        this(clock, TokenSigner.sharedKey());
    }

    /** A fake whose tokens no other fake's key verifies (every other fake of the test JVM shares one RSA key). */
    public static FakeEntraId withOwnSigningKey() {
        return new FakeEntraId(Clock.systemUTC(), TokenSigner.ownKey());
    }

    private FakeEntraId(Clock clock, TokenSigner signer) {
        this.clock = clock;
        this.signer = signer;
        this.server = FakeServers.https(new Endpoints());
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
    }

    /** Routes every Entra authority host (all clouds and aliases) to this fake. */
    public LocalCloudRouting routeInto(LocalCloudRouting routing) {
        for (String host : CLOUDS_BY_HOST.keySet()) {
            routing.route(host, port());
        }
        return routing;
    }

    public int port() {
        return server.httpsPort();
    }

    /** The public half of the ID token signing key (also served as JWKS at {@code /{tenant}/discovery/v2.0/keys}). */
    public RSAPublicKey signingKey() {
        return signer.publicKey();
    }

    /** The {@code kid} in every ID token's header. */
    public String signingKeyId() {
        return signer.kid();
    }

    /**
     * Registers a confidential client (web app) with a secret and a redirect URI. Registering the
     * same client id again adds the secret and redirect URI to it.
     */
    public void registerApp(String clientId, String clientSecret, String redirectUri) {
        SecretsLedger.remember(clientSecret);
        synchronized (lock) {
            App app = apps.computeIfAbsent(clientId, App::new);
            app.secrets.add(clientSecret);
            app.redirectUris.add(redirectUri);
        }
    }

    /** Registers a confidential client without a secret (it authenticates with a certificate or a federated credential). */
    public void registerApp(String clientId, String redirectUri) {
        synchronized (lock) {
            apps.computeIfAbsent(clientId, App::new).redirectUris.add(redirectUri);
        }
    }

    /** Uploads a certificate to the app: client assertions signed with its key authenticate the app until it expires. */
    public void registerCertificate(String clientId, X509Certificate certificate) {
        synchronized (lock) {
            apps.computeIfAbsent(clientId, App::new).certificates.add(certificate);
        }
    }

    /** Adds a federated identity credential to the app: an Entra-issued token with exactly this issuer, subject and audience authenticates it. */
    public void registerFederatedCredential(String clientId, String issuer, String subject, String audience) {
        synchronized (lock) {
            apps.computeIfAbsent(clientId, App::new).federated.add(new ClientAuthentication.FederatedCredential(issuer, subject, audience));
        }
    }

    /**
     * The app registration emits the groups claim in ID tokens as the groups' display names (cloud-only groups: the
     * {@code groups} optional claim with the {@code cloud_displayname} additional property, groupMembershipClaims
     * {@code ApplicationGroup}) and every user signing in is in these groups. As Entra ID does: up to 200 groups are in
     * the token; with more the groups claim is left out (an overage;
     * https://learn.microsoft.com/en-us/azure/active-directory/hybrid/how-to-connect-fed-group-claims), where Entra ID
     * adds {@code _claim_names}/{@code _claim_sources}, which this fake does not. A display name may have 256
     * characters, so 200 of them make an ID token of ~70 KB.
     */
    public void setIdTokenGroupNames(String clientId, List<String> groupNames) {
        synchronized (lock) {
            apps.computeIfAbsent(clientId, App::new).idTokenGroups = List.copyOf(groupNames);
        }
    }

    /** Removes every federated identity credential of the app (an administrator deleted it). */
    public void removeFederatedCredentials(String clientId) {
        synchronized (lock) {
            apps.get(clientId).federated.clear();
        }
    }

    /** Marks a secret of the app expired (AADSTS7000222), or valid again. */
    public void setSecretExpired(String clientId, String secret, boolean expired) {
        synchronized (lock) {
            App app = apps.get(clientId);
            if (expired) {
                app.expiredSecrets.add(secret);
            } else {
                app.expiredSecrets.remove(secret);
            }
        }
    }

    /** The tenant the app is registered in: app-only tokens are issued there (elsewhere AADSTS700016). */
    public void setHomeTenant(String clientId, String tenantId) {
        synchronized (lock) {
            apps.computeIfAbsent(clientId, App::new).homeTenant = tenantId;
        }
    }

    /**
     * Deletes the app registration, or restores it (Entra ID keeps a deleted registration 30 days, restorable with its
     * credentials): meanwhile every sign-in and token request for it is refused with AADSTS700016, in every tenant.
     */
    public void setAppDeleted(String clientId, boolean deleted) {
        synchronized (lock) {
            if (deleted) {
                deletedApps.add(clientId);
            } else {
                deletedApps.remove(clientId);
            }
        }
    }

    private App registered(String clientId) {
        synchronized (lock) {
            return clientId == null || deletedApps.contains(clientId) ? null : apps.get(clientId);
        }
    }

    /** Disables the app's service principal (AADSTS7000112 for every token request), or enables it again. */
    public void setAppDisabled(String clientId, boolean disabled) {
        synchronized (lock) {
            apps.get(clientId).disabled = disabled;
        }
    }

    /**
     * A managed identity token as Entra ID issues it (signed with this fake's key, so federated
     * credentials can be verified): what the fake identity endpoint hands out.
     */
    public String issueManagedIdentityToken(String issuer, String tenantId, String principalId, String clientId, String audience,
                                            Instant issuedAt, Instant expiresAt) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("iss", issuer);
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("nbf", issuedAt.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        claims.put("appid", clientId);
        claims.put("azp", clientId);
        claims.put("idtyp", "app");
        claims.put("oid", principalId);
        claims.put("sub", principalId);
        claims.put("tid", tenantId);
        claims.put("ver", issuer.endsWith("/v2.0") ? "2.0" : "1.0");
        return SecretsLedger.remember(signer.sign(claims));
    }

    /** A new work account in {@code tenantId} of {@code cloud}, with a random object id. */
    public FakeUser addUser(NationalCloud cloud, String tenantId, String userPrincipalName) {
        FakeUser user = new FakeUser(cloud, tenantId, UUID.randomUUID().toString(), userPrincipalName, displayNameOf(userPrincipalName));
        synchronized (lock) {
            users.add(user);
        }
        return user;
    }

    /**
     * A B2B guest of {@code resourceTenantId} whose account is in {@code homeTenantId}: signed in to the resource tenant, its
     * ID token names that tenant ({@code tid}, {@code iss}) and its home tenant's issuer as {@code idp} (Learn, ID token claims).
     */
    public FakeUser addGuest(NationalCloud cloud, String resourceTenantId, String homeTenantId, String userPrincipalName) {
        FakeUser guest = addUser(cloud, resourceTenantId, userPrincipalName);
        synchronized (lock) {
            guestHomes.put(guest.objectId(), homeTenantId);
        }
        return guest;
    }

    /** The next authorize request signs {@code user} in, consenting to every requested scope. */
    public void nextSignIn(FakeUser user) {
        synchronized (lock) {
            authorizeScripts.add(new SignIn(user, null, true));
        }
    }

    /** The next authorize request signs {@code user} in, granting only these (short) scope names of those requested. */
    public void nextSignIn(FakeUser user, Set<String> grantOnly) {
        synchronized (lock) {
            authorizeScripts.add(new SignIn(user, Set.copyOf(grantOnly), true));
        }
    }

    /** The next authorize request is answered by redirecting this error to the app (with its state). */
    public void nextAuthorizeError(String error, String errorDescription) {
        synchronized (lock) {
            authorizeScripts.add(new AuthorizeError(error, errorDescription));
        }
    }

    /**
     * The next admin-consent request is approved by an administrator of {@code tenantId}: the redirect
     * carries admin_consent=True, the tenant and the scopes.
     */
    public void nextAdminConsent(String tenantId) {
        synchronized (lock) {
            adminConsentScripts.add(Map.of("tenant", tenantId));
        }
    }

    /**
     * The next admin-consent request fails with this error. As Entra ID does, the redirect still carries
     * admin_consent=True next to the error.
     */
    public void nextAdminConsentError(String error, String errorDescription) {
        synchronized (lock) {
            adminConsentScripts.add(Map.of("error", error, "error_description", errorDescription));
        }
    }

    /**
     * Users of this tenant may not consent: a sign-in asking for any permission an administrator has not granted for the
     * organization (OpenID Connect's openid, profile, offline_access included: they are Graph permissions with a consent of
     * their own, learn.microsoft.com/entra/identity-platform/scopes-oidc) is sent back with AADSTS90094, admin consent
     * required. An admin consent approved for this tenant grants the scopes it asked for.
     */
    public void disableUserConsent(String tenantId) {
        synchronized (lock) {
            userConsentDisabled.add(tenantId.toLowerCase(Locale.ROOT));
        }
    }

    /** The admin-consent requests received (full URIs), in order. */
    public List<URI> adminConsentRequests() {
        synchronized (lock) {
            return List.copyOf(adminConsentRequestLog);
        }
    }

    /** The next token request (whatever it is) gets this error. */
    public void nextTokenError(int httpStatus, String error, String errorDescription, long... errorCodes) {
        synchronized (lock) {
            tokenErrors.add(new ScriptedTokenError(httpStatus, error, errorDescription, errorCodes.clone()));
        }
    }

    /**
     * The next token request gets an answer that is no OAuth error: {@code body} as {@code text/plain} (empty: no body), as a
     * gateway in front of Entra ID may answer a 429 or a 5xx ("Too Many Requests" in plain text: MSAL.NET issue 2855).
     */
    public void nextTokenAnswerWithoutJson(int httpStatus, String body) {
        synchronized (lock) {
            tokenErrors.add(new ScriptedTokenError(httpStatus, null, body, new long[0]));
        }
    }

    /** Like revoking sign-in sessions: every refresh token issued to {@code user} so far stops working (AADSTS50173). */
    public void revokeRefreshTokens(FakeUser user) {
        synchronized (lock) {
            revocations.put(user.objectId(), new Revocation(refreshSequence, clock.instant()));
        }
    }

    /** How granted Graph permissions are written in the {@code scope} of token responses from now on (default short names). */
    public void setScopeForm(ScopeForm form) {
        synchronized (lock) {
            scopeForm = form;
        }
    }

    /**
     * The next authorize request signs {@code user} in without granting offline_access, as when the
     * app may not keep access: the token response then carries no refresh token.
     */
    public void nextSignInWithoutOfflineAccess(FakeUser user) {
        synchronized (lock) {
            authorizeScripts.add(new SignIn(user, null, false));
        }
    }

    /**
     * A Continuous Access Evaluation event for {@code user} (a policy or location change): Graph
     * answers the user's tokens issued to cp1 clients before now with a claims challenge. A token
     * request that carries the challenge's claims then gets a token Graph accepts when
     * {@code satisfiableSilently}; otherwise it fails with interaction_required (the user must sign
     * in). Tokens of clients without cp1 are not challenged, as Graph does. Returns the claims JSON.
     */
    public String raiseClaimsChallenge(FakeUser user, boolean satisfiableSilently) {
        synchronized (lock) {
            Instant now = clock.instant();
            String claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + now.getEpochSecond() + "\"}}}";
            challenges.put(user.objectId(), new Challenge(claims, now, satisfiableSilently));
            return claims;
        }
    }

    /** The claims challenge Graph must answer this token with, if any (see {@link #raiseClaimsChallenge}). */
    public Optional<String> claimsChallengeFor(IssuedAccessToken token) {
        synchronized (lock) {
            Challenge challenge = challenges.get(token.user().objectId());
            if (challenge == null || !token.cae()) {
                return Optional.empty();
            }
            boolean answered = challenge.satisfiable() && token.requestedClaims() != null && token.requestedClaims().contains("\"nbf\"")
                    && !token.issuedAt().isBefore(challenge.at());
            return answered ? Optional.empty() : Optional.of(challenge.claims());
        }
    }

    /** When true, a refresh token stops working once redeemed. Entra's default (false) keeps it valid. */
    public void setStrictRotation(boolean strict) {
        synchronized (lock) {
            strictRotation = strict;
        }
    }

    /** Delay before each token request is processed and answered. */
    public void setTokenLatency(Duration latency) {
        tokenLatency = latency;
    }

    /** Lifetime of the access tokens issued from now on ({@code expires_in}); default 1 hour. */
    public void setAccessTokenLifetime(Duration lifetime) {
        accessTokenLifetime = lifetime;
    }

    /** How many token requests with this {@code grant_type} were answered, whatever the outcome. */
    public int tokenRequests(String grantType) {
        synchronized (lock) {
            return tokenRequestCounts.getOrDefault(grantType, 0);
        }
    }

    /** The form bodies of all token requests, in order. */
    public List<Map<String, String>> tokenRequests() {
        synchronized (lock) {
            return List.copyOf(tokenRequestLog);
        }
    }

    /** The full URIs ({@code https://<host>/...?...}) of the authorize requests (GET) received, in order. */
    public List<URI> authorizeRequests() {
        synchronized (lock) {
            return List.copyOf(authorizeRequestLog);
        }
    }

    /** What the fake knows about an access token it issued (for a fake resource server). */
    public Optional<IssuedAccessToken> accessToken(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(accessTokens.get(token));
    }

    /** Requests to paths this fake does not implement (answered 404), as "METHOD https://host/path". */
    List<String> unknownRequests() {
        synchronized (lock) {
            return List.copyOf(unknownRequests);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    // ---------------------------------------------------------------- dispatch

    private final class Endpoints implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Reply reply;
            try {
                reply = handle(event.getRequest());
            } catch (RuntimeException e) {
                synchronized (lock) {
                    unknownRequests.add("FAILED " + event.getRequest().getMethod() + " " + event.getRequest().getUrl() + " " + e);
                }
                reply = Reply.json(500, Map.of("error", "server_error", "error_description", "Fake Entra ID failed: " + e));
            }
            ResponseDefinitionBuilder builder = ResponseDefinitionBuilder.responseDefinition()
                    .withStatus(reply.status())
                    .withHeader("Content-Type", reply.contentType())
                    .withBody(reply.body());
            reply.headers().forEach(builder::withHeader);
            return builder.build();
        }
    }

    private Reply handle(Request request) {
        String host = hostOf(request);
        String url = request.getUrl();
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? "" : url.substring(q + 1);
        String method = request.getMethod().getName();
        if (!CLOUDS_BY_HOST.containsKey(host)) {
            return notFound(method, host, path);
        }
        Matcher m = OAUTH_PATH.matcher(path);
        if (m.matches()) {
            String tenant = Forms.decode(m.group(1));
            if (m.group(2).equals("token")) {
                return token(request, host, tenant, method);
            }
            if (method.equals("GET")) {
                synchronized (lock) {
                    authorizeRequestLog.add(URI.create("https://" + host + url));
                    return authorize(host, tenant, Forms.parse(query));
                }
            }
            if (method.equals("POST")) {
                Map<String, List<String>> form = Forms.parse(request.getBodyAsString());
                synchronized (lock) {
                    return form.containsKey("decision") ? decide(host, tenant, form) : authorize(host, tenant, form);
                }
            }
            return Reply.html(405, Html.page("Error", "<p>Method not allowed.</p>"));
        }
        m = ADMIN_CONSENT_PATH.matcher(path);
        if (m.matches() && (method.equals("GET") || method.equals("POST"))) {
            Map<String, List<String>> params = method.equals("GET") ? Forms.parse(query) : Forms.parse(request.getBodyAsString());
            synchronized (lock) {
                if (method.equals("GET")) {
                    adminConsentRequestLog.add(URI.create("https://" + host + url));
                }
                return adminConsent(host, Forms.decode(m.group(1)), params);
            }
        }
        m = KEYS_PATH.matcher(path);
        if (m.matches() && method.equals("GET")) {
            return Reply.json(200, signer.jwks(issuer(host, "{tenantid}")));
        }
        m = METADATA_PATH.matcher(path);
        if (m.matches() && method.equals("GET")) {
            return Reply.json(200, JsonText.write(metadata(host, Forms.decode(m.group(1)))));
        }
        return notFound(method, host, path);
    }

    private Reply notFound(String method, String host, String path) {
        synchronized (lock) {
            unknownRequests.add(method + " https://" + host + path);
        }
        return Reply.json(404, Map.of("error", "not_found",
                "error_description", "Fake Microsoft Entra ID does not implement " + method + " " + path));
    }

    private static String hostOf(Request request) {
        String host = request.getHost();
        if (host == null || host.isBlank()) {
            host = request.getHeader("Host");
        }
        if (host == null) {
            return "";
        }
        int colon = host.lastIndexOf(':');
        if (colon > 0 && !host.endsWith("]")) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- authorize

    /** Validated parameters of one authorize request. Called with {@link #lock} held. */
    private record Authorize(String host, String tenant, Map<String, List<String>> params, String clientId, String redirectUri,
            String responseMode, String state, List<String> scopes, String nonce, String codeChallenge) {
        String param(String name) {
            return Forms.first(params, name);
        }
    }

    /** Either the validated request, or the answer when the request is invalid. */
    private record Checked(Authorize request, Reply failure) {
    }

    private Checked check(String host, String tenant, Map<String, List<String>> params) {
        String clientId = Forms.first(params, "client_id");
        if (clientId == null || clientId.isBlank()) {
            return new Checked(null, errorPage(host, 400, "AADSTS900144: The request body must contain the following parameter: 'client_id'."));
        }
        App app = registered(clientId);
        if (app == null) {
            return new Checked(null, errorPage(host, 400, "AADSTS700016: Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenant + "'. This can happen if the application has not been installed by "
                    + "the administrator of the tenant or consented to by any user in the tenant. You may have sent your "
                    + "authentication request to the wrong tenant."));
        }
        String redirectUri = Forms.first(params, "redirect_uri");
        if (redirectUri == null && app.redirectUris.size() == 1) {
            redirectUri = app.redirectUris.iterator().next();
        }
        if (redirectUri == null || !app.redirectUris.contains(redirectUri)) {
            return new Checked(null, errorPage(host, 400, "AADSTS50011: The redirect URI '" + (redirectUri == null ? "" : redirectUri)
                    + "' specified in the request does not match the redirect URIs configured for the application '" + clientId
                    + "'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. "
                    + "Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."));
        }
        if (!validTenantSegment(tenant)) {
            return new Checked(null, errorPage(host, 400, "AADSTS90002: Tenant '" + tenant + "' not found. Check to make sure you have "
                    + "the correct tenant ID and are signing into the correct cloud."));
        }
        String state = Forms.first(params, "state");
        String mode = Forms.first(params, "response_mode");
        boolean badMode = mode != null && !Set.of("query", "fragment", "form_post").contains(mode);
        Authorize request = new Authorize(host, tenant, params, clientId, redirectUri, mode == null || badMode ? "query" : mode, state,
                splitScopes(Forms.first(params, "scope")), Forms.first(params, "nonce"), Forms.first(params, "code_challenge"));
        if (badMode) {
            return new Checked(null, redirectError(request, "invalid_request", "AADSTS90100: response_mode parameter is empty or not valid."));
        }
        String responseType = Forms.first(params, "response_type");
        if (responseType == null || responseType.isBlank()) {
            return new Checked(null, redirectError(request, "invalid_request",
                    "AADSTS900144: The request body must contain the following parameter: 'response_type'."));
        }
        if (!responseType.equals("code")) {
            return new Checked(null, redirectError(request, "unsupported_response_type",
                    "AADSTS700054: response_type '" + responseType + "' is not enabled for the application."));
        }
        if (request.scopes().isEmpty()) {
            return new Checked(null, redirectError(request, "invalid_request",
                    "AADSTS900144: The request body must contain the following parameter: 'scope'."));
        }
        String method = Forms.first(params, "code_challenge_method");
        String challenge = request.codeChallenge();
        if (challenge != null || method != null) {
            if (!"S256".equals(method)) {
                return new Checked(null, redirectError(request, "invalid_request",
                        "AADSTS90100: code_challenge_method parameter is empty or not valid (this fake accepts only S256)."));
            }
            if (challenge == null || !challenge.matches("[A-Za-z0-9_-]{43}")) {
                return new Checked(null, redirectError(request, "invalid_request", "AADSTS501491: Invalid size of Code_Challenge parameter."));
            }
        }
        return new Checked(request, null);
    }

    private Reply authorize(String host, String tenant, Map<String, List<String>> params) {
        Checked checked = check(host, tenant, params);
        if (checked.failure() != null) {
            return checked.failure();
        }
        Authorize request = checked.request();
        AuthorizeScript script = authorizeScripts.poll();
        if (script instanceof AuthorizeError e) {
            return redirectError(request, e.error(), e.description());
        }
        if (script instanceof SignIn s) {
            return signIn(request, s.user(), s.grantOnly(), s.offlineAccess());
        }
        if ("none".equals(request.param("prompt"))) {
            return redirectError(request, "login_required", "AADSTS50058: A silent sign-in request was sent but no user is signed in.");
        }
        return Reply.html(200, signInPage(request));
    }

    /** The POST of the sign-in page: accept (with the chosen user and checked scopes) or decline. */
    private Reply decide(String host, String tenant, Map<String, List<String>> form) {
        Map<String, List<String>> params = new LinkedHashMap<>(form);
        String decision = Forms.first(params, "decision");
        String userId = Forms.first(params, "user");
        List<String> checkedScopes = params.getOrDefault("granted_scope", List.of());
        params.remove("decision");
        params.remove("user");
        params.remove("granted_scope");
        Checked checked = check(host, tenant, params);
        if (checked.failure() != null) {
            return checked.failure();
        }
        Authorize request = checked.request();
        if (!"accept".equals(decision)) {
            return redirectError(request, "access_denied", "AADSTS65004: User declined to consent to access the app.");
        }
        Optional<FakeUser> user = users.stream().filter(u -> u.objectId().equals(userId)).findFirst();
        if (user.isEmpty()) {
            return errorPage(host, 400, "No account was selected. Go back and pick an account.");
        }
        return signIn(request, user.get(), Set.copyOf(checkedScopes), true);
    }

    private Reply signIn(Authorize request, FakeUser user, Set<String> grantOnly, boolean offlineAccess) {
        if (!CLOUDS_BY_HOST.get(request.host()).contains(user.cloud())) {
            // Learn, Microsoft Entra error code reference: "NationalCloudTenantRedirection - The specified tenant 'Y' belongs to
            // the National Cloud 'X'. Current cloud instance 'Z' does not federate with X."
            return redirectError(request, "invalid_request", "AADSTS90038: The specified tenant '" + user.tenantId() + "' belongs to the "
                    + "National Cloud '" + user.cloud().id() + "'. Current cloud instance '" + request.host() + "' does not federate with '"
                    + user.cloud().id() + "'.");
        }
        if (!tenantAccepts(request.tenant(), user)) {
            return redirectError(request, "invalid_request", "AADSTS50020: User account '" + user.userPrincipalName()
                    + "' from identity provider 'https://sts.windows.net/" + user.tenantId() + "/' does not exist in tenant '" + request.tenant() + "' at " + request.host() + " and cannot access the application '"
                    + request.clientId() + "' in that tenant. The account needs to be added as an external user in the tenant first. "
                    + "Sign out and sign in again with a different Azure Active Directory user account.");
        }
        Optional<Reply> needsAdmin = adminApprovalRequired(request, user);
        if (needsAdmin.isPresent()) {
            return needsAdmin.get();
        }
        Set<String> granted = new LinkedHashSet<>();
        for (String scope : request.scopes()) {
            String shortName = shortName(scope);
            if (isOidc(scope) || shortName.equals(".default")) {
                continue;
            }
            if (grantOnly == null || grantOnly.contains(shortName)) {
                granted.add(shortName);
            }
        }
        consentsOf(request.clientId(), user).addAll(granted);
        String code = SecretsLedger.remember("1.A" + randomToken(96));
        List<String> scopes = offlineAccess ? request.scopes()
                : request.scopes().stream().filter(s -> !s.equalsIgnoreCase("offline_access")).toList();
        codes.put(code, new AuthorizationCode(code, request.clientId(), request.redirectUri(), user, scopes,
                audienceOf(request.scopes(), user), request.nonce(), request.codeChallenge(), request.host(),
                clock.instant().plus(CODE_LIFETIME)));
        Map<String, String> response = new LinkedHashMap<>();
        response.put("code", code);
        if ("1".equals(request.param("client_info"))) {
            response.put("client_info", clientInfo(user));
        }
        if (request.state() != null) {
            response.put("state", request.state());
        }
        response.put("session_state", UUID.randomUUID().toString());
        return redirect(request, response);
    }

    private Reply redirectError(Authorize request, String error, String description) {
        Map<String, String> response = new LinkedHashMap<>();
        response.put("error", error);
        response.put("error_description", withTrace(description, " ", UUID.randomUUID().toString()));
        if (request.state() != null) {
            response.put("state", request.state());
        }
        return redirect(request, response);
    }

    /** In a tenant whose users may not consent, a sign-in asking for what the organization was not granted is refused. */
    private Optional<Reply> adminApprovalRequired(Authorize request, FakeUser user) {
        String tenant = user.tenantId().toLowerCase(Locale.ROOT);
        if (!userConsentDisabled.contains(tenant)) {
            return Optional.empty();
        }
        Set<String> grants = tenantGrants.getOrDefault(tenant, Set.of());
        List<String> missing = request.scopes().stream().map(s -> shortName(s).toLowerCase(Locale.ROOT))
                .filter(s -> !s.equals(".default") && !grants.contains(s)).toList();
        return missing.isEmpty() ? Optional.empty() : Optional.of(redirectError(request, "access_denied",
                "AADSTS90094: Admin consent is required for the permissions requested by this application. Not granted for the "
                        + "organization: " + String.join(" ", missing) + "."));
    }

    /**
     * The v2.0 admin-consent endpoint: validates client and redirect URI like authorize, then answers a
     * scripted outcome, a decision posted from its page, or shows the page. Called with {@link #lock} held.
     */
    private Reply adminConsent(String host, String tenant, Map<String, List<String>> params) {
        String clientId = first(params, "client_id");
        App app = registered(clientId);
        if (app == null) {
            return errorPage(host, 400, "AADSTS700016: Application with identifier '" + escape(String.valueOf(clientId))
                    + "' was not found in the directory.");
        }
        String redirectUri = first(params, "redirect_uri");
        if (redirectUri == null || !app.redirectUris.contains(redirectUri)) {
            return errorPage(host, 400, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.");
        }
        String scope = first(params, "scope") == null ? "" : first(params, "scope");
        String state = first(params, "state");
        Map<String, String> outcome;
        if (first(params, "decision") != null) {
            outcome = "accept".equals(first(params, "decision"))
                    ? Map.of("tenant", GUID.matcher(tenant).matches() ? tenant : UUID.randomUUID().toString())
                    : Map.of("error", "access_denied", "error_description", "AADSTS65004: User declined to consent to access the app.");
        } else if (!adminConsentScripts.isEmpty()) {
            outcome = adminConsentScripts.poll();
        } else {
            StringBuilder body = new StringBuilder("<h1>Permissions requested</h1><p>Accept for your organization?</p><ul>");
            for (String s : scope.split(" ")) {
                body.append("<li>").append(escape(s)).append("</li>");
            }
            body.append("</ul><form method=\"POST\" action=\"/").append(escape(tenant)).append("/v2.0/adminconsent\">");
            params.forEach((name, values) -> body.append("<input type=\"hidden\" name=\"").append(escape(name))
                    .append("\" value=\"").append(escape(values.get(0))).append("\">"));
            body.append("<button id=\"accept\" name=\"decision\" value=\"accept\">Accept</button> ")
                    .append("<button id=\"decline\" name=\"decision\" value=\"decline\">Cancel</button></form>");
            return Reply.html(200, Html.page("Permissions requested - Fake Microsoft Entra ID (" + host + ")", body.toString()));
        }
        Map<String, String> response = new LinkedHashMap<>();
        if (outcome.containsKey("error")) {
            response.put("error", outcome.get("error"));
            response.put("error_description", withTrace(outcome.get("error_description"), " ", UUID.randomUUID().toString()));
        } else {
            response.put("tenant", outcome.get("tenant"));
            response.put("scope", scope);
            Set<String> grants = tenantGrants.computeIfAbsent(outcome.get("tenant").toLowerCase(Locale.ROOT), t -> new HashSet<>());
            for (String s : scope.split(" ")) {
                if (!s.isBlank()) {
                    grants.add(shortName(s).toLowerCase(Locale.ROOT));
                }
            }
        }
        response.put("admin_consent", "True");
        if (state != null) {
            response.put("state", state);
        }
        return Reply.redirect(redirectUri + (redirectUri.contains("?") ? "&" : "?") + Forms.encode(response));
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Reply redirect(Authorize request, Map<String, String> response) {
        String uri = request.redirectUri();
        switch (request.responseMode()) {
            case "form_post" -> {
                StringBuilder body = new StringBuilder();
                body.append("<form method=\"POST\" name=\"hiddenform\" action=\"").append(escape(uri)).append("\">");
                response.forEach((name, value) -> body.append("<input type=\"hidden\" name=\"").append(escape(name))
                        .append("\" value=\"").append(escape(value)).append("\" />"));
                body.append("<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript>")
                        .append("</form><script>document.forms[0].submit();</script>");
                return Reply.html(200, Html.page("Working...", body.toString()));
            }
            case "fragment" -> {
                return Reply.redirect(uri + "#" + Forms.encode(response));
            }
            default -> {
                return Reply.redirect(uri + (uri.contains("?") ? "&" : "?") + Forms.encode(response));
            }
        }
    }

    private String signInPage(Authorize request) {
        String hint = request.param("login_hint");
        StringBuilder body = new StringBuilder();
        body.append("<h1>Sign in</h1>\n<p>Fake Microsoft Entra ID at <b>").append(escape(request.host()))
                .append("</b>, tenant <code>").append(escape(request.tenant())).append("</code>, application <code>")
                .append(escape(request.clientId())).append("</code></p>\n");
        body.append("<form method=\"POST\" action=\"/").append(escape(Forms.encode(request.tenant())))
                .append("/oauth2/v2.0/authorize\">\n");
        request.params().forEach((name, values) -> values.forEach(value -> body.append("<input type=\"hidden\" name=\"")
                .append(escape(name)).append("\" value=\"").append(escape(value)).append("\">\n")));
        body.append("<fieldset><legend>Pick an account</legend>\n");
        List<FakeUser> candidates = users.stream()
                .filter(u -> CLOUDS_BY_HOST.get(request.host()).contains(u.cloud()) && tenantAccepts(request.tenant(), u))
                .toList();
        if (candidates.isEmpty()) {
            body.append("<p class=\"error\" id=\"no-accounts\">No account of this cloud and tenant is registered.</p>\n");
        }
        for (FakeUser u : candidates) {
            String id = "user-" + u.objectId();
            boolean checked = hint != null && hint.equalsIgnoreCase(u.userPrincipalName());
            body.append("<div><input type=\"radio\" name=\"user\" id=\"").append(escape(id)).append("\" value=\"")
                    .append(escape(u.objectId())).append("\"").append(checked ? " checked" : "").append("> <label for=\"")
                    .append(escape(id)).append("\">").append(escape(u.displayName())).append(" (")
                    .append(escape(u.userPrincipalName())).append(", tenant ").append(escape(u.tenantId()))
                    .append(")</label></div>\n");
        }
        body.append("</fieldset>\n<fieldset><legend>Permissions requested</legend>\n");
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : request.scopes()) {
            if (!isOidc(scope) && !shortName(scope).equals(".default")) {
                scopes.add(shortName(scope));
            }
        }
        for (String scope : scopes) {
            String id = "scope-" + scope;
            body.append("<div><input type=\"checkbox\" name=\"granted_scope\" id=\"").append(escape(id)).append("\" value=\"")
                    .append(escape(scope)).append("\" checked> <label for=\"").append(escape(id)).append("\">")
                    .append(escape(scope)).append("</label></div>\n");
        }
        body.append("</fieldset>\n<button type=\"submit\" name=\"decision\" value=\"accept\" id=\"accept\">Accept</button>\n")
                .append("<button type=\"submit\" name=\"decision\" value=\"decline\" id=\"decline\">Cancel</button>\n</form>");
        return Html.page("Sign in - Fake Microsoft Entra ID (" + request.host() + ")", body.toString());
    }

    private static Reply errorPage(String host, int status, String message) {
        String body = "<h1>Sign in</h1>\n<p>Sorry, but we're having trouble signing you in.</p>\n<p class=\"error\" id=\"error\">"
                + escape(withTrace(message, " ", UUID.randomUUID().toString())) + "</p>";
        return Reply.html(status, Html.page("Sign in - Fake Microsoft Entra ID (" + host + ")", body));
    }

    // ---------------------------------------------------------------- token

    /** Host, tenant segment and correlation id of one token request. */
    private record TokenCall(String host, String tenant, String correlationId, Map<String, String> form) {
        String param(String name) {
            return form.get(name);
        }
    }

    private Reply token(Request request, String host, String tenant, String method) {
        Duration latency = tokenLatency;
        if (!latency.isZero() && !latency.isNegative()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String correlationId = Optional.ofNullable(request.getHeader("client-request-id")).filter(s -> !s.isBlank())
                .orElseGet(() -> UUID.randomUUID().toString());
        Map<String, String> form = Forms.firstValues(Forms.parse(method.equals("POST") ? request.getBodyAsString() : ""));
        TokenCall call = new TokenCall(host, tenant, correlationId, form);
        Reply reply;
        synchronized (lock) {
            tokenRequestLog.add(Collections.unmodifiableMap(new LinkedHashMap<>(form)));
            String grantType = form.get("grant_type");
            if (grantType != null) {
                tokenRequestCounts.merge(grantType, 1, Integer::sum);
            }
            reply = tokenLocked(call, request, method);
        }
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.put("client-request-id", correlationId);
        headers.put("x-ms-request-id", UUID.randomUUID().toString());
        headers.put("Cache-Control", "no-store, no-cache");
        headers.put("Pragma", "no-cache");
        return new Reply(reply.status(), reply.contentType(), reply.body(), headers);
    }

    private Reply tokenLocked(TokenCall call, Request request, String method) {
        if (!method.equals("POST")) {
            return tokenError(call, 400, "invalid_request", "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a "
                    + method + " request.", null, 900561);
        }
        ScriptedTokenError scripted = tokenErrors.poll();
        if (scripted != null && scripted.error() == null) {
            return new Reply(scripted.status(), "text/plain", scripted.description(), Map.of());
        }
        if (scripted != null) {
            return tokenError(call, scripted.status(), scripted.error(), scripted.description(), null, scripted.codes());
        }
        if (!validTenantSegment(call.tenant())) {
            return tokenError(call, 400, "invalid_request", "AADSTS90002: Tenant '" + call.tenant() + "' not found. Check to make sure you "
                    + "have the correct tenant ID and are signing into the correct cloud.", null, 90002);
        }
        // Client authentication: client_id + client_secret in the form, or HTTP Basic.
        String basicId = null;
        String basicSecret = null;
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    basicId = Forms.decode(decoded.substring(0, colon));
                    basicSecret = Forms.decode(decoded.substring(colon + 1));
                }
            } catch (IllegalArgumentException ignored) {
                // treated as no credentials
            }
        }
        String clientId = call.param("client_id") != null ? call.param("client_id") : basicId;
        if (clientId == null || clientId.isBlank()) {
            return tokenError(call, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
                    null, 900144);
        }
        App app = registered(clientId);
        if (app == null) {
            return tokenError(call, 400, "unauthorized_client", "AADSTS700016: Application with identifier '" + clientId
                    + "' was not found in the directory '" + call.tenant() + "'. This can happen if the application has not been "
                    + "installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent "
                    + "your authentication request to the wrong tenant.", null, 700016);
        }
        ClientAuthentication.Refusal refusal = ClientAuthentication.check(app.credentials(), call.form(), basicSecret,
                "https://" + call.host() + "/" + call.tenant() + "/oauth2/v2.0/token", clock.instant(), signer.publicKey());
        if (refusal != null) {
            return tokenError(call, refusal.status(), refusal.error(), refusal.description(), null, refusal.code());
        }
        if (app.disabled) {
            return tokenError(call, 401, "unauthorized_client", "AADSTS7000112: Application '" + clientId + "' is disabled.", null, 7000112);
        }
        String grantType = call.param("grant_type");
        if (grantType == null || grantType.isBlank()) {
            return tokenError(call, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: "
                    + "'grant_type'.", null, 900144);
        }
        return switch (grantType) {
            case "authorization_code" -> redeemCode(call, clientId);
            case "refresh_token" -> redeemRefreshToken(call, clientId);
            case "client_credentials" -> appOnlyToken(call, app);
            default -> tokenError(call, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '"
                    + grantType + "'.", null, 70003);
        };
    }

    /** Client credentials: an app-only token, issued only in the app's home tenant and for a Graph .default scope of this cloud. */
    private Reply appOnlyToken(TokenCall call, App app) {
        if (app.homeTenant == null || !app.homeTenant.equalsIgnoreCase(call.tenant())) {
            return tokenError(call, 400, "unauthorized_client", "AADSTS700016: Application with identifier '" + app.clientId
                    + "' was not found in the directory '" + call.tenant() + "'. This can happen if the application has not been "
                    + "installed by the administrator of the tenant or consented to by any user in the tenant.", null, 700016);
        }
        // MSAL4J adds openid, profile and offline_access to every request; Entra ID ignores them here.
        String scope = String.join(" ", splitScopes(Optional.ofNullable(call.param("scope")).orElse("")).stream()
                .filter(sc -> !isOidc(sc)).toList());
        Set<NationalCloud> clouds = CLOUDS_BY_HOST.getOrDefault(call.host(), Set.of());
        boolean graphDefault = clouds.stream().anyMatch(c -> scope.equalsIgnoreCase("https://" + c.graphHost() + "/.default"))
                || scope.equalsIgnoreCase(ScopeForm.GRAPH_APP_ID + "/.default");
        if (!graphDefault) {
            return tokenError(call, 400, "invalid_scope", "AADSTS1002012: The provided value for scope " + scope + " is not valid. "
                    + "Client credential flows must have a scope value with /.default suffixed to the resource identifier.", null, 1002012);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", 3599);
        body.put("ext_expires_in", 3599);
        body.put("access_token", SecretsLedger.remember(accessTokenValue()));
        return Reply.json(200, body);
    }

    private Reply redeemCode(TokenCall call, String clientId) {
        String code = call.param("code");
        if (code == null || code.isBlank()) {
            return tokenError(call, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'code'.",
                    null, 900144);
        }
        AuthorizationCode grant = codes.get(code);
        if (grant == null || !CLOUDS_BY_HOST.get(call.host()).contains(grant.user.cloud())) {
            return malformedGrant(call);
        }
        if (!grant.clientId.equals(clientId)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS70000: Provided grant is invalid or malformed. The authorization code "
                    + "was issued to another application.", null, 70000);
        }
        if (!tenantAccepts(call.tenant(), grant.user)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS700005: Provided Authorization Code is intended to use against other "
                    + "tenant, thus rejected.", null, 700005);
        }
        if (grant.redeemed) {
            return tokenError(call, 400, "invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with "
                    + "a new valid code or use an existing refresh token.", null, 54005);
        }
        if (!clock.instant().isBefore(grant.expiresAt)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due "
                    + "to inactivity. Send a new interactive authorization request for this user and resource.", null, 70008);
        }
        String redirectUri = call.param("redirect_uri");
        if (redirectUri == null) {
            return tokenError(call, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: "
                    + "'redirect_uri'.", null, 900144);
        }
        if (!redirectUri.equals(grant.redirectUri)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS500112: The reply address '" + redirectUri + "' does not match the reply "
                    + "address '" + grant.redirectUri + "' provided when requesting Authorization code.", null, 500112);
        }
        if (grant.codeChallenge != null) {
            String verifier = call.param("code_verifier");
            if (verifier == null || !grant.codeChallenge.equals(s256(verifier))) {
                return tokenError(call, 400, "invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied "
                        + "in the authorization request.", null, 501481);
            }
        }
        grant.redeemed = true;
        List<String> requested = splitScopes(call.param("scope"));
        String audience = requested.stream().anyMatch(s -> resourceHost(s).isPresent()) ? audienceOf(requested, grant.user) : grant.audienceHost;
        return issueTokens(call, clientId, grant.user, grant.scopes, audience, grant.authorityHost, grant.nonce,
                grant.scopes.contains("offline_access"));
    }

    private Reply redeemRefreshToken(TokenCall call, String clientId) {
        String token = call.param("refresh_token");
        if (token == null || token.isBlank()) {
            return tokenError(call, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: "
                    + "'refresh_token'.", null, 900144);
        }
        RefreshGrant grant = refreshTokens.get(token);
        if (grant == null || !CLOUDS_BY_HOST.get(call.host()).contains(grant.user.cloud())) {
            return malformedGrant(call);
        }
        if (!grant.clientId.equals(clientId)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS70000: Provided grant is invalid or malformed. The refresh token was "
                    + "issued to another application.", null, 70000);
        }
        Revocation revocation = revocations.get(grant.user.objectId());
        if (revocation != null && grant.sequence <= revocation.sequence()) {
            return tokenError(call, 400, "invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh "
                    + "auth token is needed. The user might have changed or reset their password. The grant was issued on '"
                    + ENTRA_TIMESTAMP.format(grant.issuedAt) + "' and the TokensValidFrom date (before which tokens are not valid) for "
                    + "this user is '" + ENTRA_TIMESTAMP.format(revocation.at()) + "'.", null, 50173);
        }
        Challenge challenge = challenges.get(grant.user.objectId());
        String claims = call.param("claims");
        if (challenge != null && !challenge.satisfiable() && claims != null && claims.contains("\"nbf\"")) {
            return tokenError(call, 400, "interaction_required", "AADSTS50158: External security challenge not satisfied. User will be "
                    + "redirected to another page or authentication provider to satisfy additional authentication challenges.",
                    "basic_action", 50158);
        }
        if (strictRotation && grant.redeemed) {
            return tokenError(call, 400, "invalid_grant", "AADSTS70043: The refresh token has expired or is invalid due to sign-in "
                    + "frequency checks by conditional access. The token was issued on '" + ENTRA_TIMESTAMP.format(grant.issuedAt)
                    + "' and has already been redeemed (strict rotation).", null, 70043);
        }
        if (!tenantAccepts(call.tenant(), grant.user)) {
            return tokenError(call, 400, "invalid_grant", "AADSTS50020: User account '" + grant.user.userPrincipalName()
                    + "' from identity provider 'https://sts.windows.net/" + grant.user.tenantId() + "/' does not exist in tenant '"
                    + call.tenant() + "' and cannot access the application '" + clientId + "' in that tenant.", null, 50020);
        }
        List<String> requested = splitScopes(call.param("scope"));
        Set<String> consented = consentsOf(clientId, grant.user);
        List<String> missing = new ArrayList<>();
        for (String scope : requested) {
            String shortName = shortName(scope);
            if (!isOidc(scope) && !shortName.equals(".default") && consented.stream().noneMatch(shortName::equalsIgnoreCase)) {
                missing.add(shortName);
            }
        }
        if (!missing.isEmpty()) {
            return tokenError(call, 400, "invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application "
                    + "with ID '" + clientId + "'. Send an interactive authorization request for this user and resource. "
                    + "Missing consent: " + String.join(" ", missing) + ".", "consent_required", 65001);
        }
        grant.redeemed = true;
        List<String> scopes = requested.isEmpty() ? List.of("openid", "profile", "offline_access") : requested;
        return issueTokens(call, clientId, grant.user, scopes, audienceOf(requested, grant.user), call.host(), null, true);
    }

    private Reply issueTokens(TokenCall call, String clientId, FakeUser user, List<String> scopes, String audienceHost,
            String authorityHost, String nonce, boolean withRefreshToken) {
        Instant now = clock.instant();
        Duration lifetime = accessTokenLifetime;
        Set<String> granted = new LinkedHashSet<>(consentsOf(clientId, user));
        String accessToken = SecretsLedger.remember(accessTokenValue());
        String claims = call.param("claims");
        boolean cae = claims != null && claims.contains("xms_cc") && claims.toLowerCase(Locale.ROOT).contains("\"cp1\"");
        String requestedClaims = claims != null && claims.contains("\"nbf\"") ? claims : null;
        accessTokens.put(accessToken, new IssuedAccessToken(user, clientId, granted, audienceHost, now, now.plus(lifetime), cae,
                requestedClaims));

        List<String> scopeWords = new ArrayList<>();
        granted.forEach(permission -> scopeWords.add(scopeForm.write(permission, user.cloud())));
        if (scopeForm.extra(user.cloud()) != null) {
            scopeWords.add(scopeForm.extra(user.cloud()));
        }
        for (String scope : scopes) {
            String lower = scope.toLowerCase(Locale.ROOT);
            if (OIDC_SCOPES.contains(lower) && !scopeWords.contains(lower)) {
                scopeWords.add(lower);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("scope", String.join(" ", scopeWords));
        body.put("expires_in", lifetime.toSeconds());
        body.put("ext_expires_in", lifetime.toSeconds());
        body.put("access_token", accessToken);
        if (withRefreshToken) {
            String refreshToken = SecretsLedger.remember("1.A" + randomToken(192));
            refreshTokens.put(refreshToken, new RefreshGrant(clientId, user, ++refreshSequence, now));
            body.put("refresh_token", refreshToken);
        }
        if (scopes.stream().anyMatch(s -> s.equalsIgnoreCase("openid"))) {
            body.put("id_token", SecretsLedger.remember(idToken(clientId, user, authorityHost, nonce, now)));
        }
        if ("1".equals(call.param("client_info"))) {
            body.put("client_info", clientInfo(user));
        }
        return Reply.json(200, JsonText.write(body));
    }

    private String idToken(String clientId, FakeUser user, String authorityHost, String nonce, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", clientId);
        claims.put("iss", issuer(authorityHost, user.tenantId()));
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(ID_TOKEN_LIFETIME).getEpochSecond());
        claims.put("name", user.displayName());
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        claims.put("oid", user.objectId());
        claims.put("preferred_username", user.userPrincipalName());
        claims.put("sub", TokenSigner.base64Url(sha256(user.objectId() + "|" + clientId)));
        claims.put("tid", user.tenantId());
        String home = guestHomes.get(user.objectId());
        if (home != null) {
            claims.put("idp", "https://sts.windows.net/" + home + "/");
        }
        claims.put("uti", randomToken(16));
        claims.put("ver", "2.0");
        List<String> groups = idTokenGroups(clientId);
        if (!groups.isEmpty() && groups.size() <= MAX_GROUPS_IN_JWT) {
            claims.put("groups", groups);
        }
        return signer.sign(claims);
    }

    private List<String> idTokenGroups(String clientId) {
        synchronized (lock) {
            App app = apps.get(clientId);
            return app == null ? List.of() : app.idTokenGroups;
        }
    }

    private Reply malformedGrant(TokenCall call) {
        return tokenError(call, 400, "invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.", null, 9002313);
    }

    private static Reply tokenError(TokenCall call, int status, String error, String description, String suberror, long... codes) {
        Instant now = Instant.now();
        String traceId = UUID.randomUUID().toString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", withTrace(description, "\r\n", call.correlationId(), traceId, now));
        body.put("error_codes", codes);
        body.put("timestamp", ENTRA_TIMESTAMP.format(now));
        body.put("trace_id", traceId);
        body.put("correlation_id", call.correlationId());
        if (codes.length > 0) {
            body.put("error_uri", "https://" + call.host() + "/error?code=" + codes[0]);
        }
        if (suberror != null) {
            body.put("suberror", suberror);
        }
        return Reply.json(status, JsonText.write(body));
    }

    // ---------------------------------------------------------------- metadata

    private Map<String, Object> metadata(String host, String tenant) {
        String base = "https://" + host + "/" + tenant;
        String issuerTenant = GUID.matcher(tenant).matches() ? tenant : "{tenantid}";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("token_endpoint", base + "/oauth2/v2.0/token");
        doc.put("token_endpoint_auth_methods_supported", List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
        doc.put("jwks_uri", base + "/discovery/v2.0/keys");
        doc.put("response_modes_supported", List.of("query", "fragment", "form_post"));
        doc.put("subject_types_supported", List.of("pairwise"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("response_types_supported", List.of("code"));
        doc.put("scopes_supported", List.of("openid", "profile", "email", "offline_access"));
        doc.put("issuer", issuer(host, issuerTenant));
        doc.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        doc.put("code_challenge_methods_supported", List.of("S256"));
        doc.put("tenant_region_scope", null);
        doc.put("cloud_instance_name", host.substring(host.indexOf('.') + 1));
        return doc;
    }

    // ---------------------------------------------------------------- helpers

    private Set<String> consentsOf(String clientId, FakeUser user) {
        return consents.computeIfAbsent(clientId + "\n" + user.objectId(), k -> new LinkedHashSet<>());
    }

    private boolean validTenantSegment(String tenant) {
        String t = tenant.toLowerCase(Locale.ROOT);
        return t.equals("common") || t.equals("organizations") || t.equals("consumers") || GUID.matcher(t).matches()
                || (t.contains(".") && t.matches("[a-z0-9.-]+"))
                || users.stream().anyMatch(u -> u.tenantId().equalsIgnoreCase(tenant));
    }

    private static boolean tenantAccepts(String tenant, FakeUser user) {
        String t = tenant.toLowerCase(Locale.ROOT);
        if (t.equals("common") || t.equals("organizations") || t.equalsIgnoreCase(user.tenantId())) {
            return true;
        }
        if (t.equals("consumers") || GUID.matcher(t).matches()) {
            return false;
        }
        String upn = user.userPrincipalName();
        int at = upn.lastIndexOf('@');
        return at >= 0 && upn.substring(at + 1).equalsIgnoreCase(t);
    }

    private static List<String> splitScopes(String scope) {
        if (scope == null || scope.isBlank()) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        for (String s : scope.trim().split("\\s+")) {
            if (!result.contains(s)) {
                result.add(s);
            }
        }
        return result;
    }

    private static boolean isOidc(String scope) {
        return OIDC_SCOPES.contains(scope.toLowerCase(Locale.ROOT));
    }

    /** {@code https://graph.microsoft.us/Mail.Send} -> {@code Mail.Send}; short names stay as they are. */
    private static String shortName(String scope) {
        return resourceHost(scope).isPresent() || scope.regionMatches(true, 0, ScopeForm.GRAPH_APP_ID + "/", 0, 37)
                ? scope.substring(scope.lastIndexOf('/') + 1) : scope;
    }

    private static Optional<String> resourceHost(String scope) {
        int scheme = scope.indexOf("://");
        if (scheme < 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(URI.create(scope).getHost());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The resource a token is for: the host of the first fully qualified scope, else the user's cloud's Graph. */
    private static String audienceOf(List<String> scopes, FakeUser user) {
        for (String scope : scopes) {
            Optional<String> host = resourceHost(scope);
            if (host.isPresent()) {
                return host.get();
            }
        }
        return user.cloud().graphHost();
    }

    private static String issuer(String authorityHost, String tenantId) {
        return "https://" + authorityHost + "/" + tenantId + "/v2.0";
    }

    private static String clientInfo(FakeUser user) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("uid", user.objectId());
        info.put("utid", user.tenantId());
        return TokenSigner.base64Url(JsonText.write(info).getBytes(StandardCharsets.UTF_8));
    }

    private String accessTokenValue() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("nonce", randomToken(32));
        header.put("alg", "RS256");
        header.put("kid", "fake-opaque");
        return TokenSigner.base64Url(JsonText.write(header).getBytes(StandardCharsets.UTF_8)) + "." + randomToken(180) + "." + randomToken(64);
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return TokenSigner.base64Url(b);
    }

    private static String s256(String verifier) {
        return TokenSigner.base64Url(sha256(verifier));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String withTrace(String description, String separator, String correlationId) {
        return withTrace(description, separator, correlationId, UUID.randomUUID().toString(), Instant.now());
    }

    /** Entra appends trace id, correlation id and timestamp to every error description. */
    private static String withTrace(String description, String separator, String correlationId, String traceId, Instant now) {
        return description + separator + "Trace ID: " + traceId + separator + "Correlation ID: " + correlationId + separator
                + "Timestamp: " + ENTRA_TIMESTAMP.format(now);
    }

    private static String displayNameOf(String upn) {
        String local = upn.contains("@") ? upn.substring(0, upn.indexOf('@')) : upn;
        StringBuilder name = new StringBuilder();
        for (String part : local.split("[._-]+")) {
            if (!part.isEmpty()) {
                name.append(name.length() == 0 ? "" : " ").append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return name.length() == 0 ? upn : name.toString();
    }

    private static Map<String, Set<NationalCloud>> cloudsByHost() {
        Map<String, Set<NationalCloud>> result = new TreeMap<>();
        for (NationalCloud cloud : NationalCloud.values()) {
            result.computeIfAbsent(cloud.authorityHost(), h -> EnumSet.noneOf(NationalCloud.class)).add(cloud);
            for (String issuer : cloud.acceptedIdTokenIssuers("tenant")) {
                result.computeIfAbsent(URI.create(issuer).getHost(), h -> EnumSet.noneOf(NationalCloud.class)).add(cloud);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    // ---------------------------------------------------------------- state

    private static final class App {
        final String clientId;
        final Set<String> secrets = new LinkedHashSet<>();
        final Set<String> expiredSecrets = new LinkedHashSet<>();
        final List<X509Certificate> certificates = new ArrayList<>();
        final List<ClientAuthentication.FederatedCredential> federated = new ArrayList<>();
        final Set<String> redirectUris = new LinkedHashSet<>();
        List<String> idTokenGroups = List.of();
        String homeTenant;
        boolean disabled;

        App(String clientId) {
            this.clientId = clientId;
        }

        ClientAuthentication.Credentials credentials() {
            return new ClientAuthentication.Credentials(clientId, Set.copyOf(secrets), Set.copyOf(expiredSecrets), List.copyOf(certificates),
                    List.copyOf(federated));
        }
    }

    private sealed interface AuthorizeScript permits SignIn, AuthorizeError {
    }

    private record SignIn(FakeUser user, Set<String> grantOnly, boolean offlineAccess) implements AuthorizeScript {
    }

    private record AuthorizeError(String error, String description) implements AuthorizeScript {
    }

    private record ScriptedTokenError(int status, String error, String description, long[] codes) {
    }

    private record Revocation(long sequence, Instant at) {
    }

    private record Challenge(String claims, Instant at, boolean satisfiable) {
    }

    private static final class AuthorizationCode {
        final String code;
        final String clientId;
        final String redirectUri;
        final FakeUser user;
        final List<String> scopes;
        final String audienceHost;
        final String nonce;
        final String codeChallenge;
        final String authorityHost;
        final Instant expiresAt;
        boolean redeemed;

        AuthorizationCode(String code, String clientId, String redirectUri, FakeUser user, List<String> scopes, String audienceHost,
                String nonce, String codeChallenge, String authorityHost, Instant expiresAt) {
            this.code = code;
            this.clientId = clientId;
            this.redirectUri = redirectUri;
            this.user = user;
            this.scopes = List.copyOf(scopes);
            this.audienceHost = audienceHost;
            this.nonce = nonce;
            this.codeChallenge = codeChallenge;
            this.authorityHost = authorityHost;
            this.expiresAt = expiresAt;
        }
    }

    private static final class RefreshGrant {
        final String clientId;
        final FakeUser user;
        final long sequence;
        final Instant issuedAt;
        boolean redeemed;

        RefreshGrant(String clientId, FakeUser user, long sequence, Instant issuedAt) {
            this.clientId = clientId;
            this.user = user;
            this.sequence = sequence;
            this.issuedAt = issuedAt;
        }
    }

    private record Reply(int status, String contentType, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, "application/json; charset=utf-8", body, Map.of());
        }

        static Reply json(int status, Map<String, ?> body) {
            return json(status, JsonText.write(body));
        }

        static Reply html(int status, String body) {
            return new Reply(status, "text/html; charset=utf-8", body, Map.of());
        }

        static Reply redirect(String location) {
            return new Reply(302, "text/html; charset=utf-8", "<html><head><title>Object moved</title></head><body><h2>Object moved to "
                    + "<a href=\"" + escape(location) + "\">here</a>.</h2></body></html>", Map.of("Location", location));
        }
    }
}
