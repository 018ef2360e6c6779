package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.ExecutionContext;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.platform.Json;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Unit test of the queue-trigger translation: the worker is a mock. */
class MaintenanceFunctionsTest {
    private final RefreshWorker worker = mock(RefreshWorker.class);
    private final MaintenanceFunctions functions = new MaintenanceFunctions(() -> null, () -> worker, () -> null, () -> null, () -> null);
    private final RefreshMessage message = new RefreshMessage("con_0123456789abcdef0123456789abcdef", Instant.parse("2026-11-23T12:00:00Z"));
    private final IllegalStateException failure = new IllegalStateException("boom");

    @Test
    void theLastAttemptIsHostJsonsMaxDequeueCount() throws Exception {
        JsonNode hostJson = Json.MAPPER.readTree(Path.of("host.json").toFile());
        Assertions.assertEquals(MaintenanceFunctions.MAX_DEQUEUE_COUNT,
                hostJson.path("extensions").path("queues").path("maxDequeueCount").asLong());
    }

    @Test
    void whenAMessageArrivesThenTheWorkerGetsItWithItsDequeueCountAndHostJsonsLimit() {
        functions.refreshWorker(message.toJson(), 3, mock(ExecutionContext.class));

        verify(worker).handle(message, 3, MaintenanceFunctions.MAX_DEQUEUE_COUNT);
    }

    @Test
    void whenTheWorkerFailsThenTheErrorGoesBackToTheHost() {
        doThrow(failure).when(worker).handle(message, MaintenanceFunctions.MAX_DEQUEUE_COUNT, MaintenanceFunctions.MAX_DEQUEUE_COUNT);

        assertSame(failure, assertThrows(IllegalStateException.class,
                () -> functions.refreshWorker(message.toJson(), MaintenanceFunctions.MAX_DEQUEUE_COUNT, mock(ExecutionContext.class))),
                "rethrown: the Functions host puts a message whose last attempt failed on the poison queue");
    }
}
