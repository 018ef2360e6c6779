package io.m365connector.platform;

import java.net.URL;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** What may be written to logs about HTTP traffic and free text that could carry secrets. */
public final class Redaction {
    /**
     * X-IDENTITY-HEADER (and the older protocol's "secret") authenticate calls to the platform's managed
     * identity endpoint: with it, code on the instance could get the identity's tokens.
     */
    private static final Set<String> SENSITIVE_HEADERS = Set.of(
            "authorization", "cookie", "set-cookie", "x-functions-key", "proxy-authorization", "x-ms-encryption-key",
            "x-identity-header", "secret");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final Pattern SECRET_PARAMS = Pattern.compile(
            "(?i)((?:code|state|nonce|client_secret|refresh_token|access_token|id_token|code_verifier|client_assertion|sig)=)[^&\\s\"]+");

    private Redaction() {
    }

    public static boolean isSensitiveHeader(String name) {
        return name != null && SENSITIVE_HEADERS.contains(name.toLowerCase(Locale.ROOT));
    }

    public static String headerValue(String name, String value) {
        return isSensitiveHeader(name) ? "REDACTED" : value;
    }

    /** A URL fit for logs: scheme, host, port and path; the query (codes, states, SAS signatures) is dropped. */
    public static String url(URL url) {
        String port = url.getPort() == -1 ? "" : ":" + url.getPort();
        return url.getProtocol() + "://" + url.getHost() + port + url.getPath();
    }

    /** Masks bearer tokens and secret-bearing parameters in free text such as exception messages. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String masked = BEARER.matcher(text).replaceAll("$1REDACTED");
        return SECRET_PARAMS.matcher(masked).replaceAll("$1REDACTED");
    }
}
