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
import io.m365connector.testing.graph.FakeRoom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The actions both matrices ({@link GraphFailureMatrixTest}, {@link CrashMatrixTest}) run, how each is called, and what
 * each leaves at the fake Graph: one place, so both matrices drive the same requests and count effects the same way.
 */
enum MatrixAction {
    /** A plain mail kept in Sent Items: one sendMail, tagged to be found there. */
    MAIL,
    /** Files more than one request carries: through a draft (one file added by its own POST). */
    MAIL_VIA_DRAFT,
    MAIL_WITH_ATTACHMENTS, MAIL_WITHOUT_SENT_ITEMS, EVENT_CREATE, EVENT_UPDATE, EVENT_UPDATE_ATTENDEES, EVENT_CANCEL, EVENT_DELETE;

    /** Two small attachments that do not both fit in the draft (one is added by POST) and one for an upload session. */
    static final String ATTACHMENTS = "[" + attachment("small.bin", 1_000_000) + "," + attachment("medium.bin", 2_000_000) + ","
            + attachment("large.bin", 3_000_000) + "]";
    static final int ATTACHMENT_COUNT = 3;
    /** Two files of 1.5 MB: together over the 2.9 MB one request carries, each small enough for a POST of its own. */
    static final String DRAFTED_ATTACHMENTS = "[" + attachment("one.bin", 1_500_000) + "," + attachment("two.bin", 1_500_000) + "]";
    /** The person an attendees-only update adds beside the prepared event's candidate (and its room). */
    static final String ADDED_ATTENDEE = "panel@contoso.com";

    boolean mail() {
        return this == MAIL || this == MAIL_VIA_DRAFT || this == MAIL_WITH_ATTACHMENTS || this == MAIL_WITHOUT_SENT_ITEMS;
    }

    /** Update, cancel and delete act on an event made beforehand. */
    boolean needsEvent() {
        return this == EVENT_UPDATE || this == EVENT_UPDATE_ATTENDEES || this == EVENT_CANCEL || this == EVENT_DELETE;
    }

    /** The caller's request; {@code key} null sends none, {@code eventId} is the prepared event's. */
    FakeHttpResponse call(ConnectorHarness.Instance instance, ConnectorHarness.Connected user, String key, String subject, String eventId) {
        String id = user.connectionId();
        return switch (this) {
            case MAIL -> instance.sendMail(id, key, mail(subject, ""));
            case MAIL_VIA_DRAFT -> instance.sendMail(id, key, mail(subject, ",\"attachments\":" + DRAFTED_ATTACHMENTS));
            case MAIL_WITH_ATTACHMENTS -> instance.sendMail(id, key, mail(subject, ",\"attachments\":" + ATTACHMENTS));
            case MAIL_WITHOUT_SENT_ITEMS -> instance.sendMail(id, key, mail(subject, ",\"saveToSentItems\":false"));
            case EVENT_CREATE -> instance.createEvent(id, key, event(subject, ""));
            case EVENT_UPDATE -> instance.updateEvent(id, key, eventId, "{\"subject\":\"" + movedSubject(subject) + "\"}");
            // attendees without rooms: the connector reads the event's resource attendees first and keeps them
            case EVENT_UPDATE_ATTENDEES -> instance.updateEvent(id, key, eventId, "{\"attendees\":[\"candidate@fabrikam.com\",\""
                    + ADDED_ATTENDEE + "\"]}");
            case EVENT_CANCEL -> instance.cancelEvent(id, key, eventId, "comment=Cancelled");
            case EVENT_DELETE -> instance.cancelEvent(id, key, eventId, null);
        };
    }

    /** For update, cancel and delete: the event they act on, created without a fault (null for the others). */
    String prepareEvent(ConnectorHarness harness, ConnectorHarness.Connected user, String subject) {
        if (!needsEvent()) {
            return null;
        }
        String attendees = switch (this) {
            case EVENT_CANCEL -> ",\"attendees\":[{\"address\":\"candidate@fabrikam.com\"}]";
            case EVENT_UPDATE_ATTENDEES -> ",\"attendees\":[\"candidate@fabrikam.com\"],\"rooms\":[\"" + freeRoom(harness, user) + "\"]";
            default -> "";
        };
        FakeHttpResponse created = harness.createEvent(user.connectionId(), null, event(subject, attendees));
        assertEquals(201, created.getStatusCode(), created.bodyText());
        return ConnectorHarness.json(created.bodyText()).get("eventId").asText();
    }

    /** A room of its own for each prepared event (all are at the same hour: a shared room would decline the second). */
    private static String freeRoom(ConnectorHarness harness, ConnectorHarness.Connected user) {
        String address = "room-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
        harness.graph.scheduling().addRoom(user.user().tenantId(), FakeRoom.of(address, address, 8, "HQ"));
        return address;
    }

    /** The attendees of the event with this subject, by address, with their type ({@code required}, {@code resource}, ...). */
    static Map<String, String> attendees(ConnectorHarness harness, String upn, String subject) {
        Map<String, String> byAddress = new TreeMap<>();
        harness.graph.events(upn).stream().filter(e -> e.path("subject").asText().equals(subject)).forEach(e -> e.path("attendees")
                .forEach(a -> byAddress.put(a.path("emailAddress").path("address").asText(), a.path("type").asText().toLowerCase())));
        return byAddress;
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
