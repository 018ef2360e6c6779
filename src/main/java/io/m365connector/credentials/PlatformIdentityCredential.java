package io.m365connector.credentials;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings.PlatformIdentity;
import io.m365connector.platform.Sleeper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * The hosting identity's tokens (Table Storage, queues, Key Vault) straight from the identity endpoint App Service
 * and Azure Functions give every app: GET {@code IDENTITY_ENDPOINT?resource=…&api-version=2019-08-01[&client_id=…]}
 * with the {@code X-IDENTITY-HEADER} secret, answered with {@code access_token} and {@code expires_on} in seconds
 * since the epoch (learn.microsoft.com/azure/app-service/overview-managed-identity, "REST endpoint reference").
 *
 * <p>Why not azure-identity: its managed identity goes through MSAL4J, and loading both is a cold start cost every
 * function paid for a storage token, the notification receiver included, which must answer Graph within seconds.
 * This is the same protocol MSAL4J's App Service source speaks, on the shared HTTP stack. Used only where that
 * endpoint is what azure-identity's DefaultAzureCredential would pick too (see {@code SettingsReader}); everywhere
 * else (a developer's Azure CLI, a service principal in the environment, a VM's IMDS) azure-identity still serves.
 *
 * <p>Tokens are kept per resource until five minutes before they expire, so the Table, queue and Key Vault clients
 * of an instance share one request per resource. Busy or failing endpoints (408, 429, 5xx, no answer) are asked
 * {@value #ATTEMPTS} times, {@link #RETRY_DELAY} apart. Neither the identity header nor a token ever reaches an
 * exception message or a log.
 */
public final class PlatformIdentityCredential implements TokenCredential {
    static final String API_VERSION = "2019-08-01";
    static final int ATTEMPTS = 3;
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** A kept token is used until this long before it expires (azure-core's token cache refreshes as early). */
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    private static final String SUFFIX = "/.default";

    private final PlatformIdentity endpoint;
    private final Optional<String> clientId;
    private final HttpClient http;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, AccessToken> tokens = new ConcurrentHashMap<>();

    /**
     * @param clientId the user-assigned identity to use (AZURE_CLIENT_ID); empty for the app's system-assigned one
     */
    public PlatformIdentityCredential(PlatformIdentity endpoint, Optional<String> clientId, HttpClient http, Clock clock, Sleeper sleeper) {
        this.endpoint = Objects.requireNonNull(endpoint, "'endpoint' cannot be null.");
        this.clientId = Objects.requireNonNull(clientId, "'clientId' cannot be null.");
        this.http = Objects.requireNonNull(http, "'http' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.sleeper = Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        String resource = resource(request.getScopes());
        AccessToken kept = tokens.get(resource);
        if (kept != null && request.getClaims() == null && fresh(kept)) {
            return kept;
        }
        AccessToken fetched = fetch(resource);
        tokens.put(resource, fetched);
        return fetched;
    }

    private boolean fresh(AccessToken token) {
        return token.getExpiresAt().toInstant().isAfter(clock.instant().plus(REFRESH_BEFORE));
    }

    /** The endpoint takes an Azure resource, not scopes: exactly one scope, its "/.default" dropped (as MSAL does). */
    static String resource(List<String> scopes) {
        if (scopes == null || scopes.size() != 1 || scopes.get(0) == null || scopes.get(0).isBlank()) {
            throw new IllegalArgumentException("A managed identity token is for exactly one resource; asked for " + scopes + ".");
        }
        String scope = scopes.get(0);
        return scope.endsWith(SUFFIX) ? scope.substring(0, scope.length() - SUFFIX.length()) : scope;
    }

    private AccessToken fetch(String resource) {
        for (int attempt = 1; ; attempt++) {
            Answer answer = ask(resource);
            if (answer.status() == 200) {
                return token(answer.body(), resource);
            }
            boolean worthRetrying = answer.status() < 0 || answer.status() == 408 || answer.status() == 429 || answer.status() >= 500;
            if (!worthRetrying || attempt >= ATTEMPTS) {
                throw refused(answer, resource, attempt);
            }
            sleeper.sleep(RETRY_DELAY);
        }
    }

    private record Answer(int status, String body, String failure) {
    }

    private Answer ask(String resource) {
        String url = endpoint.endpoint() + (endpoint.endpoint().getRawQuery() == null ? "?" : "&") + "api-version=" + API_VERSION
                + "&resource=" + encode(resource) + clientId.map(id -> "&client_id=" + encode(id)).orElse("");
        HttpRequest request = new HttpRequest(HttpMethod.GET, url)
                .setHeader("X-IDENTITY-HEADER", endpoint.header())
                .setHeader("Accept", "application/json");
        try (HttpResponse response = http.sendSync(request, Context.NONE)) {
            return new Answer(response.getStatusCode(), response.getBodyAsBinaryData().toString(), null);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException) { // UncheckedIOException, or the HTTP adapter's own wrapper
                return new Answer(-1, "", e.getCause().getClass().getSimpleName());
            }
            throw e;
        }
    }

    private AccessToken token(String body, String resource) {
        JsonNode json = parse(body);
        String token = json.path("access_token").asText("");
        Optional<Instant> expiresOn = epochSeconds(json.get("expires_on"));
        if (token.isBlank() || expiresOn.isEmpty()) {
            throw new ClientAuthenticationException("The platform's identity endpoint answered 200 for " + resource
                    + " without an access_token and an expires_on in seconds since the epoch; it cannot be used.", null);
        }
        return new AccessToken(token, OffsetDateTime.ofInstant(expiresOn.get(), ZoneOffset.UTC));
    }

    /** {@code expires_on} is seconds since the epoch, sent as a JSON string by App Service, as a number by some hosts. */
    static Optional<Instant> epochSeconds(JsonNode value) {
        if (value == null) {
            return Optional.empty();
        }
        String text = value.asText("").trim();
        if (!text.matches("\\d{1,12}")) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(text)));
    }

    private ClientAuthenticationException refused(Answer answer, String resource, int attempts) {
        String body = answer.body().contains(endpoint.header()) ? "" : answer.body(); // an echo of the secret is never repeated
        String identity = clientId.map(id -> "the user-assigned identity " + id + " (AZURE_CLIENT_ID)")
                .orElse("the app's system-assigned identity (AZURE_CLIENT_ID not set)");
        String what = answer.status() < 0 ? "did not answer (" + answer.failure() + ")"
                : "answered " + answer.status() + platformMessage(body);
        String advice = answer.status() == 400 || answer.status() == 404
                ? " Check that " + identity + " is assigned to the function app (Identity blade, or the infra template's identity)."
                : answer.status() == 401 || answer.status() == 403
                ? " The platform refused the identity header: restart the function app so that the worker gets the current one."
                : " The platform's identity service is failing; the request can be retried.";
        return new ClientAuthenticationException("The platform's managed identity endpoint " + what + " for a token of " + resource
                + " for " + identity + " after " + attempts + (attempts == 1 ? " attempt." : " attempts.") + advice, null);
    }

    /** The platform's own error text ({@code message}), short and printable only: never the raw body. */
    private static String platformMessage(String body) {
        String message = parse(body).path("message").asText("");
        if (message.isBlank() || message.length() > 300 || !message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return "";
        }
        return ": \"" + message + "\"";
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body == null ? "" : body);
            return node == null ? Json.MAPPER.createObjectNode() : node;
        } catch (JsonProcessingException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
