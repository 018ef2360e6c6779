package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.RequestValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The body of POST /connections/{id}/availability: whose free/busy (people and rooms, by e-mail
 * address), over which window, in slots of how many minutes, answered in which time zone.
 *
 * @param schedules       1 to {@value #MAX_SCHEDULES} addresses (Graph's getSchedule limit)
 * @param intervalMinutes the slot length of the availability views, {@value #MIN_INTERVAL}-{@value #MAX_INTERVAL} (default 30)
 */
public record AvailabilityRequest(List<String> schedules, Window window, int intervalMinutes) {
    /** getSchedule: "up to 20 entities at once" (distribution list members count one by one). */
    public static final int MAX_SCHEDULES = 20;
    public static final int MIN_INTERVAL = 5;
    public static final int MAX_INTERVAL = 1440;
    public static final int DEFAULT_INTERVAL = 30;
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final Set<String> FIELDS = Set.of("schedules", "start", "end", "timeZone", "intervalMinutes");

    public AvailabilityRequest {
        schedules = List.copyOf(schedules);
    }

    public static AvailabilityRequest parse(String body) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonFields json = new JsonFields(JsonFields.parseObject(body), "", errors);
        json.allowOnly(FIELDS);
        List<String> schedules = addresses(json, "schedules", MAX_SCHEDULES, true);
        Window window = Window.read(json);
        Integer interval = json.integer("intervalMinutes", MIN_INTERVAL, MAX_INTERVAL);
        errors.throwIfAny();
        return new AvailabilityRequest(schedules, window, interval == null ? DEFAULT_INTERVAL : interval);
    }

    /** Distinct e-mail addresses (strings or {address, name}) at {@code field}, at most {@code max}. */
    static List<String> addresses(JsonFields json, String field, int max, boolean required) {
        if (required && (json.raw(field) == null || json.raw(field).isNull())) { // an explicit null is a missing list too
            json.errors().add(field, "Required: at least one e-mail address.");
            return List.of();
        }
        List<String> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<JsonNode> items = json.array(field, max);
        for (int i = 0; i < items.size(); i++) {
            MailRecipient r = MailRecipient.one(items.get(i), field + "[" + i + "]", json.errors(), Set.of());
            if (r != null && !seen.add(r.address().toLowerCase(Locale.ROOT))) {
                json.errors().add(field + "[" + i + "]", "Listed twice.");
            } else if (r != null) {
                result.add(r.address());
            }
        }
        if (required && items.isEmpty() && json.raw(field).isArray()) {
            json.errors().add(field, "Give at least one e-mail address.");
        }
        return result;
    }
}
