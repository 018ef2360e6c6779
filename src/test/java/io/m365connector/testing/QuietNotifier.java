package io.m365connector.testing;

import com.github.tomakehurst.wiremock.common.Notifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * WireMock's notifier for the fakes: writes to target/fakes.log instead of the console. The fakes
 * print whole requests (bearer tokens, codes) when a request does not match; that is test
 * diagnostics, kept apart from the application logs the leak test inspects.
 */
public final class QuietNotifier implements Notifier {
    private static final Path LOG = Path.of("target", "fakes.log");

    @Override
    public void info(String message) {
    }

    @Override
    public void error(String message) {
        write(message);
    }

    @Override
    public void error(String message, Throwable t) {
        write(message + " " + t);
    }

    private static synchronized void write(String message) {
        try {
            Files.createDirectories(LOG.getParent());
            Files.writeString(LOG, message + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // diagnostics only
        }
    }
}
