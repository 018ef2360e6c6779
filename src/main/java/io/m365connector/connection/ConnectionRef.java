package io.m365connector.connection;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.platform.TextRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A connection as a caller names it: its id, and optionally the owner the caller expects
 * ({@code X-Owner-Id}). With an expected owner, a connection of another owner answers exactly like
 * an unknown id: a web app that sends its signed-in user's id cannot be made to act on another
 * user's connection by a tampered id, and learns nothing about ids it does not own.
 */
public record ConnectionRef(String id, Optional<String> expectedOwner) {
    public static final int MAX_OWNER_LENGTH = 256;

    public ConnectionRef {
        Objects.requireNonNull(id, "'id' cannot be null.");
        Objects.requireNonNull(expectedOwner, "'expectedOwner' cannot be null.");
    }

    /** The route's id and the X-Owner-Id header (null when not sent); a malformed header is a 400. */
    public static ConnectionRef of(String id, String ownerHeader) {
        if (ownerHeader == null) {
            return new ConnectionRef(id == null ? "" : id, Optional.empty());
        }
        if (!isOwnerId(ownerHeader)) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("X-Owner-Id",
                    "Must be the ownerId the connection was created with (1-256 characters, no control characters).")));
        }
        return new ConnectionRef(id == null ? "" : id, Optional.of(ownerHeader));
    }

    /**
     * The one rule for an owner id, wherever it comes (a new connection's ownerId, a listing's, X-Owner-Id): 1-256 characters,
     * no control characters (line separators included), no broken Unicode. An id one place refused could never be used at another.
     */
    public static boolean isOwnerId(String value) {
        return value != null && !value.isEmpty() && TextRules.length(value) <= MAX_OWNER_LENGTH && !TextRules.hasControl(value, false)
                && !TextRules.isBrokenUnicode(value);
    }

    /** No expected owner, or the connection's owner is the expected one. */
    private boolean admits(Connection connection) {
        return expectedOwner.map(owner -> owner.equals(connection.ownerId())).orElse(true);
    }

    /** {@code connection} when this reference admits it; otherwise the answer an unknown id gets. */
    public Connection admit(Connection connection) {
        if (!admits(connection)) {
            throw notFound();
        }
        return connection;
    }

    /** The answer for an id that does not exist, or is not the expected owner's: the same either way. */
    public ConnectorException notFound() {
        return new ConnectorException(ProblemCode.NOT_FOUND, Connection.isValidId(id) ? "No connection " + id + "."
                : "No such connection: connection ids look like con_ followed by 32 hex digits.");
    }
}
