package io.m365connector.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Auto-registered for every test class (META-INF/services): starts {@link LogCapture} before any test runs. */
public final class LogCaptureExtension implements BeforeAllCallback {
    static {
        LogCapture.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LogCapture.install();
    }
}
