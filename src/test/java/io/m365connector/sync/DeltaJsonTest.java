package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.OutlookItem;
import com.microsoft.graph.models.Subscription;
import com.microsoft.kiota.serialization.JsonParseNode;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.TimeZones;
import io.m365connector.platform.Json;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sync reads Graph's delta pages and writes its subscriptions as JSON (DeltaReader, SubscriptionManager), not through the
 * SDK's models, whose {@code Entity} base costs a cold worker ~1,100 class loads (GraphJsonRequests). Each page must read as
 * the SDK's models read it and each body must be what the SDK's model would send: compared here on answers modelled on
 * Learn's examples (message: delta, event: delta, the delta query overview's {@code @removed}, subscription: create) with
 * the variations a page can have. The SDK-model code is what sync ran until this change, kept here as the reference.
 */
class DeltaJsonTest {
    private static final String INBOX_PAGE = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#Collection(message)\","
            + "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$skiptoken=GwcBoTmPuoTQWfcsAbkYM\","
            + "\"value\":["
            + "{\"@odata.type\":\"#microsoft.graph.message\",\"@odata.etag\":\"W/\\\"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAAAAAH+\\\"\","
            + "\"subject\":\"Holiday Promotion Sale ✓\",\"receivedDateTime\":\"2016-12-20T19:43:22Z\",\"changeKey\":\"CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAAAAAH+\","
            + "\"id\":\"AAMkADNkNAAASq35xAAA=\",\"from\":{\"emailAddress\":{\"name\":\"Contoso\",\"address\":\"sales@contoso.com\"}}},"
            + "{\"@odata.type\":\"#microsoft.graph.eventMessageRequest\",\"id\":\"AAMkADNkNAAASq36xAAA=\",\"changeKey\":\"CQAAAB2\","
            + "\"subject\":\"Interview\",\"receivedDateTime\":\"2016-12-20T19:43:22.1234567\",\"from\":{\"emailAddress\":null}},"
            + "{\"id\":\"AAMkADNkNAAASq37xAAA=\",\"changeKey\":null,\"subject\":null,\"receivedDateTime\":\"2016-12-20T20:43:22+01:00\",\"from\":null},"
            + "{\"id\":\"AAMkADNkNAAASq38xAAA=\"},"
            + "{\"@odata.type\":\"#microsoft.graph.message\",\"id\":\"AAMkADNkNAAASq39xAAA=\",\"@removed\":{\"reason\":\"deleted\"}},"
            + "{\"id\":\"AAMkADNkNAAASq40xAAA=\",\"@removed\":{\"reason\":\"changed\"},\"subject\":\"moved\"}]}";

    private static final String CALENDAR_PAGE = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#Collection(event)\","
            + "\"@odata.deltaLink\":\"https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4\","
            + "\"value\":["
            + "{\"@odata.type\":\"#microsoft.graph.event\",\"@odata.etag\":\"W/\\\"EZ9r3czxY0m2jz8c45czkwAAFXcvIw==\\\"\","
            + "\"subject\":\"Plan summer company picnic\",\"changeKey\":\"EZ9r3czxY0m2jz8c45czkwAAFXcvIw==\",\"id\":\"AAMkADNkNAAAgEMAAAA=\","
            + "\"start\":{\"dateTime\":\"2016-12-25T16:00:00.0000000\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2016-12-25T17:00:00.0000000\",\"timeZone\":\"UTC\"}},"
            + "{\"id\":\"AAMkE2=\",\"subject\":null,\"start\":null,\"end\":{\"timeZone\":\"UTC\"}},"
            + "{\"id\":\"AAMkE3=\",\"start\":{\"dateTime\":null}},"
            + "{\"id\":\"AAMkE5=\",\"subject\":\"in its own zone\",\"isAllDay\":false,"
            + "\"start\":{\"dateTime\":\"2027-03-01T09:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2027-03-01T10:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"}},"
            + "{\"id\":\"AAMkE6=\",\"subject\":\"offsite\",\"isAllDay\":true,"
            + "\"start\":{\"dateTime\":\"2027-03-02T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2027-03-03T00:00:00.0000000\",\"timeZone\":\"UTC\"}},"
            + "{\"id\":\"AAMkE4=\",\"@removed\":{\"reason\":\"deleted\"}}]}";

    private static final SyncTarget INBOX = SyncTarget.own(SyncResource.INBOX);
    private static final SyncTarget CALENDAR = SyncTarget.own(SyncResource.CALENDAR);

    @Test
    void whenAnInboxDeltaPageIsReadThenEachItemReadsAsTheGraphSdkReadIt() {
        DeltaPage expected = sdkInbox(INBOX_PAGE);
        DeltaPage actual = DeltaReader.page(INBOX, json(INBOX_PAGE));
        assertEquals(expected, actual);
        assertEquals(6, actual.items().size());
        assertEquals(List.of(false, false, false, false, true, true), actual.items().stream().map(DeltaPage.Item::removed).toList());
        assertEquals("2016-12-20T19:43:22.123456700Z", actual.items().get(1).summary().receivedAt(), "a time without an offset is UTC");
    }

    @Test
    void whenACalendarDeltaPageIsReadThenEachItemReadsAsTheGraphSdkReadIt() {
        DeltaPage expected = sdkCalendar(CALENDAR_PAGE);
        DeltaPage actual = DeltaReader.page(CALENDAR, json(CALENDAR_PAGE));
        assertEquals(expected, actual);
        assertEquals("https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4", actual.deltaLink());
        assertEquals("2016-12-25T16:00:00Z", actual.items().get(0).summary().start(), "a UTC instant, as the feed promises");
        assertEquals("2027-03-01T17:00:00Z", actual.items().get(3).summary().start(), "a time in another zone Graph names, converted");
        assertEquals("2027-03-01T18:00:00Z", actual.items().get(3).summary().end());
        assertEquals(true, actual.items().get(4).summary().isAllDay());
        assertEquals("{\"subject\":\"offsite\",\"start\":\"2027-03-02T00:00:00Z\",\"end\":\"2027-03-03T00:00:00Z\",\"isAllDay\":true}",
                Json.write(actual.items().get(4).summary()), "the feed's JSON of an event's summary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"value\":[]}", "{\"@odata.deltaLink\":\"https://graph.microsoft.com/v1.0/me/x?$deltatoken=a\"}",
            "{\"value\":[{\"id\":\"a\",\"@removed\":null}]}", "{\"value\":[{\"id\":\"a\",\"@removed\":{}}]}", "{\"value\":[{}]}", "{}"})
    void whenAPageHasNoItemsOrOddOnesThenItReadsAsTheGraphSdkReadIt(String page) {
        assertEquals(sdkInbox(page), DeltaReader.page(INBOX, json(page)), page);
        assertEquals(sdkCalendar(page), DeltaReader.page(CALENDAR, json(page)), page);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"value\":[]}", "{}", "[]", "\"text\"", "{\"value\":[{\"subject\":\"no id\"}],\"@odata.deltaLink\":\"https://x/y\"}",
            "{\"value\":[null],\"@odata.nextLink\":\"https://x/y\"}"})
    void whenAnAnswerIsNotADeltaPageARunCanGoOnFromThenItIsRefusedInsideTheCall(String answer) {
        UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> DeltaReader.read(INBOX, json(answer)), answer);
        assertTrue(refused.getMessage().contains("Microsoft Graph's delta"), refused.getMessage());
        assertThrows(UncheckedIOException.class, () -> DeltaReader.read(CALENDAR, json(answer)), answer);
    }

    @Test
    void whenThereIsNoAnswerOrAPageWithALinkThenOnlyThePageIsTaken() {
        assertThrows(UncheckedIOException.class, () -> DeltaReader.read(INBOX, null));
        assertEquals(DeltaReader.page(INBOX, json(INBOX_PAGE)), DeltaReader.read(INBOX, json(INBOX_PAGE)));
        assertEquals(DeltaReader.page(CALENDAR, json(CALENDAR_PAGE)), DeltaReader.read(CALENDAR, json(CALENDAR_PAGE)));
    }

    @Test
    void whenASubscriptionIsCreatedOrRenewedThenTheBodyIsWhatTheGraphSdkModelWouldSend() throws Exception {
        Instant expires = Instant.parse("2026-12-09T10:11:12.345Z");
        for (String lifecycle : new String[] {"https://app.contoso.com/api/graph/lifecycle", null}) {
            Subscription wanted = new Subscription();
            wanted.setChangeType("created,updated,deleted");
            wanted.setResource("me/mailFolders('inbox')/messages");
            wanted.setNotificationUrl("https://app.contoso.com/api/graph/notifications");
            wanted.setLifecycleNotificationUrl(lifecycle);
            wanted.setExpirationDateTime(expires.atOffset(ZoneOffset.UTC));
            wanted.setClientState("c2VjcmV0");
            assertEquals(Json.MAPPER.readTree(sdk(wanted)), Json.MAPPER.readTree(SubscriptionManager.subscription("me/mailFolders('inbox')/messages",
                    "https://app.contoso.com/api/graph/notifications", lifecycle, expires, "c2VjcmV0")));
        }
        for (Instant when : List.of(expires, Instant.parse("2026-12-09T10:11:00Z"), Instant.parse("2026-12-09T10:11:12.000000001Z"))) {
            Subscription change = new Subscription();
            change.setExpirationDateTime(when.atOffset(ZoneOffset.UTC));
            assertEquals(sdk(change), new String(SubscriptionManager.renewal(when), StandardCharsets.UTF_8), "the same text, to the digit");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":\"7f105c7d\",\"resource\":\"me/mailFolders('Inbox')/messages\",\"changeType\":\"created,updated,deleted\","
            + "\"expirationDateTime\":\"2016-11-20T18:23:45.9356913Z\",\"clientState\":\"secretClientValue\"}",
            "{\"id\":\"7f105c7e\",\"expirationDateTime\":\"2016-11-20T18:23:45.9356913\"}", "{\"id\":\"7f105c7f\",\"expirationDateTime\":null}",
            "{\"id\":\"7f105c80\",\"expirationDateTime\":\"2016-11-20T19:23:45+01:00\"}"})
    void whenGraphAnswersWithASubscriptionThenItsExpiryReadsAsTheGraphSdkReadIt(String answer) {
        Subscription sdk = parse(answer).getObjectValue(Subscription::createFromDiscriminatorValue);
        assertEquals(sdk.getExpirationDateTime() == null ? null : sdk.getExpirationDateTime().toInstant(),
                GraphValues.time(json(answer), "expirationDateTime") == null ? null : GraphValues.time(json(answer), "expirationDateTime").toInstant());
        assertEquals(sdk.getId(), GraphValues.text(json(answer), "id"));
    }

    private static String sdk(Subscription model) throws Exception {
        JsonSerializationWriter writer = new JsonSerializationWriter(); // what the SDK's adapter uses for application/json
        writer.writeObjectValue(null, model);
        return new String(writer.getSerializedContent().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** As production reads answers (GraphJsonRequests: Json.MAPPER). */
    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonParseNode parse(String json) {
        return new JsonParseNode(JsonParser.parseString(json));
    }

    // What DeltaReader built from the SDK's models until this change (the reference).

    private static DeltaPage sdkInbox(String json) {
        var page = parse(json).getObjectValue(com.microsoft.graph.users.item.mailfolders.item.messages.delta.DeltaGetResponse::createFromDiscriminatorValue);
        return messages(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
    }

    private static DeltaPage sdkCalendar(String json) {
        var page = parse(json).getObjectValue(com.microsoft.graph.users.item.calendarview.delta.DeltaGetResponse::createFromDiscriminatorValue);
        return events(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
    }

    private static DeltaPage messages(List<Message> items, String next, String delta) {
        return new DeltaPage(items == null ? List.of() : items.stream().map(m -> item(m, Change.Summary.message(m.getSubject(),
                m.getFrom() == null || m.getFrom().getEmailAddress() == null ? null : m.getFrom().getEmailAddress().getAddress(),
                m.getReceivedDateTime() == null ? null : m.getReceivedDateTime().toInstant().toString(),
                m.getToRecipients() == null ? null : m.getToRecipients().stream().map(r -> r.getEmailAddress() == null ? null
                        : r.getEmailAddress().getAddress()).toList()))).toList(), next, delta);
    }

    private static DeltaPage events(List<Event> items, String next, String delta) {
        return new DeltaPage(items == null ? List.of() : items.stream().map(e -> item(e, Change.Summary.event(e.getSubject(), utc(e.getStart()), utc(e.getEnd()),
                e.getIsAllDay()))).toList(), next, delta);
    }

    /** The SDK's dateTimeTimeZone as the instant it names (the zone by the JDK's or Windows' name), as the feed gives it. */
    private static String utc(DateTimeTimeZone time) {
        if (time == null || time.getDateTime() == null) {
            return null;
        }
        ZoneId zone = time.getTimeZone() == null ? ZoneOffset.UTC : TimeZones.resolve(time.getTimeZone()).orElseThrow();
        return LocalDateTime.parse(time.getDateTime()).atZone(zone).toInstant().toString();
    }

    private static DeltaPage.Item item(OutlookItem item, Change.Summary summary) {
        Map<String, Object> extra = item.getAdditionalData();
        boolean removed = extra != null && extra.containsKey("@removed");
        return new DeltaPage.Item(item.getId(), item.getChangeKey(), removed, removed ? null : summary);
    }
}
