package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.SilentParameters;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.ConnectorHarness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A cold instance reads a connection's access token straight from its stored MSAL cache
 * ({@link TokenCacheView#storedAccessToken}) instead of building an MSAL client; that must give exactly what MSAL4J's
 * silent request gives, and nothing when MSAL would do anything but answer from the cache. Both are checked against
 * MSAL itself, on caches MSAL wrote at sign-in in each cloud (the fake Entra ID's tokens): untouched, the two answers are
 * the same token and MSAL makes no request; for each way a cached token can fail MSAL's lookup or its expiry rules, the
 * stored token is refused and MSAL goes to the network (refused here, so its attempt is seen).
 */
class StoredAccessTokenTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final Set<String> SCOPES = Set.of("Mail.Send");

    @AfterAll
    static void close() {
        HARNESS.close();
    }

    /** One way a cached access token may differ from what a silent request of this connection takes from the cache. */
    private static final Map<String, Consumer<ObjectNode>> CHANGES = new LinkedHashMap<>();

    static {
        long now = Instant.now().getEpochSecond();
        CHANGES.put("expires within MSAL's 5-minute buffer", t -> t.put("expires_on", String.valueOf(now + 240)));
        CHANGES.put("expired", t -> t.put("expires_on", String.valueOf(now - 60)));
        CHANGES.put("refresh_on passed (MSAL refreshes early; the cached token only if that fails)", t -> t.put("refresh_on", String.valueOf(now - 1)));
        CHANGES.put("another tenant's realm", t -> t.put("realm", "b2cd1ac4-5bc4-4b7a-8f9e-0b6a1f7a9e11"));
        CHANGES.put("another app's client id", t -> t.put("client_id", "99999999-2222-3333-4444-555555555555"));
        CHANGES.put("another cloud's host", t -> t.put("environment", "login.example.com"));
        CHANGES.put("another account", t -> t.put("home_account_id", "0c1ef2a4-6a39-4b8e-9d1f-3f1e6c0d2b7a.f42e2b2e-7d0a-46dc-af9c-712e4c76ef98"));
        CHANGES.put("other scopes", t -> t.put("target", "Calendars.ReadWrite openid profile offline_access"));
        CHANGES.put("an extended cache key (another request shape)", t -> t.put("ext_cache_key_hash", "abc"));
    }

    @Test
    void whenTheStoredCacheHoldsAValidTokenThenItIsTheOneMsalAnswersWithAndMsalMakesNoRequest() throws Exception {
        for (NationalCloud cloud : NationalCloud.values()) {
            Stored stored = stored(cloud);
            Optional<TokenCacheView.StoredToken> read = stored.read();
            assertTrue(read.isPresent(), cloud + ": the token MSAL wrote at sign-in is read from the cache");

            List<String> requests = new CopyOnWriteArrayList<>();
            IAuthenticationResult msal = stored.askMsal(stored.data, requests);

            assertEquals(List.of(), requests, cloud + ": MSAL answered from the cache");
            assertEquals(msal.accessToken(), read.get().secret(), cloud + ": the same token");
            assertEquals(msal.expiresOnDate().toInstant(), read.get().expiresAt(), cloud + ": the same expiry");
            // MSAL writes the realm from its lower-cased authority: a tenant set in capitals must still find the token.
            TokenCacheView.Owner capitals = new TokenCacheView.Owner(stored.owner.homeAccountId(), stored.owner.clientId(),
                    stored.owner.realm().toUpperCase(), stored.owner.authorityHost());
            assertTrue(TokenCacheView.of(stored.data).storedAccessToken(SCOPES, cloud, capitals, Instant.now().plusSeconds(300), Instant.now())
                    .isPresent(), cloud + ": the tenant setting's case does not matter");
        }
    }

    @Test
    void whenMsalWouldNotAnswerFromTheCacheThenTheStoredTokenIsNotRead() throws Exception {
        for (NationalCloud cloud : NationalCloud.values()) {
            Stored stored = stored(cloud);
            for (Map.Entry<String, Consumer<ObjectNode>> change : CHANGES.entrySet()) {
                ObjectNode root = (ObjectNode) Json.MAPPER.readTree(stored.data);
                List<ObjectNode> tokens = new ArrayList<>();
                root.path("AccessToken").elements().forEachRemaining(t -> tokens.add((ObjectNode) t));
                assertEquals(1, tokens.size(), "one access token after sign-in");
                change.getValue().accept(tokens.get(0));
                String changed = root.toString();

                Optional<TokenCacheView.StoredToken> read = TokenCacheView.of(changed)
                        .storedAccessToken(SCOPES, cloud, stored.owner, Instant.now().plusSeconds(300), Instant.now());
                List<String> requests = new CopyOnWriteArrayList<>();
                try {
                    stored.askMsal(changed, requests);
                } catch (Exception refused) {
                    // the token endpoint is refused here: only whether MSAL went there matters
                }

                assertFalse(read.isPresent(), cloud + ", " + change.getKey() + ": not read from the cache");
                assertFalse(requests.isEmpty(), cloud + ", " + change.getKey() + ": MSAL, too, went to Entra ID");
            }
        }
    }

    /** A connection's cache as MSAL wrote it at sign-in, and what a silent request of it is keyed by. */
    private record Stored(NationalCloud cloud, Connection connection, String data, AppRegistration registration, TokenCacheView.Owner owner,
                          Settings settings) {
        Optional<TokenCacheView.StoredToken> read() {
            return TokenCacheView.of(data).storedAccessToken(SCOPES, cloud, owner, Instant.now().plusSeconds(300), Instant.now());
        }

        /** MSAL's silent request on {@code cache}, as the broker makes it, with every network request recorded and refused. */
        IAuthenticationResult askMsal(String cache, List<String> requests) throws Exception {
            IHttpClient refusing = request -> {
                requests.add(request.url().toString());
                HttpResponse response = new HttpResponse().statusCode(400)
                        .body("{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70000: refused in this test\"}");
                response.addHeaders(Map.of("Content-Type", List.of("application/json")));
                return response;
            };
            ConfidentialClientApplication app = new MsalClients(settings, refusing)
                    .newApp(cloud, registration.defaultTenant(), new TokenCacheSlot(cache));
            IAccount account = app.getAccounts().get().iterator().next();
            Set<String> form = TokenCacheView.of(cache).cachedFormOf(SCOPES, cloud, Instant.now().plusSeconds(300)).orElse(SCOPES);
            return app.acquireTokenSilently(SilentParameters.builder(form, account).build()).get();
        }
    }

    private static Stored stored(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\"");
        Connection connection = ContextParts.of(HARNESS.context).connections().find(c.connectionId()).orElseThrow();
        String data = ContextParts.of(HARNESS.context).sealer().open(connection.id(), connection.cloud(), connection.tokens());
        Settings settings = SettingsReader.read(HARNESS.env);
        AppRegistration registration = settings.registration(cloud).orElseThrow();
        TokenCacheView.Owner owner = new TokenCacheView.Owner(connection.account().userObjectId() + "." + connection.account().tenantId(),
                registration.clientId(), registration.defaultTenant(), cloud.authorityHost());
        return new Stored(cloud, connection, data, registration, owner, settings);
    }
}
