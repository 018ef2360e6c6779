package io.m365connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.connect.ConnectService;
import io.m365connector.connection.Connection;
import io.m365connector.graph.GraphRetry;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.WebhookReplay;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.sync.ChangeFeed;
import io.m365connector.tokens.RefreshOutcomes;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numbers the README and the docs promise, each pinned to the constant that keeps it: a promise is a contract, so
 * changing the constant (or the text) fails here until both say the same. Each row: the value in the code, the value the
 * docs state, and where they state it (whitespace-insensitive). Package-private constants are read by reflection.
 */
class DocumentedNumbersTest {
    static Stream<Arguments> promises() throws ReflectiveOperationException {
        return Stream.of(
                Arguments.of(ChangeFeed.RETENTION, Duration.ofDays(8), "README.md", "kept 8 days"),
                Arguments.of(Connection.REMOVED_AFTER, Duration.ofDays(9), "README.md", "removed 9 days later"),
                Arguments.of(Connection.REMOVED_AFTER, ChangeFeed.RETENTION.plusDays(1), "docs/API.md",
                        "a day after its last changes left the feed"),
                Arguments.of(Idempotency.leaseFor(Duration.ofSeconds(30), GraphRetry.BUDGET), Duration.ofSeconds(140), "README.md",
                        "140 s by default"),
                Arguments.of(constant("io.m365connector.sync.SyncCapabilities", "POLL_INTERVAL"), Duration.ofMinutes(5), "README.md",
                        "polled every 5 minutes"),
                Arguments.of(constant("io.m365connector.sync.SyncCapabilities", "SAFETY_INTERVAL"), Duration.ofHours(1), "README.md",
                        "(at most an hour)"),
                Arguments.of(constant(NotificationWorker.class, "LONGEST_HELD"), Duration.ofHours(26), "docs/OPERATIONS.md",
                        "at most 26 hours after its first failed try"),
                Arguments.of(WebhookReplay.MOST_PER_CALL, 1000, "docs/OPERATIONS.md", "a call moves up to 1,000"),
                Arguments.of(StorageUnavailableException.RETRY_AFTER_SECONDS, 30, "docs/API.md", "`Retry-After: 30`"),
                Arguments.of(constant(ConnectService.class, "COMPLETION_LIFETIME"), Duration.ofMinutes(30), "docs/API.md",
                        "valid for 30 minutes"),
                Arguments.of(RefreshOutcomes.TOKENS_KEPT_AFTER_REAUTH, Duration.ofDays(1), "docs/OPERATIONS.md",
                        "a day after it became `needs_reauth`"),
                Arguments.of(constant("io.m365connector.sync.SyncService", "FEED_LEASE"), Duration.ofMinutes(5), "docs/SYNC.md",
                        "a lease of 5 minutes"),
                Arguments.of(constant("io.m365connector.sync.FeedWriter", "LEASE_MARGIN"), Duration.ofSeconds(30), "docs/SYNC.md",
                        "less than 30 s of it left"),
                Arguments.of(constant("io.m365connector.sync.RemovalCheck", "PER_PAGE"), 20, "docs/SYNC.md",
                        "a page of more than 20 removals"),
                Arguments.of((int) constant("io.m365connector.sync.RemovalCheck", "MOST_LISTED_PAGES")
                        * (int) constant("io.m365connector.sync.DeltaReader", "FOLDER_PAGE"), 20_000, "docs/SYNC.md",
                        "more than 20,000 messages"));
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("promises")
    void whenTheDocsStateANumberThenTheCodeKeepsIt(Object inCode, Object documented, String file, String phrase) throws IOException {
        assertEquals(documented, inCode, file + " promises \"" + phrase + "\": change the text with the constant");
        String text = Files.readString(Path.of(file)).replaceAll("\\s+", " ");
        assertTrue(text.contains(phrase), file + " no longer says \"" + phrase + "\"");
    }

    private static Object constant(Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(null);
    }

    private static Object constant(String type, String name) throws ReflectiveOperationException {
        return constant(Class.forName(type), name);
    }
}
