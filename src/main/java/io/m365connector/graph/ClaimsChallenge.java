package io.m365connector.graph;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The claims of a Continuous Access Evaluation challenge: {@code WWW-Authenticate: Bearer ...,
 * error="insufficient_claims", claims="<base64 JSON>"} on a 401. Graph sends them only to apps
 * that declared client capability cp1. MSAL wants the decoded JSON.
 */
final class ClaimsChallenge {
    private static final Pattern CLAIMS = Pattern.compile("claims=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

    private ClaimsChallenge() {
    }

    /** The decoded claims of a challenge among these response headers, if any. */
    static Optional<String> from(Map<String, ? extends Collection<String>> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, ? extends Collection<String>> header : headers.entrySet()) {
            if ("WWW-Authenticate".equalsIgnoreCase(header.getKey()) && header.getValue() != null) {
                for (String value : header.getValue()) {
                    Optional<String> claims = fromHeaderValue(value);
                    if (claims.isPresent()) {
                        return claims;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The decoded claims in one WWW-Authenticate value, if it is a challenge. */
    static Optional<String> fromHeaderValue(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = CLAIMS.matcher(value);
        return m.find() ? decode(m.group(1)) : Optional.empty();
    }

    /** Base64 (standard or URL-safe, padded or not) as Graph sends it; JSON passes as it is. */
    static Optional<String> decode(String raw) {
        String trimmed = raw.trim();
        if (trimmed.startsWith("{")) {
            return Optional.of(trimmed);
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(trimmed.replace('+', '-').replace('/', '_').replace("=", "")),
                    StandardCharsets.UTF_8).trim();
            return json.startsWith("{") && json.endsWith("}") ? Optional.of(json) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
