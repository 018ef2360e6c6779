package io.m365connector.testing.entra;

import java.time.Instant;
import java.util.Set;

/**
 * What the fake Entra ID knows about an access token it issued, for a fake resource (Graph) to
 * check: whose it is, for which app, which delegated scopes (short names such as {@code Mail.Send}),
 * for which resource host ({@code graph.microsoft.us}) and until when.
 */
public record IssuedAccessToken(FakeUser user, String clientId, Set<String> scopes, String audienceHost, Instant expiresAt) {
    public IssuedAccessToken {
        scopes = Set.copyOf(scopes);
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
