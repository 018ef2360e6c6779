package io.m365connector.platform;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The raw setting values and every problem found in them, collected so that all are reported at once. */
final class RawSettings {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    /** Settings already reported as unresolved references (each is read in several places). */
    private final Set<String> unresolved = new HashSet<>();

    RawSettings(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> optional(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(checked(name, value).trim());
    }

    /** The raw value of a setting, or null (for optional parts such as a certificate password). */
    String raw(String name) {
        String value = env.get(name);
        return value == null ? null : checked(name, value);
    }

    /**
     * App Service passes a Key Vault (or App Configuration) reference it could not resolve on as its text ("the reference
     * string is used instead": Learn, Use Key Vault references, Troubleshoot): taken as a client secret, every sign-in and
     * refresh would fail while the app seemed healthy. Refused here, with the usual causes.
     */
    private String checked(String name, String value) {
        String v = value.trim();
        if ((v.startsWith("@Microsoft.KeyVault(") || v.startsWith("@Microsoft.AppConfiguration(")) && unresolved.add(name)) {
            problems.add(name + " is a reference the platform did not resolve: its text reached the app. In Azure: the secret does not "
                    + "exist or has no enabled version, the app's identity lacks the Key Vault Secrets User role (or keyVaultReferenceIdentity "
                    + "names another identity), or the references were not refreshed since the secret was set (docs/DEPLOY.md: az rest "
                    + "... config/configreferences/appsettings/refresh, then restart). Running locally, put the value itself: references "
                    + "resolve in Azure only.");
        }
        return value;
    }

    void problem(String name, String what, String example) {
        problems.add(name + " " + what + (example == null || example.isEmpty() ? "" : " Example: " + name + "=" + example));
    }

    void problem(Setting setting, String what) {
        problem(setting.settingName(), what, setting.example());
    }

    void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new Settings.SettingsException(problems);
        }
    }

    /** A loopback host: where plain http is allowed (local runs). */
    static boolean isLoopback(String host) {
        return "localhost".equals(host) || "127.0.0.1".equals(host) || "[::1]".equals(host);
    }
}
