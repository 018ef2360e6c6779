package io.m365connector.connect;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionStatus;
import java.net.URI;
import java.util.Set;

/** What the callback achieved. Failures are thrown as {@link SignInFailure}. */
public sealed interface CallbackOutcome {
    /**
     * The connection is active; {@code missingScopes} lists permissions the user did not grant; {@code completion} is the
     * code for the return URL, which the web app shows to {@code POST /connections/{id}/completion} before it uses the
     * connection: only the browser that finished the sign-in has it. {@code adminConsentUrl}: when permissions are missing, a
     * link for the user's administrator to grant them for the organization.
     */
    record Connected(String connectionId, ConnectionStatus status, URI returnUrl, Set<String> missingScopes, String completion,
                     String adminConsentUrl) implements CallbackOutcome {
        @Override
        public String toString() {
            return "Connected[connectionId=" + connectionId + ", status=" + status + ", missingScopes=" + missingScopes + ", completion=<redacted>]";
        }
    }

    /** An administrator granted consent for their organization. */
    record AdminConsented(NationalCloud cloud) implements CallbackOutcome {
    }
}
