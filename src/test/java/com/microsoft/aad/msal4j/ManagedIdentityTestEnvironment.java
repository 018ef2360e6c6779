package com.microsoft.aad.msal4j;

import java.util.Map;

/**
 * The test hook MSAL4J itself offers for managed identity: its managed identity client reads
 * IDENTITY_ENDPOINT / IDENTITY_HEADER through {@code ManagedIdentityApplication.setEnvironmentVariables}
 * (package-private; MSAL4J's own tests use it, see msal4j-sdk/src/test/.../EnvironmentVariablesHelper.java),
 * and azure-identity's ManagedIdentityCredential goes through that client. With it, the production
 * token source runs unmodified against a fake identity endpoint, without touching the process
 * environment. Also empties MSAL's process-wide managed identity token cache, so no token of another
 * test's fake is reused.
 */
public final class ManagedIdentityTestEnvironment {
    private ManagedIdentityTestEnvironment() {
    }

    /** Managed identity requests of this JVM read these variables (and nothing from the real environment). */
    public static void use(Map<String, String> variables) {
        ManagedIdentityApplication.setEnvironmentVariables(variables::get);
        ManagedIdentityApplication.sharedTokenCache = new TokenCache();
    }

    /** Back to the real environment. */
    public static void reset() {
        ManagedIdentityApplication.setEnvironmentVariables(null);
        ManagedIdentityApplication.sharedTokenCache = new TokenCache();
    }
}
