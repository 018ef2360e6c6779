package io.m365connector.cloud;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Scope strings as Entra ID returns them, reduced to short Graph permission names. Entra ID may
 * write a Graph permission short ({@code Mail.Send}), qualified with any Graph host its cloud knows
 * ({@code https://graph.microsoft.us/Mail.Send} also for DoD users), or with Graph's application id,
 * in any letter case, mixed with OpenID scopes and {@code .default}.
 */
public final class GraphScopes {
    private static final Set<String> OIDC = Set.of("openid", "profile", "offline_access", "email");

    private GraphScopes() {
    }

    /**
     * "https://graph.microsoft.us/Mail.Send openid profile" -> {Mail.Send}. Scopes of other resources
     * (another cloud's Graph, another API) and {@code .default} are not Graph permissions and are dropped.
     */
    public static Set<String> granted(String scopes, NationalCloud cloud) {
        Set<String> result = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (scopes == null) {
            return result;
        }
        for (String scope : scopes.trim().split("\\s+")) {
            String permission = permissionOf(scope, cloud);
            if (permission != null) {
                result.add(permission);
            }
        }
        return result;
    }

    /** The short permission a scope names, or null when it names none of this cloud's Graph. */
    private static String permissionOf(String scope, NationalCloud cloud) {
        if (scope.isEmpty() || OIDC.contains(scope.toLowerCase(Locale.ROOT))) {
            return null;
        }
        int slash = scope.lastIndexOf('/');
        if (slash < 0) {
            return scope.equals(".default") ? null : scope;
        }
        String resource = scope.substring(0, slash);
        String name = scope.substring(slash + 1);
        if (name.isEmpty() || name.equals(".default") || !isGraphResource(resource, cloud)) {
            return null;
        }
        return name;
    }

    private static boolean isGraphResource(String resource, NationalCloud cloud) {
        if (resource.equalsIgnoreCase(NationalCloud.GRAPH_APP_ID)) {
            return true;
        }
        for (String host : cloud.graphResourceHosts()) {
            if (resource.equalsIgnoreCase("https://" + host)) {
                return true;
            }
        }
        return false;
    }
}
