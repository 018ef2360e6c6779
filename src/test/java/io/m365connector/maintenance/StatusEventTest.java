package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.testing.TestConnections;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A status change's event: one id per change, and the change's own time. */
class StatusEventTest {
    private static final Instant CHANGED = Instant.parse("2027-01-04T10:00:00.123456Z");
    private final Connection active = TestConnections.active(NationalCloud.GLOBAL, CHANGED.minusSeconds(3600), CHANGED.plusSeconds(3600));

    @Test
    void whenTheSameChangeIsSavedAfterAnotherWriterChangedThePreviousStatusThenItsEventHasTheSameId() {
        Connection disconnected = active.toBuilder().status(ConnectionStatus.DISCONNECTED).updatedAt(CHANGED).build();
        Connection markedMeanwhile = active.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).build();

        StatusEvent firstAttempt = StatusEvent.of(active, disconnected, CHANGED);
        StatusEvent saved = StatusEvent.of(markedMeanwhile, disconnected, CHANGED.plusMillis(40));

        assertEquals(firstAttempt.id(), saved.id());
        assertEquals("needs_reauth", saved.previousStatus(), "the body says what the saved change replaced");
        assertNotEquals(firstAttempt.id(), StatusEvent.of(active, disconnected.toBuilder().updatedAt(CHANGED.plusMillis(1)).build(),
                CHANGED).id(), "another change (another time) has another id");
    }

    @Test
    void whenTheEventIsSentLaterThanTheChangeThenItsOccurredAtIsTheChangesTime() {
        Connection marked = active.toBuilder().status(ConnectionStatus.NEEDS_REAUTH).updatedAt(CHANGED).build();

        assertEquals(CHANGED, StatusEvent.of(active, marked, CHANGED.plusSeconds(120)).occurredAt(), "a backstop delivered 2 minutes later");
    }
}
