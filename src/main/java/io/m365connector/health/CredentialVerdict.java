package io.m365connector.health;

import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStatus.State;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings.AppCredentialPolicy;
import io.m365connector.platform.Settings.ClientCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides a cloud's credential state from what one check learned: the app-only token request's
 * outcome and the credential's expiry. Pure: no I/O, time passed in.
 *
 * <ul>
 *   <li>Entra ID refused the credential: invalid, with the refusal's code.</li>
 *   <li>Entra ID could not be asked (outage, throttling): an earlier refusal stands; otherwise the
 *       expiry decides. A passing outage never turns a known state into "unknown" and back.</li>
 *   <li>By expiry: ok; expiring from {@code warnBefore}; expiring_soon inside
 *       {@link AppCredentialPolicy#ESCALATE_BEFORE}; past it invalid, unless Entra ID just accepted the
 *       credential (then the recorded expiry is wrong, and it stays expiring_soon).</li>
 * </ul>
 */
final class CredentialVerdict {
    /** What the token request at the home tenant said. */
    enum Probe { ACCEPTED, REFUSED, UNREACHABLE, NOT_CONFIGURED }

    private static final String CERTIFICATE = new ClientCertificate(new byte[0], "").kind();

    private CredentialVerdict() {
    }

    /**
     * @param refusal  the code of a REFUSED probe (else ignored)
     * @param previous the status recorded before, if any
     */
    static State state(Probe probe, Optional<Instant> expires, Instant now, AppCredentialPolicy policy, Optional<AppCredentialStatus> previous,
                       String kind) {
        return switch (probe) {
            case REFUSED -> State.INVALID;
            case ACCEPTED -> byExpiry(expires, now, policy, true);
            case UNREACHABLE -> previous.filter(p -> p.state() == State.INVALID && p.kind().equals(kind)).map(AppCredentialStatus::state)
                    .orElseGet(() -> byExpiry(expires, now, policy, false));
            case NOT_CONFIGURED -> byExpiry(expires, now, policy, false);
        };
    }

    /** The code that goes with an invalid state: the refusal, the earlier refusal, or the expiry that passed. */
    static ProblemCode code(State state, Probe probe, ProblemCode refusal, Optional<AppCredentialStatus> previous, String kind) {
        if (state != State.INVALID) {
            return null;
        }
        if (probe == Probe.REFUSED) {
            return refusal;
        }
        if (probe == Probe.UNREACHABLE && previous.filter(p -> p.state() == State.INVALID && p.kind().equals(kind)).isPresent()) {
            return previous.get().code();
        }
        return CERTIFICATE.equals(kind) ? ProblemCode.APP_CERTIFICATE_EXPIRED : ProblemCode.APP_SECRET_EXPIRED;
    }

    static State byExpiry(Optional<Instant> expires, Instant now, AppCredentialPolicy policy, boolean accepted) {
        if (expires.isEmpty()) {
            return accepted ? State.OK : State.UNKNOWN;
        }
        Duration left = Duration.between(now, expires.get());
        if (left.isNegative() || left.isZero()) {
            return accepted ? State.EXPIRING_SOON : State.INVALID;
        }
        if (left.compareTo(AppCredentialPolicy.ESCALATE_BEFORE) < 0) {
            return State.EXPIRING_SOON;
        }
        return left.compareTo(policy.warnBefore()) <= 0 ? State.EXPIRING : State.OK;
    }
}
