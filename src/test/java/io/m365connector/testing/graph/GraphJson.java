package io.m365connector.testing.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON as Graph reads it: property names are case-insensitive (the Java SDK sends action parameters
 * as {@code Message}, {@code SaveToSentItems}, {@code Comment}), so bodies are rewritten to Graph's
 * camelCase names before the fake looks at them. Names the fake does not know are kept as given.
 */
final class GraphJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Map<String, String> CANONICAL = new HashMap<>();

    static {
        for (String name : List.of(
                // action parameters
                "message", "saveToSentItems", "comment", "attachmentItem",
                // message
                "id", "subject", "body", "bodyPreview", "uniqueBody", "importance", "toRecipients", "ccRecipients", "bccRecipients",
                "replyTo", "from", "sender", "attachments", "hasAttachments", "isDraft", "isRead", "isReadReceiptRequested",
                "isDeliveryReceiptRequested", "internetMessageId", "internetMessageHeaders", "categories", "flag", "flagStatus",
                "conversationId", "conversationIndex", "createdDateTime", "lastModifiedDateTime", "sentDateTime", "receivedDateTime",
                "parentFolderId", "webLink", "inferenceClassification", "changeKey", "singleValueExtendedProperties",
                "multiValueExtendedProperties", "mentionsPreview",
                // recipient, email address, item body, headers, extended properties
                "emailAddress", "address", "name", "contentType", "content", "value",
                // attachments and upload sessions
                "contentBytes", "contentId", "contentLocation", "isInline", "size", "attachmentType", "item", "uploadUrl",
                "expirationDateTime", "nextExpectedRanges",
                // event
                "start", "end", "dateTime", "timeZone", "location", "locations", "displayName", "locationType", "locationUri",
                "locationEmailAddress", "uniqueId", "uniqueIdType", "street", "city", "state", "countryOrRegion", "postalCode",
                "coordinates", "attendees", "type", "status", "response", "time", "proposedNewTime", "isOnlineMeeting",
                "onlineMeetingProvider", "onlineMeeting", "onlineMeetingUrl", "joinUrl", "conferenceId", "tollNumber",
                "tollFreeNumbers", "quickDial", "phones", "number", "organizer", "isOrganizer", "isAllDay", "isCancelled", "showAs",
                "sensitivity", "reminderMinutesBeforeStart", "isReminderOn", "responseRequested", "allowNewTimeProposals",
                "hideAttendees", "transactionId", "iCalUId", "seriesMasterId", "recurrence", "pattern", "range", "interval", "month",
                "dayOfMonth", "daysOfWeek", "firstDayOfWeek", "index", "startDate", "endDate", "recurrenceTimeZone",
                "numberOfOccurrences", "responseStatus", "originalStartTimeZone", "originalEndTimeZone", "originalStart",
                "calendar", "owner", "canEdit", "canShare", "isDefaultCalendar",
                // subscription
                "changeType", "notificationUrl", "lifecycleNotificationUrl", "resource", "clientState", "includeResourceData",
                "latestSupportedTlsVersion", "notificationQueryOptions", "encryptionCertificate", "encryptionCertificateId",
                "applicationId", "creatorId", "notificationUrlAppId",
                // getSchedule and findMeetingTimes
                "schedules", "startTime", "endTime", "availabilityViewInterval", "locationConstraint", "isRequired", "suggestLocation",
                "resolveAvailability", "timeConstraint", "activityDomain", "timeSlots", "meetingDuration", "maxCandidates",
                "minimumAttendeePercentage", "isOrganizerOptional", "returnSuggestionReasons")) {
            CANONICAL.put(name.toLowerCase(Locale.ROOT), name);
        }
    }

    private GraphJson() {
    }

    /**
     * Parses a request body; null when it is not JSON, a missing node when it is empty. Read from one character buffer:
     * Jackson reads a longer String in 4,000-character chunks, slowly for megabytes of base64.
     */
    static JsonNode parse(String text) {
        try (JsonParser parser = MAPPER.getFactory().createParser(text.toCharArray())) {
            JsonNode json = MAPPER.readTree(parser);
            return json == null ? MissingNode.getInstance() : json;
        } catch (IOException e) {
            return null;
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** A copy with every known property name (at every depth) in Graph's camelCase. */
    static JsonNode canonical(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode out = object();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                out.set(canonicalName(e.getKey()), canonical(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = array();
            node.forEach(item -> out.add(canonical(item)));
            return out;
        }
        return node.deepCopy();
    }

    static String canonicalName(String name) {
        if (name.startsWith("@")) {
            return name.toLowerCase(Locale.ROOT).startsWith("@odata.") ? "@odata." + name.substring(7) : name;
        }
        return CANONICAL.getOrDefault(name.toLowerCase(Locale.ROOT), name);
    }

    /** A text property, or null when absent, null or not text. */
    static String text(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
    }

    /** The {@code emailAddress.address} of a recipient object, or null. */
    static String address(JsonNode recipient) {
        return recipient == null ? null : text(recipient.get("emailAddress"), "address");
    }

    /** The addresses of a recipient collection (to, cc, bcc). */
    static List<String> addresses(JsonNode message, String collection) {
        List<String> result = new ArrayList<>();
        JsonNode list = message.get(collection);
        if (list != null && list.isArray()) {
            list.forEach(r -> result.add(address(r)));
        }
        return result;
    }

    static ObjectNode recipient(String address, String name) {
        ObjectNode email = object();
        email.put("name", name);
        email.put("address", address);
        ObjectNode recipient = object();
        recipient.set("emailAddress", email);
        return recipient;
    }
}
