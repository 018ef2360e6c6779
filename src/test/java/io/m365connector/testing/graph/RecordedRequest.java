package io.m365connector.testing.graph;

import java.util.Map;

/**
 * One request the fake Graph received.
 *
 * @param method HTTP method
 * @param host the Host header without port, such as {@code graph.microsoft.us}
 * @param path URL-decoded path without the {@code /v1.0} prefix and without query, such as {@code /me/sendMail}
 * @param query the raw query string (still encoded, {@code %24select=id}), empty if none
 * @param headers request headers, case-insensitive keys; several values are joined with ", ". The
 *     Authorization value is recorded as {@code Bearer [redacted]} so that no token can reach a
 *     test report.
 * @param body the body as UTF-8 text; for upload-session PUTs {@code [N bytes]}
 * @param userUpn the user of the bearer token if the fake Entra ID issued it (even if expired or
 *     for another host), else null
 */
public record RecordedRequest(String method, String host, String path, String query, Map<String, String> headers, String body,
        String userUpn) {
    /** A header value (case-insensitive name), or null. */
    public String header(String name) {
        return headers.get(name);
    }
}
