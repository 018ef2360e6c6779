package io.m365connector.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Auto-registered for every test class (META-INF/services): starts {@link LogCapture} before any test runs,
 * and saves what it captured after each class, for the log-leak test that runs in a JVM of its own.
 */
public final class LogCaptureExtension implements BeforeAllCallback, AfterAllCallback {
    static {
        LogCapture.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LogCapture.install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LogCapture.save();
    }
}
