package io.m365connector.connect;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionStatus;
import java.net.URI;
import java.util.Set;

/** What the callback achieved. Failures are thrown as {@link SignInFailure}. */
public sealed interface CallbackOutcome {
    /** The connection is active; {@code missingScopes} lists permissions the user did not grant. */
    record Connected(String connectionId, ConnectionStatus status, URI returnUrl, Set<String> missingScopes) implements CallbackOutcome {
    }

    /** An administrator granted consent for their organization. */
    record AdminConsented(NationalCloud cloud) implements CallbackOutcome {
    }
}
