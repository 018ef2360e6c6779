package io.m365connector.testing.graph;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.AuthorizationRequestUrlParameters;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.http.MsalHttpClient;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Access tokens for Graph tests, obtained the real way: the fake Entra ID signs a user in at its
 * authorize endpoint (over HTTPS; form_post, MSAL's default response mode), and MSAL4J redeems the code with PKCE at the
 * token endpoint. The token is for the user's cloud's Graph host and carries the scopes asked for.
 */
public final class GraphTokens {
    private static final String REDIRECT_URI = "https://connector.example.com/api/auth/callback";
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"\\s*/?>");

    private final FakeEntraId entra;
    private final OutboundHttp http;
    private final String clientId = UUID.randomUUID().toString();
    private final String secret = SecretsLedger.remember("graph-tokens-secret-" + UUID.randomUUID());
    private final SecureRandom random = new SecureRandom();
    private final Map<NationalCloud, ConfidentialClientApplication> apps = new ConcurrentHashMap<>();

    /** Registers a confidential client in the fake Entra ID; {@code http} must route the login hosts to it. */
    public GraphTokens(FakeEntraId entra, OutboundHttp http) {
        this.entra = entra;
        this.http = http;
        entra.registerApp(clientId, secret, REDIRECT_URI);
    }

    public String clientId() {
        return clientId;
    }

    /**
     * Signs {@code user} in (consenting to {@code scopes}, short names such as {@code Mail.Send}) and
     * returns the access token MSAL4J got for it. Not for concurrent use with other sign-ins on the same fake.
     */
    public synchronized String accessToken(FakeUser user, Set<String> scopes) {
        try {
            ConfidentialClientApplication app = apps.computeIfAbsent(user.cloud(), this::msal);
            entra.nextSignIn(user);
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
            String state = UUID.randomUUID().toString();
            URI authorize = URI.create(app.getAuthorizationRequestUrl(AuthorizationRequestUrlParameters.builder(REDIRECT_URI, scopes)
                    .state(state).codeChallenge(challenge).codeChallengeMethod("S256").build())
                    .toString());
            Map<String, String> callback = formPost(authorize);
            if (!state.equals(callback.get("state")) || callback.get("code") == null) {
                throw new IllegalStateException("sign-in failed: " + callback.getOrDefault("error", "no code") + " "
                        + callback.getOrDefault("error_description", ""));
            }
            return app.acquireToken(AuthorizationCodeParameters.builder(callback.get("code"), URI.create(REDIRECT_URI))
                    .scopes(scopes).codeVerifier(verifier).build()).get().accessToken();
        } catch (IOException | NoSuchAlgorithmException | ExecutionException e) {
            throw new IllegalStateException("could not get an access token from the fake Entra ID: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ConfidentialClientApplication msal(NationalCloud cloud) {
        try {
            return ConfidentialClientApplication.builder(clientId, ClientCredentialFactory.createFromSecret(secret))
                    .authority(cloud.authorityUrl("organizations"))
                    .instanceDiscovery(false)
                    .httpClient(MsalHttpClient.over(http))
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Follows the authorize URL and reads the fields of the auto-submitting form_post page. */
    private Map<String, String> formPost(URI authorize) throws IOException {
        try (Response response = http.okHttp().newCall(new Request.Builder().url(authorize.toString()).build()).execute()) {
            String body = response.body() == null ? "" : response.body().string();
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher m = HIDDEN.matcher(body);
            while (m.find()) {
                fields.put(unescape(m.group(1)), unescape(m.group(2)));
            }
            if (fields.isEmpty()) {
                throw new IOException("authorize answered HTTP " + response.code() + " without a form_post page: "
                        + body.substring(0, Math.min(400, body.length())));
            }
            return fields;
        }
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
