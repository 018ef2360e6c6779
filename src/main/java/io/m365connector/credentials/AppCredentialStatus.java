package io.m365connector.credentials;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.ProblemCode;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What the connector knows about one cloud's app credential: its kind, whether it works, when it
 * expires, when it was last checked and since when it is in this state. Holds no secret.
 *
 * @param code          why it is invalid (an {@code app_*} code), else null
 * @param expiresAt     the secret's or certificate's expiry when known, else null
 * @param checkedAt     when the credential was last evaluated
 * @param changedAt     when {@code state} (and {@code code}) last changed
 * @param lastCheckCode the outcome of the last token request to the home tenant: {@code ok}, a problem
 *                      code ({@code temporarily_unavailable} when Entra ID could not be asked), or null
 *                      when no home tenant is configured
 */
public record AppCredentialStatus(NationalCloud cloud, String kind, State state, ProblemCode code, Instant expiresAt,
                                  Instant checkedAt, Instant changedAt, String lastCheckCode) {
    /** Whether the credential works and how soon that ends. */
    public enum State {
        OK, EXPIRING, EXPIRING_SOON, INVALID, UNKNOWN;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Entra ID accepts the credential (as far as the connector knows). */
        public boolean working() {
            return this == OK || this == EXPIRING || this == EXPIRING_SOON;
        }

        public static State fromId(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    public AppCredentialStatus {
        Objects.requireNonNull(cloud, "'cloud' cannot be null.");
        Objects.requireNonNull(kind, "'kind' cannot be null.");
        Objects.requireNonNull(state, "'state' cannot be null.");
        Objects.requireNonNull(checkedAt, "'checkedAt' cannot be null.");
        Objects.requireNonNull(changedAt, "'changedAt' cannot be null.");
    }

    /** Same state and reason: a new check that ends here is not a change to log or announce. */
    public boolean sameStateAs(AppCredentialStatus other) {
        return other != null && state == other.state && code == other.code;
    }
}
