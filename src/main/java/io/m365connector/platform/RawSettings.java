package io.m365connector.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The raw setting values and every problem found in them, collected so that all are reported at once. */
final class RawSettings {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    RawSettings(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> optional(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The raw value of a setting, or null (for optional parts such as a certificate password). */
    String raw(String name) {
        return env.get(name);
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
