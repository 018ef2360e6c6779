package io.m365connector.tokens;

import io.m365connector.connection.Connection;
import java.time.Instant;
import java.util.Objects;

/**
 * A bearer token for one connection, when it expires, and the connection as it was read when the
 * token was obtained (its cloud says where the token may be sent; its tokens tell whether another
 * instance has refreshed since).
 */
public record AccessToken(String value, Instant expiresAt, Connection connection) {
    public AccessToken {
        Objects.requireNonNull(value, "'value' cannot be null.");
        Objects.requireNonNull(expiresAt, "'expiresAt' cannot be null.");
        Objects.requireNonNull(connection, "'connection' cannot be null.");
    }

    @Override
    public String toString() {
        return "AccessToken[connection=" + connection.id() + ", expiresAt=" + expiresAt + ", value=REDACTED]";
    }
}
