package io.m365connector.cloud;

import java.util.Set;
import java.util.TreeSet;

/** Scope strings as Entra ID returns them, reduced to short Graph permission names. */
public final class GraphScopes {
    private static final Set<String> OIDC = Set.of("openid", "profile", "offline_access", "email");

    private GraphScopes() {
    }

    /** "https://graph.microsoft.us/Mail.Send openid profile" -> {Mail.Send}; only this cloud's Graph host is stripped. */
    public static Set<String> granted(String scopes, NationalCloud cloud) {
        Set<String> result = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (scopes == null) {
            return result;
        }
        String prefix = "https://" + cloud.graphHost() + "/";
        for (String scope : scopes.trim().split("\\s+")) {
            if (scope.isEmpty() || OIDC.contains(scope.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            if (scope.regionMatches(true, 0, prefix, 0, prefix.length())) {
                result.add(scope.substring(prefix.length()));
            } else if (!scope.contains("/")) {
                result.add(scope);
            }
        }
        return result;
    }
}
