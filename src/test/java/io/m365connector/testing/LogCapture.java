package io.m365connector.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures everything the suite logs: java.util.logging at every level (MSAL4J and the Azure SDK
 * reach it through slf4j-jdk14), plus System.out and System.err. Installed once when the first test
 * class starts ({@link LogCaptureExtension}).
 *
 * <p>Maven runs the test classes in several JVMs at once, and the log-leak test in a JVM of its own after
 * them: with {@code -Dlog.capture.dir} set (pom.xml sets it per build), every JVM appends what it captured
 * to {@code <pid>.log} there after each test class, and writes the secrets it saw to {@code <pid>.secrets},
 * which the log-leak test reads. Without it (one JVM, as an IDE runs the suite) the log-leak test reads
 * this JVM's capture directly.
 */
public final class LogCapture {
    /** The system property naming the directory the JVMs of one build save their capture in. */
    public static final String DIRECTORY_PROPERTY = "log.capture.dir";
    private static final StringBuffer CAPTURED = new StringBuffer();
    private static boolean installed;
    private static int saved;

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
        Formatter formatter = new CaptureFormatter();
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

    /**
     * What a secret could hide in, as {@code SimpleFormatter} writes it (level, logger, the message with its
     * parameters, the stack trace with every cause), without its costs: {@code SimpleFormatter} walks the stack
     * to name the calling class and goes through {@code String.format} for every record, and the root logger
     * passes every library's FINEST records here (a tenth of the suite's sampled CPU went to formatting them).
     */
    static final class CaptureFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160).append(record.getLevel().getName()).append(' ')
                    .append(record.getLoggerName()).append(": ").append(formatMessage(record)).append('\n');
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }

    public static String captured() {
        return CAPTURED.toString();
    }

    /** The directory of this build's captures, or null when the tests run in one JVM. */
    public static Path directory() {
        String directory = System.getProperty(DIRECTORY_PROPERTY);
        return directory == null || directory.isBlank() ? null : Path.of(directory);
    }

    /**
     * Appends what was captured since the last call to this JVM's log file, and rewrites its secrets file
     * (one secret per line, base64: a secret may hold a line break). Nothing without {@link #directory()}.
     */
    public static synchronized void save() {
        Path directory = directory();
        if (directory == null) {
            return;
        }
        long pid = ProcessHandle.current().pid();
        String text = CAPTURED.substring(Math.min(saved, CAPTURED.length()));
        List<String> secrets = SecretsLedger.all().stream()
                .map(secret -> Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))).sorted().toList();
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(pid + ".log"), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Files.write(directory.resolve(pid + ".secrets"), secrets, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the captured logs to " + directory, e);
        }
        saved += text.length();
    }

    private static PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            /**
             * A write is passed on whole: Surefire sends each write to the test JVM's System.out to Maven as one
             * event, so passing bytes one at a time (OutputStream's default) cost one event per byte.
             */
            @Override
            public synchronized void write(byte[] bytes, int offset, int length) {
                original.write(bytes, offset, length);
                int start = offset;
                for (int i = offset; i < offset + length; i++) {
                    if (bytes[i] == '\n') {
                        line.write(bytes, start, i + 1 - start);
                        CAPTURED.append(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(bytes, start, offset + length - start);
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
