package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The calendar view over {@link FakeGraph}'s events (single events; recurrences are not modelled):
 * {@code GET .../calendarView?startDateTime&endDateTime} and the entries of a calendarView delta round.
 * Called with the fake's lock held.
 *
 * <p>Modelled from List calendarView (https://learn.microsoft.com/en-us/graph/api/user-list-calendarview?view=graph-rest-1.0):
 * both parameters are required (400 ErrorInvalidParameter without), a value without offset is UTC, times in
 * the answer are in the {@code Prefer: outlook.timezone} zone, UTC without. Paging as for messages ($top
 * default 10, {@code @odata.nextLink} with $skip): <b>inferred</b>, as is the order (by start). Windows over
 * 1,825 days answer 400 ErrorInvalidRequest, as reported in microsoft-graph-docs-contrib#6321 (undocumented).
 */
final class CalendarReads {
    static final String EVENT_TYPE = "#microsoft.graph.event";
    private static final Duration MAX_WINDOW = Duration.ofDays(1825);
    private static final Set<String> VIEW_PARAMS = Set.of("startdatetime", "enddatetime", "$top", "$skip", "$select", "$orderby");

    /** A requested window, or the error to answer. */
    record Window(Instant start, Instant end, SyncAnswer error) {
    }

    private final Function<String, List<JsonNode>> calendarOf;

    CalendarReads(Function<String, List<JsonNode>> calendarOf) {
        this.calendarOf = calendarOf;
    }

    SyncAnswer calendarView(SyncRequest r) {
        for (String name : r.params().keySet()) {
            if (!VIEW_PARAMS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                return SyncAnswer.notImplemented(name + " on calendarView");
            }
        }
        String orderBy = r.param("$orderby");
        if (orderBy != null && !orderBy.replace(" asc", "").equals("start/dateTime")) {
            return SyncAnswer.notImplemented("$orderby=" + orderBy + " on calendarView (the fake orders by start/dateTime only)");
        }
        Window w = window(r);
        if (w.error() != null) {
            return w.error();
        }
        Integer top = MailReads.intParam(r.param("$top"), 1, MailReads.MAX_TOP, MailReads.DEFAULT_TOP);
        Integer skip = MailReads.intParam(r.param("$skip"), 0, Integer.MAX_VALUE, 0);
        if (top == null || skip == null) {
            return SyncAnswer.error(400, "BadRequest", "Invalid $top or $skip: $top must be from 1 to 1000.");
        }
        List<JsonNode> found = inWindow(r.mailboxUpn(), w.start(), w.end());
        ArrayNode value = GraphJson.array();
        found.stream().skip(skip).limit(top).forEach(e -> value.add(MessageViews.select(render(e, r), r.param("$select"))));
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", r.baseUrl() + "/$metadata#users('" + r.mailboxUpn() + "')/calendarView");
        list.set("value", value);
        if (skip + top < found.size()) {
            Map<String, String> next = new LinkedHashMap<>(r.params());
            next.put("$skip", String.valueOf(skip + top));
            list.put("@odata.nextLink", r.baseUrl() + "/" + r.mailboxPath() + "/calendarView?" + SyncValues.queryString(next));
        }
        return withZone(r, SyncAnswer.ok(list));
    }

    /** startDateTime and endDateTime of the request, checked. */
    static Window window(SyncRequest r) {
        String start = param(r, "startDateTime");
        String end = param(r, "endDateTime");
        if (start == null || end == null) {
            return new Window(null, null, SyncAnswer.error(400, "ErrorInvalidParameter", "This request requires a time window specified by "
                    + "the query string parameters StartDateTime and EndDateTime."));
        }
        Instant s = SyncValues.parseTime(start);
        Instant e = SyncValues.parseTime(end);
        if (s == null || e == null) {
            return new Window(null, null, SyncAnswer.error(400, "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not "
                    + "a valid date and time."));
        }
        if (Duration.between(s, e).compareTo(MAX_WINDOW) > 0) {
            return new Window(null, null, SyncAnswer.error(400, "ErrorInvalidRequest", "The range between the start and end dates is "
                    + "greater than the allowed range. Maximum number of days: 1825"));
        }
        return new Window(s, e, null);
    }

    /** The current events overlapping [start, end), by start. */
    List<JsonNode> inWindow(String upn, Instant start, Instant end) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode e : calendarOf.apply(upn)) {
            Instant s = FakeScheduling.instant(e.get("start"));
            Instant f = FakeScheduling.instant(e.get("end"));
            if (s != null && f != null && s.isBefore(end) && f.isAfter(start)) {
                result.add(e);
            }
        }
        result.sort(Comparator.comparing(e -> FakeScheduling.instant(e.get("start"))));
        return result;
    }

    /**
     * The entries of a calendarView delta round since {@code known}/{@code seq}, and (into {@code nowKnown})
     * what the client knows after it. With {@code outside}, events outside the window that were added,
     * changed or deleted since are reported under {@code @removed} with reason deleted, as event: delta
     * documents ("Events that are outside the date range and that have been added, deleted, or updated since
     * the previous delta call"; https://learn.microsoft.com/en-us/graph/api/event-delta?view=graph-rest-1.0).
     */
    List<DeltaEntry> deltaEntries(MailboxState mb, Instant start, Instant end, Map<String, String> known, long seq, boolean outside,
                                  Map<String, String> nowKnown) {
        List<JsonNode> window = inWindow(mb.upn, start, end);
        window.forEach(e -> nowKnown.put(e.path("id").asText(), e.path("id").asText()));
        List<DeltaEntry> entries = new ArrayList<>();
        known.keySet().stream().filter(id -> !nowKnown.containsKey(id)).forEach(id -> entries.add(DeltaEntry.removed(SyncValues.eventDefaultId(id), id, DeltaEntry.Readers.ALL)));
        if (outside && seq >= 0) {
            for (JsonNode e : calendarOf.apply(mb.upn)) {
                String id = e.path("id").asText();
                if (!nowKnown.containsKey(id) && !known.containsKey(id) && mb.eventVersions.getOrDefault(id, 0L) > seq) {
                    entries.add(DeltaEntry.removed(SyncValues.eventDefaultId(id), id, DeltaEntry.Readers.ALL));
                }
            }
            mb.eventTombstones.forEach((id, at) -> {
                if (at > seq && !known.containsKey(id)) {
                    entries.add(DeltaEntry.removed(SyncValues.eventDefaultId(id), id, DeltaEntry.Readers.ALL));
                }
            });
        }
        for (JsonNode e : window) {
            String id = e.path("id").asText();
            if (!known.containsKey(id)) {
                entries.add(new DeltaEntry("created", SyncValues.eventDefaultId(id), id, (ObjectNode) e, null, DeltaEntry.Readers.ALL));
            } else if (mb.eventVersions.getOrDefault(id, 0L) > seq) {
                entries.add(new DeltaEntry("updated", SyncValues.eventDefaultId(id), id, (ObjectNode) e, null, DeltaEntry.Readers.ALL));
            }
        }
        return entries;
    }

    /** An event as the calendar view shows it: etag, start and end in the preferred zone (UTC without). */
    static ObjectNode render(JsonNode event, SyncRequest r) {
        ObjectNode view = GraphJson.object();
        view.put("@odata.etag", "W/\"" + event.path("changeKey").asText("") + "\"");
        event.fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith("@odata.")) {
                view.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        String id = event.path("id").asText(null);
        if (id != null) {
            view.put("id", r.immutableIds() ? id : SyncValues.eventDefaultId(id));
        }
        String zoneName = r.timeZone() == null ? "UTC" : r.timeZone();
        ZoneId zone = zoneOrUtc(zoneName);
        for (String name : List.of("start", "end")) {
            Instant t = FakeScheduling.instant(event.get(name));
            if (t != null) {
                ObjectNode time = view.putObject(name);
                time.put("dateTime", SyncValues.LOCAL_TIME.format(LocalDateTime.ofInstant(t, zone)));
                time.put("timeZone", zone == ZoneOffset.UTC ? "UTC" : zoneName);
            }
        }
        return view;
    }

    static SyncAnswer withZone(SyncRequest r, SyncAnswer answer) {
        return r.timeZone() == null ? answer : answer.withHeader("Preference-Applied", "outlook.timezone=\"" + r.timeZone() + "\"");
    }

    private static ZoneId zoneOrUtc(String name) {
        try {
            return FakeScheduling.zone(name);
        } catch (RuntimeException e) {
            return ZoneOffset.UTC;
        }
    }

    /** A query parameter by name in any case (the SDK sends startDateTime; hand-written URLs vary). */
    private static String param(SyncRequest r, String name) {
        for (Map.Entry<String, String> e : r.params().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
