package io.m365connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.LogCapture;
import io.m365connector.testing.SecretsLedger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fails if any secret the suite created or saw (tokens, codes, client secrets, keys, ciphertexts) appears in
 * anything logged: java.util.logging at every level (the app's own logs, MSAL4J, Azure SDK) and stdout/stderr.
 *
 * <p>{@code mvn verify} runs the other test classes in several JVMs at once and this class after them, in a
 * Surefire execution of its own (pom.xml, {@code log-leak}, which alone runs the tag): it reads what every JVM of the build saved
 * ({@link LogCapture#save()}). Run in one JVM with the others (an IDE), it runs last (class order by @Order)
 * and reads that JVM's capture.
 */
@Order(Integer.MAX_VALUE)
@Tag("log-leak")
class LogLeakTest {
    /** Secrets are at least this long ({@link SecretsLedger#remember(String)}). */
    private static final int PREFIX = 8;
    private static final long BASE = 1_000_003;

    @Test
    void whenTheSuiteHasRunThenNoSecretAppearsInAnyLogOutput() throws IOException {
        Map<String, String> logs = new TreeMap<>();
        Set<String> secrets = new HashSet<>(SecretsLedger.all());
        Path directory = LogCapture.directory();
        if (directory == null) {
            Path file = Path.of("target", "captured-logs.txt");
            String captured = LogCapture.captured(); // tens of megabytes after a whole suite: copied once
            Files.writeString(file, captured); // only for reading after a failure
            logs.put(file.toString(), captured);
        } else {
            readSaved(directory, logs, secrets);
            removeEarlierBuilds(directory);
        }
        long logged = logs.values().stream().mapToLong(String::length).sum();
        assertTrue(logged > 1000, "log capture saw almost nothing (" + logs.keySet() + "): is LogCaptureExtension registered?");
        assertTrue(secrets.size() >= 10, "too few secrets were recorded to make this test meaningful");
        List<String> leaked = new ArrayList<>();
        logs.forEach((file, text) -> findAll(text, secrets).forEach((secret, at) -> leaked.add(
                secret.substring(0, 4) + "... (" + secret.length() + " chars) at offset " + at + " of " + file)));
        assertTrue(leaked.isEmpty(), "secrets found in logs: " + leaked);
    }

    /** Every test JVM's log file and the secrets each of them saw. */
    private static void readSaved(Path directory, Map<String, String> logs, Set<String> secrets) throws IOException {
        assertTrue(Files.isDirectory(directory), "no test JVM saved its capture in " + directory);
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".log")) {
                    logs.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
                } else if (name.endsWith(".secrets")) {
                    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                        secrets.add(new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    /** The captures of earlier builds in the same target directory (tens of megabytes each), once this one is read. */
    private static void removeEarlierBuilds(Path directory) throws IOException {
        try (Stream<Path> builds = Files.list(directory.toAbsolutePath().getParent())) {
            for (Path build : builds.filter(b -> !b.getFileName().equals(directory.getFileName())).toList()) {
                try (Stream<Path> files = Files.walk(build)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    @Test
    void whenSecretsAreSearchedThenEveryOccurrenceIsFoundWhereverItStarts() {
        String logs = "abc token-one-12345 x token-two-67890token-one-12345";
        Map<String, Integer> found = findAll(logs, Set.of("token-one-12345", "token-two-67890", "token-three-000", "abc token"));
        assertEquals(Map.of("token-one-12345", 4, "token-two-67890", 22, "abc token", 0), found);
    }

    /**
     * The first offset of each secret found in the logs, in one pass: the logs of the whole suite are
     * tens of megabytes and the secrets thousands, so one indexOf per secret would take minutes. Each
     * log position's next {@link #PREFIX} characters are hashed (rolling) and looked up among the
     * secrets' prefixes; a hit is confirmed by comparing the whole secret.
     */
    static Map<String, Integer> findAll(String logs, Set<String> secrets) {
        Map<Long, List<String>> byPrefix = new HashMap<>();
        for (String secret : secrets) {
            byPrefix.computeIfAbsent(hash(secret, 0), k -> new ArrayList<>()).add(secret);
        }
        Map<String, Integer> found = new TreeMap<>();
        long power = 1;
        for (int i = 1; i < PREFIX; i++) {
            power *= BASE;
        }
        long rolling = logs.length() >= PREFIX ? hash(logs, 0) : 0;
        for (int at = 0; at + PREFIX <= logs.length(); at++) {
            if (at > 0) {
                rolling = (rolling - logs.charAt(at - 1) * power) * BASE + logs.charAt(at + PREFIX - 1);
            }
            List<String> candidates = byPrefix.get(rolling);
            if (candidates != null) {
                for (Iterator<String> it = candidates.iterator(); it.hasNext(); ) {
                    String secret = it.next();
                    if (logs.startsWith(secret, at)) {
                        found.put(secret, at);
                        it.remove(); // its first offset is known
                    }
                }
            }
        }
        return found;
    }

    private static long hash(String text, int from) {
        long h = 0;
        for (int i = from; i < from + PREFIX; i++) {
            h = h * BASE + text.charAt(i);
        }
        return h;
    }
}
