package io.m365connector.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures everything the suite logs: java.util.logging at every level (MSAL4J and the Azure SDK
 * reach it through slf4j-jdk14), plus System.out and System.err. Installed once when the first test
 * class starts ({@link LogCaptureExtension}); read by the log-leak test, which runs last.
 */
public final class LogCapture {
    private static final StringBuffer CAPTURED = new StringBuffer();
    private static boolean installed;

    private LogCapture() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Logger root = Logger.getLogger("");
        root.setLevel(Level.ALL);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(Level.WARNING);
        }
        SimpleFormatter formatter = new SimpleFormatter();
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                CAPTURED.append(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        System.setOut(tee(System.out));
        System.setErr(tee(System.err));
    }

    public static String captured() {
        return CAPTURED.toString();
    }

    private static PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                original.write(b);
                line.write(b);
                if (b == '\n') {
                    CAPTURED.append(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
            }

            @Override
            public synchronized void flush() {
                original.flush();
                CAPTURED.append(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
