package io.m365connector.credentials;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.identity.ManagedIdentityCredential;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ManagedIdentityTokens} from azure-identity's {@link ManagedIdentityCredential}, on the shared
 * HTTP stack. On App Service and Azure Functions the identity endpoint is the one the platform names in
 * IDENTITY_ENDPOINT / IDENTITY_HEADER (azure-identity hands the request to MSAL4J's managed identity
 * client, which reads those variables and caches tokens until shortly before they expire).
 */
public final class AzureManagedIdentityTokens implements ManagedIdentityTokens {
    private final HttpClient http;
    private final Map<String, ManagedIdentityCredential> credentials = new ConcurrentHashMap<>();

    public AzureManagedIdentityTokens(HttpClient http) {
        this.http = Objects.requireNonNull(http, "'http' cannot be null.");
    }

    @Override
    public String token(String clientId, String audience) {
        ManagedIdentityCredential credential = credentials.computeIfAbsent(clientId,
                id -> new ManagedIdentityCredentialBuilder().clientId(id).httpClient(http).build());
        AccessToken token;
        try {
            // azure-identity turns "<audience>/.default" into the resource parameter of the identity endpoint.
            token = credential.getTokenSync(new TokenRequestContext().addScopes(audience + "/.default"));
        } catch (RuntimeException e) {
            if (unreachable(e)) {
                // The platform's identity endpoint could not be reached: an outage that passes (retried like Entra's), not an
                // identity to fix; as a credential failure it would mark the cloud's credential invalid until the next check.
                throw new IllegalStateException("The identity endpoint could not be reached for managed identity " + clientId + " ("
                        + e.getClass().getSimpleName() + "); try again later.", e);
            }
            throw new AssertionUnavailableException("The managed identity " + clientId + " could not issue a token for " + audience
                    + " (" + e.getClass().getSimpleName() + "): check that it is assigned to the function app.", e);
        }
        if (token == null || token.getToken() == null || token.getToken().isBlank()) {
            throw new AssertionUnavailableException("The managed identity " + clientId + " returned no token for " + audience + ".", null);
        }
        return token.getToken();
    }

    /** A network failure somewhere in the cause chain (refused connection, timeout, reset; also under an UncheckedIOException). */
    private static boolean unreachable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
