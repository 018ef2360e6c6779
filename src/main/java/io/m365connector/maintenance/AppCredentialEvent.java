package io.m365connector.maintenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the web app's webhook receives when a cloud's app credential changes state: it is about to
 * expire ({@value #EXPIRING}), Entra ID refuses it ({@value #INVALID}), or it works again
 * ({@value #RECOVERED}). One event per change; never carries a secret.
 *
 * @param severity  warning (expiring) | critical (expiring within 7 days, or invalid) | info (recovered)
 * @param errorCode why it is invalid (an {@code app_*} code)
 * @param daysLeft  whole days until {@code expiresAt}, when known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppCredentialEvent(String id, String type, Instant occurredAt, String cloud, String kind, String state, String previousState,
                                 String severity, String errorCode, Instant expiresAt, Long daysLeft) {
    public static final String EXPIRING = "app_credential_expiring";
    public static final String INVALID = "app_credential_invalid";
    public static final String RECOVERED = "app_credential_recovered";

    /** The event a change calls for, if any (a first "ok", or "unknown", calls for none). */
    public static Optional<AppCredentialEvent> of(Optional<AppCredentialStatus> before, AppCredentialStatus after, Instant now) {
        State was = before.map(AppCredentialStatus::state).orElse(null);
        String type;
        String severity;
        if (after.state() == State.INVALID) {
            type = INVALID;
            severity = "critical";
        } else if (was == State.INVALID && after.state().working()) {
            type = RECOVERED;
            severity = "info";
        } else if ((after.state() == State.EXPIRING || after.state() == State.EXPIRING_SOON) && was != after.state()) {
            type = EXPIRING;
            severity = after.state() == State.EXPIRING_SOON ? "critical" : "warning";
        } else {
            return Optional.empty();
        }
        Long daysLeft = after.expiresAt() == null ? null : Math.floorDiv(Duration.between(now, after.expiresAt()).toSeconds(), 86_400L);
        String id = EventIds.of(type, after.cloud().id(), after.kind(), after.state().id(), String.valueOf(after.changedAt()));
        return Optional.of(new AppCredentialEvent(id, type, after.changedAt() == null ? now : after.changedAt(), after.cloud().id(),
                after.kind(), after.state().id(), was == null ? null : was.id(), severity,
                after.code() == null ? null : after.code().code(), after.expiresAt(), daysLeft));
    }
}
