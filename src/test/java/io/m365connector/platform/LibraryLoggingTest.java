package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.LogRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * MSAL4J's and the Azure SDK's log lines reach java.util.logging, and the answers the connector
 * expects (a table created on first use, an Idempotency-Key taken, a refresh failure it classifies)
 * do not show up as SEVERE or WARNING.
 */
class LibraryLoggingTest {
    private static final String MAIL = "{\"to\":[\"x@fabrikam.com\"],\"subject\":\"s\",\"body\":\"b\"}";

    @Test
    void whenTheNormalPathMeetsExpectedStorageAndEntraAnswersThenLibrariesLogThemAtFineOnly() {
        List<LogRecord> records;
        try (LogRecorder recorder = new LogRecorder()) {
            try (ConnectorHarness harness = new ConnectorHarness()) { // new tables: the first calls find them missing
                ConnectorHarness.Connected c = harness.connect(NationalCloud.GLOBAL, "\"mail\"");
                String key = UUID.randomUUID().toString();
                assertEquals(202, harness.sendMail(c.connectionId(), key, MAIL).getStatusCode());
                assertEquals(202, harness.sendMail(c.connectionId(), key, MAIL).getStatusCode()); // a replay: one read
                TableAccess rows = new TableAccess(ContextParts.of(harness.context).tables().getTableClient(harness.tables.connections()));
                TableEntity row = new TableEntity("logging-test", UUID.randomUUID().toString());
                assertTrue(rows.insert(row).isPresent());
                assertTrue(rows.insert(row).isEmpty(), "the row exists: 409 inside, answered as 'already there'");
                QueueClient missing = harness.queue("not-yet-created"); // a queue used before it exists: 404 QueueNotFound inside
                assertThrows(QueueStorageException.class, () -> missing.sendMessage("x"));
                harness.entra.revokeRefreshTokens(c.user());
                refreshRefused(harness, c); // MSAL reports the refused refresh; the connector classifies it
            }
            records = recorder.records();
        }

        List<LogRecord> fromLibraries = records.stream().filter(r -> r.getLoggerName() != null
                && (r.getLoggerName().startsWith("com.azure.") || r.getLoggerName().startsWith("com.microsoft.aad.msal4j"))).toList();
        assertTrue(fromLibraries.stream().anyMatch(r -> String.valueOf(r.getMessage()).contains("TableNotFound")),
                "the SDK's lines arrive (not dropped for want of a binding)");
        assertTrue(fromLibraries.stream().anyMatch(r -> String.valueOf(r.getMessage()).contains("EntityAlreadyExists")));
        assertTrue(fromLibraries.stream().anyMatch(r -> String.valueOf(r.getMessage()).contains("QueueNotFound")));
        assertTrue(fromLibraries.stream().anyMatch(r -> String.valueOf(r.getMessage()).contains("AADSTS50173")), "MSAL's lines arrive");
        List<String> loud = fromLibraries.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + String.valueOf(r.getMessage()).lines().findFirst().orElse(""))
                .toList();
        assertTrue(loud.isEmpty(), "expected answers logged as warnings or errors: " + loud);
    }

    private static void refreshRefused(ConnectorHarness harness, ConnectorHarness.Connected c) {
        try {
            ContextParts.of(harness.context).broker().refreshNow(c.connectionId());
        } catch (ConnectorException expected) {
            assertEquals(ProblemCode.REAUTH_REQUIRED, expected.code());
            return;
        }
        throw new AssertionError("the revoked refresh token was accepted");
    }

    @Test
    void whenMsalsManagedIdentityClientReportsARefusedRequestThenItIsFineBecauseTheCredentialCheckLogsItOnce() {
        LibraryLogging.install();
        Logger logger = Logger.getLogger(LibraryLogging.MSAL_MANAGED_IDENTITY_LOGGER);
        List<LogRecord> seen = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            logger.log(Level.SEVERE, "[Managed Identity] request failed, HttpStatusCode: 400, Error message: No User Assigned identity");
            logger.log(Level.SEVERE, "[Managed Identity] something unexpected");
        } finally {
            logger.removeHandler(handler);
        }

        assertEquals(List.of(Level.FINE, Level.SEVERE), seen.stream().map(LogRecord::getLevel).toList());
    }
}
