package io.m365connector.testing.entra;

import java.time.Instant;
import java.util.Set;

/**
 * What the fake Entra ID knows about an access token it issued, for a fake resource (Graph) to
 * check: whose it is, for which app, which delegated scopes (short names such as {@code Mail.Send}),
 * for which resource host ({@code graph.microsoft.us}), when it was issued and until when, whether
 * the client declared client capability cp1 (Continuous Access Evaluation), and the claims the
 * token request carried (null when none beyond the capabilities).
 */
public record IssuedAccessToken(FakeUser user, String clientId, Set<String> scopes, String audienceHost, Instant issuedAt,
                                Instant expiresAt, boolean cae, String requestedClaims) {
    public IssuedAccessToken {
        scopes = Set.copyOf(scopes);
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "IssuedAccessToken[user=" + user.userPrincipalName() + ", audience=" + audienceHost + ", cae=" + cae + "]";
    }
}
