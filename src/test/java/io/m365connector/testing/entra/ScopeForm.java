package io.m365connector.testing.entra;

import io.m365connector.cloud.NationalCloud;
import java.util.Locale;

/**
 * How the fake Entra ID writes granted Graph permissions in the {@code scope} of a token response.
 * Entra ID is documented and observed to use each: short names, names qualified with the cloud's
 * Graph resource URI (for the US Government Entra ID, which serves L4 and L5, either Graph host),
 * in any letter case, qualified with Graph's application id, and mixed with {@code .default}.
 */
public enum ScopeForm {
    /** {@code Mail.Send} */
    SHORT,
    /** {@code https://graph.microsoft.us/Mail.Send}: the user's cloud's Graph host. */
    QUALIFIED,
    /** US Government: the other Graph host of the same Entra ID ({@code https://graph.microsoft.us/} for a DoD user); else as QUALIFIED. */
    QUALIFIED_SIBLING,
    /** {@code HTTPS://GRAPH.MICROSOFT.US/MAIL.SEND} */
    UPPER_CASE,
    /** {@code 00000003-0000-0000-c000-000000000000/Mail.Send} */
    APP_ID,
    /** Qualified names plus {@code https://<graph host>/.default}. */
    WITH_DEFAULT;

    static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    /** One granted permission (short name) as this form writes it for a user of {@code cloud}. */
    String write(String permission, NationalCloud cloud) {
        return switch (this) {
            case SHORT -> permission;
            case QUALIFIED, WITH_DEFAULT -> "https://" + cloud.graphHost() + "/" + permission;
            case QUALIFIED_SIBLING -> "https://" + siblingHost(cloud) + "/" + permission;
            case UPPER_CASE -> ("https://" + cloud.graphHost() + "/" + permission).toUpperCase(Locale.ROOT);
            case APP_ID -> GRAPH_APP_ID + "/" + permission;
        };
    }

    /** What this form adds besides the permissions. */
    String extra(NationalCloud cloud) {
        return this == WITH_DEFAULT ? "https://" + cloud.graphHost() + "/.default" : null;
    }

    private static String siblingHost(NationalCloud cloud) {
        return switch (cloud) {
            case USGOV -> "dod-graph.microsoft.us";
            case USGOVDOD -> "graph.microsoft.us";
            default -> cloud.graphHost();
        };
    }
}
