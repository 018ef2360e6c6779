package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.idempotency.IdempotencyRecord;
import io.m365connector.idempotency.TableIdempotencyStore;
import io.m365connector.platform.Secrets;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import java.util.Base64;

/**
 * The actions both matrices ({@link GraphFailureMatrixTest}, {@link CrashMatrixTest}) run, how each is called, and what
 * each leaves at the fake Graph: one place, so both matrices drive the same requests and count effects the same way.
 */
enum MatrixAction {
    MAIL, MAIL_WITH_ATTACHMENTS, MAIL_WITHOUT_SENT_ITEMS, EVENT_CREATE, EVENT_UPDATE, EVENT_CANCEL, EVENT_DELETE;

    /** Two small attachments that do not both fit in the draft (one is added by POST) and one for an upload session. */
    static final String ATTACHMENTS = "[" + attachment("small.bin", 1_000_000) + "," + attachment("medium.bin", 2_000_000) + ","
            + attachment("large.bin", 3_000_000) + "]";
    static final int ATTACHMENT_COUNT = 3;

    boolean mail() {
        return this == MAIL || this == MAIL_WITH_ATTACHMENTS || this == MAIL_WITHOUT_SENT_ITEMS;
    }

    /** Update, cancel and delete act on an event made beforehand. */
    boolean needsEvent() {
        return this == EVENT_UPDATE || this == EVENT_CANCEL || this == EVENT_DELETE;
    }

    /** The caller's request; {@code key} null sends none, {@code eventId} is the prepared event's. */
    FakeHttpResponse call(ConnectorHarness.Instance instance, ConnectorHarness.Connected user, String key, String subject, String eventId) {
        String id = user.connectionId();
        return switch (this) {
            case MAIL -> instance.sendMail(id, key, mail(subject, ""));
            case MAIL_WITH_ATTACHMENTS -> instance.sendMail(id, key, mail(subject, ",\"attachments\":" + ATTACHMENTS));
            case MAIL_WITHOUT_SENT_ITEMS -> instance.sendMail(id, key, mail(subject, ",\"saveToSentItems\":false"));
            case EVENT_CREATE -> instance.createEvent(id, key, event(subject, ""));
            case EVENT_UPDATE -> instance.updateEvent(id, key, eventId, "{\"subject\":\"" + movedSubject(subject) + "\"}");
            case EVENT_CANCEL -> instance.cancelEvent(id, key, eventId, "comment=Cancelled");
            case EVENT_DELETE -> instance.cancelEvent(id, key, eventId, null);
        };
    }

    /** For update, cancel and delete: the event they act on, created without a fault (null for the others). */
    String prepareEvent(ConnectorHarness harness, ConnectorHarness.Connected user, String subject) {
        if (!needsEvent()) {
            return null;
        }
        String attendees = this == EVENT_CANCEL ? ",\"attendees\":[{\"address\":\"candidate@fabrikam.com\"}]" : "";
        FakeHttpResponse created = harness.createEvent(user.connectionId(), null, event(subject, attendees));
        assertEquals(201, created.getStatusCode(), created.bodyText());
        return ConnectorHarness.json(created.bodyText()).get("eventId").asText();
    }

    static String movedSubject(String subject) {
        return subject + " (moved)";
    }

    static long delivered(ConnectorHarness harness, String upn, String subject) {
        return harness.graph.sentMail(upn).stream().filter(m -> m.message().path("subject").asText().equals(subject)).count();
    }

    static long drafts(ConnectorHarness harness, String upn, String subject) {
        return harness.graph.drafts(upn).stream().filter(d -> d.path("subject").asText().equals(subject)).count();
    }

    static long events(ConnectorHarness harness, String upn, String subject) {
        return harness.graph.events(upn).stream().filter(e -> e.path("subject").asText().equals(subject)).count();
    }

    static long cancellations(ConnectorHarness harness, String upn, String eventId) {
        return harness.graph.cancellations(upn).stream().filter(c -> c.path("eventId").asText().equals(eventId)).count();
    }

    /** How many attachments the sent mail with this subject carries. */
    static int attachmentsSent(ConnectorHarness harness, String upn, String subject) {
        JsonNode mail = harness.graph.sentMail(upn).stream().map(m -> m.message()).filter(m -> m.path("subject").asText().equals(subject))
                .findFirst().orElseThrow();
        return mail.path("attachments").size();
    }

    /** The key's record is completed, or its lease has run out so that a retry may take it over. */
    static void assertRecordSettled(ConnectorHarness harness, String connectionId, String key) {
        TableIdempotencyStore store = new TableIdempotencyStore(ContextParts.of(harness.context).tables().getTableClient(harness.tables.idempotency()));
        IdempotencyRecord record = store.find(connectionId, Secrets.sha256(key)).orElseThrow();
        assertTrue(record.state() == IdempotencyRecord.State.COMPLETED || !record.leaseUntil().isAfter(harness.clock.instant()),
                "the record is completed or released for a retry: " + record);
    }

    private static String mail(String subject, String extra) {
        return "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"" + subject + "\",\"body\":\"Hello\"" + extra + "}";
    }

    private static String event(String subject, String extra) {
        return "{\"subject\":\"" + subject + "\",\"start\":{\"dateTime\":\"2027-03-01T10:00:00\",\"timeZone\":\"UTC\"},"
                + "\"end\":{\"dateTime\":\"2027-03-01T11:00:00\",\"timeZone\":\"UTC\"}" + extra + "}";
    }

    private static String attachment(String name, int size) {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31);
        }
        return "{\"name\":\"" + name + "\",\"contentType\":\"application/octet-stream\",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(content) + "\"}";
    }
}
