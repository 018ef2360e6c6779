package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.kiota.PeriodAndDuration;
import io.m365connector.cloud.NationalCloud;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The fake Graph's rooms and availability: the room directory (places), getSchedule and findMeetingTimes,
 * and the room mailboxes that answer invitations. {@link FakeGraph} authenticates each request and hands
 * it over; this class answers as Graph does, and refuses what a cloud does not serve as Graph does there
 * (21Vianet: 400 BadRequest "Resource not found for the segment 'places'", per
 * microsoft-graph-docs-contrib issue 4744; findMeetingTimes the same way).
 *
 * <p>Its model of findMeetingTimes follows Graph's documentation (user: findMeetingTimes): candidates
 * every 30 minutes from the time slot's start, within the working hours of organizer and attendees
 * (activityDomain), confidence = average of 100 free / 49 unknown / 0 busy over the attendees, the first
 * free room of the location constraint, ordered by confidence then time. State is guarded by the lock
 * it shares with {@link FakeGraph}.
 */
public final class FakeScheduling {
    private static final DateTimeFormatter GRAPH_LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");
    private static final int MAX_SCHEDULES = 20;
    private static final Duration MAX_PERIOD = Duration.ofDays(62);
    private static final String STATUS_ORDER = "free workingElsewhere tentative busy oof";
    private static final Map<String, String> WINDOWS_ZONES = windowsZones();

    private final Object lock;
    private final Function<String, List<JsonNode>> calendarOf;
    private final Clock clock;
    // guarded by lock
    private final Map<String, List<FakeRoom>> rooms = new HashMap<>();
    private final Map<String, Map<String, String>> roomLists = new HashMap<>();
    private final Map<String, FakeRoom.Response> responses = new HashMap<>();
    private final Map<String, Hours> hours = new HashMap<>();
    private final Map<String, List<Busy>> busy = new HashMap<>();
    private final Set<String> unknown = new HashSet<>();
    /**
     * Graph's free/busy values in PascalCase: Learn prints getSchedule's items as "Tentative", "Busy" (Get free/busy schedule
     * of users and resources) and findMeetingTimes' empty reason as "AttendeesUnavailable" (Find possible meeting times on the
     * Outlook calendar), where its metadata and answers seen in the field use camelCase (msgraph-metadata#598). Both occur.
     */
    private volatile boolean pascalCase;
    private final Map<NationalCloud, Boolean> placesServed = new EnumMap<>(NationalCloud.class);
    private final Map<NationalCloud, Boolean> findMeetingTimesServed = new EnumMap<>(NationalCloud.class);
    private volatile Answer findMeetingTimesRefusal;
    private volatile Answer placesRefusal;

    /** An answer: JSON, or Graph's error with this code and message. */
    record Answer(int status, JsonNode body, String errorCode, String message) {
        static Answer ok(JsonNode body) {
            return new Answer(200, body, null, null);
        }

        static Answer error(int status, String code, String message) {
            return new Answer(status, null, code, message);
        }
    }

    private record Hours(Set<DayOfWeek> days, LocalTime start, LocalTime end, String timeZone) {
    }

    private record Busy(Instant start, Instant end, String status, String subject) {
    }

    FakeScheduling(Object lock, Function<String, List<JsonNode>> calendarOf, Clock clock) {
        this.lock = lock;
        this.calendarOf = calendarOf;
        this.clock = clock;
        resetServed();
    }

    // ---------------------------------------------------------------- state set-up

    /** Adds a room to a tenant's directory (in the order added); its mailbox accepts when free. */
    public void addRoom(String tenantId, FakeRoom room) {
        synchronized (lock) {
            rooms.computeIfAbsent(key(tenantId), k -> new ArrayList<>()).add(room);
        }
    }

    public void addRoomList(String tenantId, String emailAddress, String displayName) {
        synchronized (lock) {
            roomLists.computeIfAbsent(key(tenantId), k -> new LinkedHashMap<>()).put(key(emailAddress), displayName);
        }
    }

    /** How a room's mailbox answers invitations. */
    public void setRoomResponse(String roomAddress, FakeRoom.Response response) {
        synchronized (lock) {
            responses.put(key(roomAddress), response);
        }
    }

    /** A mailbox's working hours (default Monday-Friday 08:00-17:00 UTC), in a Windows or IANA zone. */
    public void setWorkingHours(String address, Set<DayOfWeek> days, LocalTime start, LocalTime end, String timeZone) {
        synchronized (lock) {
            hours.put(key(address), new Hours(EnumSet.copyOf(days), start, end, timeZone));
        }
    }

    /** Whether getSchedule and findMeetingTimes write their statuses and reasons in PascalCase (default camelCase). */
    public void answerValuesInPascalCase(boolean on) {
        pascalCase = on;
    }

    private String cased(String value) {
        return pascalCase && value != null && !value.isEmpty() ? Character.toUpperCase(value.charAt(0)) + value.substring(1) : value;
    }

    /** A block in a mailbox's calendar: status free | tentative | busy | oof | workingElsewhere. */
    public void addBusy(String address, Instant start, Instant end, String status, String subject) {
        synchronized (lock) {
            busy.computeIfAbsent(key(address), k -> new ArrayList<>()).add(new Busy(start, end, status, subject));
        }
    }

    /** getSchedule cannot resolve this address (an external person, a deleted mailbox): it answers an error item. */
    public void markUnknown(String address) {
        synchronized (lock) {
            unknown.add(key(address));
        }
    }

    /**
     * Whether Graph in that cloud has findMeetingTimes (default: everywhere but 21Vianet, as earlier versions of its page
     * said; its beta page shows it there, so a test can make 21Vianet serve it).
     */
    public void setFindMeetingTimesServed(NationalCloud cloud, boolean served) {
        synchronized (lock) {
            findMeetingTimesServed.put(cloud, served);
        }
    }

    /**
     * Whether Graph in that cloud has /places (default: everywhere but 21Vianet, as its Graph answered in 2020: issue 4744;
     * other versions of its page show it in every cloud, so a test can make 21Vianet serve it).
     */
    public void setPlacesServed(NationalCloud cloud, boolean served) {
        synchronized (lock) {
            placesServed.put(cloud, served);
        }
    }

    /** Forgets busy blocks, working hours, answers and unknown addresses of these mailboxes (rooms stay). */
    public void clearSchedules(Set<String> addresses) {
        synchronized (lock) {
            for (String a : addresses) {
                busy.remove(key(a));
                hours.remove(key(a));
                unknown.remove(key(a));
            }
        }
    }

    void reset() {
        synchronized (lock) {
            rooms.clear();
            roomLists.clear();
            responses.clear();
            hours.clear();
            busy.clear();
            unknown.clear();
            resetServed();
        }
    }

    private void resetServed() {
        for (NationalCloud cloud : NationalCloud.values()) {
            placesServed.put(cloud, cloud != NationalCloud.CHINA);
            findMeetingTimesServed.put(cloud, cloud != NationalCloud.CHINA);
        }
    }

    boolean servesFindMeetingTimes(NationalCloud cloud) {
        synchronized (lock) {
            return findMeetingTimesServed.getOrDefault(cloud, cloud != NationalCloud.CHINA);
        }
    }

    static Answer notServed(String segment) {
        return Answer.error(400, "BadRequest", "Resource not found for the segment '" + segment + "'.");
    }

    /**
     * How findMeetingTimes is refused where it is not served: as Graph refused places in 21Vianet (issue 4744) unless a
     * test names another answer. No report shows 21Vianet refusing findMeetingTimes, so its form is not known.
     */
    Answer findMeetingTimesRefusal() {
        Answer refusal = findMeetingTimesRefusal;
        return refusal != null ? refusal : notServed("findMeetingTimes");
    }

    /**
     * The answer of places where it is not served (null: the segment refusal, as 21Vianet answered in issue 4744). The List
     * places page marks L4 and L5 not served while other versions list them: no report shows how they would refuse.
     */
    public void setPlacesRefusal(Integer status, String code, String message) {
        placesRefusal = status == null ? null : Answer.error(status, code, message);
    }

    /** The answer of findMeetingTimes where it is not served (null: the segment refusal). */
    public void setFindMeetingTimesRefusal(Integer status, String code, String message) {
        findMeetingTimesRefusal = status == null ? null : Answer.error(status, code, message);
    }

    // ---------------------------------------------------------------- places

    /**
     * GET /places/{microsoft.}graph.room | graph.roomlist, /places/{list address}/{microsoft.}graph.roomlist/rooms.
     * Pages with $top (default 100) and $skip; no next link when $top is given (as reported for Graph).
     */
    Answer places(NationalCloud cloud, String tenantId, Set<String> scopes, List<String> segments, Map<String, String> params,
                  String baseUrl) {
        if (!placesServed.getOrDefault(cloud, true)) {
            Answer refusal = placesRefusal;
            return refusal != null ? refusal : notServed("places");
        }
        if (scopes.stream().noneMatch(s -> s.equalsIgnoreCase("Place.Read.All") || s.equalsIgnoreCase("Place.ReadWrite.All"))) {
            return Answer.error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }
        for (String name : params.keySet()) {
            if (!Set.of("$top", "$skip", "$count", "$select").contains(name)) {
                return Answer.error(400, "BadRequest", "The fake Microsoft Graph does not implement " + name + " on places.");
            }
        }
        List<String> s = segments.stream().map(FakeScheduling::key).toList();
        if (s.size() == 2 && isType(s.get(1), "room")) {
            return page(roomsOf(tenantId, null), params, baseUrl + "/places/microsoft.graph.room");
        }
        if (s.size() == 2 && isType(s.get(1), "roomlist")) {
            return page(roomListsOf(tenantId), params, baseUrl + "/places/microsoft.graph.roomlist");
        }
        if (s.size() == 4 && isType(s.get(2), "roomlist") && s.get(3).equals("rooms")) {
            if (!roomLists.getOrDefault(key(tenantId), Map.of()).containsKey(s.get(1))) {
                return Answer.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }
            return page(roomsOf(tenantId, s.get(1)), params, null);
        }
        return Answer.error(400, "BadRequest", "Resource not found for the segment '" + String.join("/", segments.subList(1, segments.size()))
                + "'.");
    }

    private static boolean isType(String segment, String type) {
        return segment.equals("microsoft.graph." + type) || segment.equals("graph." + type);
    }

    private List<ObjectNode> roomsOf(String tenantId, String roomList) {
        List<ObjectNode> result = new ArrayList<>();
        for (FakeRoom r : rooms.getOrDefault(key(tenantId), List.of())) {
            if (roomList == null || roomList.equalsIgnoreCase(r.roomList())) {
                result.add(roomJson(r));
            }
        }
        return result;
    }

    private List<ObjectNode> roomListsOf(String tenantId) {
        List<ObjectNode> result = new ArrayList<>();
        roomLists.getOrDefault(key(tenantId), Map.of()).forEach((address, name) -> {
            ObjectNode list = GraphJson.object();
            list.put("@odata.type", "#microsoft.graph.roomList");
            list.put("id", "rl-" + Integer.toHexString(address.hashCode()));
            list.put("displayName", name);
            list.put("emailAddress", address);
            result.add(list);
        });
        return result;
    }

    private static ObjectNode roomJson(FakeRoom r) {
        ObjectNode room = GraphJson.object();
        room.put("@odata.type", "#microsoft.graph.room");
        room.put("id", "3162F1E1-C4C0-604B-51D8-91DA78" + String.format("%06X", r.emailAddress().hashCode() & 0xFFFFFF));
        room.put("emailAddress", r.emailAddress());
        room.put("displayName", r.displayName());
        ObjectNode address = room.putObject("address");
        address.put("street", r.street());
        address.put("city", r.city());
        address.putNull("state");
        address.putNull("postalCode");
        address.putNull("countryOrRegion");
        room.putNull("geoCoordinates");
        room.putNull("phone");
        room.putNull("nickname");
        room.put("building", r.building());
        room.put("floorNumber", r.floorNumber());
        room.put("floorLabel", r.floorLabel());
        room.putNull("label");
        room.put("capacity", r.capacity());
        room.put("bookingType", "standard");
        room.put("audioDeviceName", r.audioDeviceName());
        room.put("videoDeviceName", r.videoDeviceName());
        room.put("displayDeviceName", r.displayDeviceName());
        room.put("isWheelChairAccessible", r.isWheelChairAccessible() != null && r.isWheelChairAccessible());
        ArrayNode tags = room.putArray("tags");
        r.tags().forEach(tags::add);
        return room;
    }

    private static Answer page(List<ObjectNode> all, Map<String, String> params, String nextBase) {
        int top;
        int skip;
        try {
            top = params.containsKey("$top") ? Integer.parseInt(params.get("$top")) : 100;
            skip = params.containsKey("$skip") ? Integer.parseInt(params.get("$skip")) : 0;
        } catch (NumberFormatException e) {
            return Answer.error(400, "BadRequest", "Invalid $top or $skip.");
        }
        if (top < 1 || top > 1000 || skip < 0) {
            return Answer.error(400, "BadRequest", "Invalid $top or $skip.");
        }
        ObjectNode body = GraphJson.object();
        if ("true".equalsIgnoreCase(params.get("$count"))) {
            body.put("@odata.count", all.size());
        }
        ArrayNode value = body.putArray("value");
        all.stream().skip(skip).limit(top).forEach(value::add);
        if (!params.containsKey("$top") && nextBase != null && skip + top < all.size()) {
            body.put("@odata.nextLink", nextBase + "?$skip=" + (skip + top));
        }
        return Answer.ok(body);
    }

    // ---------------------------------------------------------------- getSchedule

    /** POST /me/calendar/getSchedule: each schedule's items, availability view and working hours, in the Prefer zone (UTC without). */
    Answer getSchedule(ObjectNode body, String preferZone) {
        JsonNode schedules = body.get("schedules");
        Period period = period(body.get("startTime"), body.get("endTime"));
        int interval = body.path("availabilityViewInterval").asInt(30);
        if (schedules == null || !schedules.isArray() || schedules.isEmpty() || period == null) {
            return Answer.error(400, "ErrorInvalidParameter", "The request needs schedules, startTime and endTime.");
        }
        if (schedules.size() > MAX_SCHEDULES) {
            return Answer.error(400, "ErrorInvalidParameter", "getSchedule looks up at most " + MAX_SCHEDULES + " schedules.");
        }
        if (interval < 5 || interval > 1440) {
            return Answer.error(400, "ErrorInvalidParameter", "availabilityViewInterval must be from 5 to 1440.");
        }
        if (Duration.between(period.start(), period.end()).compareTo(MAX_PERIOD) >= 0) {
            return Answer.error(400, "ErrorInvalidParameter", "The time period to look up must be less than 62 days.");
        }
        String zoneName = preferZone == null ? "UTC" : preferZone;
        ZoneId zone = zone(zoneName);
        ArrayNode value = GraphJson.array();
        for (JsonNode s : schedules) {
            value.add(scheduleInformation(s.asText(), period, interval, zoneName, zone));
        }
        ObjectNode answer = GraphJson.object();
        answer.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)");
        answer.set("value", value);
        return Answer.ok(answer);
    }

    private record Period(Instant start, Instant end) {
    }

    private ObjectNode scheduleInformation(String address, Period period, int interval, String zoneName, ZoneId zone) {
        ObjectNode info = GraphJson.object();
        info.put("scheduleId", address);
        if (unknown.contains(key(address))) {
            info.put("availabilityView", "");
            ObjectNode error = info.putObject("error");
            error.put("message", "Unable to resolve the user or resource " + address + " to a mailbox.");
            error.put("responseCode", "ErrorMailRecipientNotFound");
            return info;
        }
        List<Busy> blocks = blocksOf(address).stream().filter(b -> b.start().isBefore(period.end()) && b.end().isAfter(period.start()))
                .sorted(Comparator.comparing(Busy::start)).toList();
        StringBuilder view = new StringBuilder();
        for (Instant t = period.start(); t.isBefore(period.end()); t = t.plus(Duration.ofMinutes(interval))) {
            view.append(digit(worst(blocks, t, t.plus(Duration.ofMinutes(interval)))));
        }
        info.put("availabilityView", view.toString());
        ArrayNode items = info.putArray("scheduleItems");
        for (Busy b : blocks) {
            ObjectNode item = items.addObject();
            item.put("isPrivate", false);
            item.put("status", cased(b.status()));
            item.put("subject", b.subject());
            item.put("location", "");
            item.set("start", local(b.start(), zoneName, zone));
            item.set("end", local(b.end(), zoneName, zone));
        }
        Hours h = hoursOf(address);
        ObjectNode wh = info.putObject("workingHours");
        ArrayNode days = wh.putArray("daysOfWeek");
        h.days().stream().sorted().forEach(d -> days.add(d.name().toLowerCase(Locale.ROOT)));
        wh.put("startTime", h.start() + ":00.0000000");
        wh.put("endTime", h.end() + ":00.0000000");
        wh.putObject("timeZone").put("name", h.timeZone());
        return info;
    }

    /** Explicit blocks, and the events of the mailbox's calendar in FakeGraph (busy unless showAs says otherwise). */
    private List<Busy> blocksOf(String address) {
        List<Busy> result = new ArrayList<>(busy.getOrDefault(key(address), List.of()));
        for (JsonNode event : calendarOf.apply(address)) {
            Instant start = instant(event.get("start"));
            Instant end = instant(event.get("end"));
            if (start != null && end != null && !event.path("isCancelled").asBoolean(false)) {
                String showAs = GraphJson.text(event, "showAs");
                result.add(new Busy(start, end, showAs == null || showAs.equals("unknown") ? "busy" : showAs, GraphJson.text(event, "subject")));
            }
        }
        return result;
    }

    private Hours hoursOf(String address) {
        return hours.getOrDefault(key(address), new Hours(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
                LocalTime.of(17, 0), "UTC"));
    }

    private static String worst(List<Busy> blocks, Instant from, Instant to) {
        String worst = "free";
        for (Busy b : blocks) {
            if (b.start().isBefore(to) && b.end().isAfter(from) && STATUS_ORDER.indexOf(b.status()) > STATUS_ORDER.indexOf(worst)) {
                worst = b.status();
            }
        }
        return worst;
    }

    private static char digit(String status) {
        return switch (status) {
            case "tentative" -> '1';
            case "busy" -> '2';
            case "oof" -> '3';
            case "workingElsewhere" -> '4';
            default -> '0';
        };
    }

    // ---------------------------------------------------------------- findMeetingTimes

    /** POST /me/findMeetingTimes for {@code organizer}, answered in the Prefer zone (UTC without). */
    Answer findMeetingTimes(String organizer, ObjectNode body, String preferZone) {
        if (preferZone != null && preferZone.contains("/")) {
            // reported: Prefer outlook.timezone="Asia/Kolkata" failed with UnknownError; Microsoft's answer: use a value of
            // supportedTimeZones, Windows names by default (Learn Q&A 1324397, "Getting UnknownError on calling me/findMeetingTimes")
            return Answer.error(500, "UnknownError", "");
        }
        JsonNode slots = body.path("timeConstraint").path("timeSlots");
        Period period = slots.isArray() && !slots.isEmpty() ? period(slots.get(0).get("start"), slots.get(0).get("end")) : null;
        if (period == null) {
            return Answer.error(400, "ErrorInvalidParameter", "The fake needs timeConstraint.timeSlots with one slot.");
        }
        Duration duration = duration(GraphJson.text(body, "meetingDuration"));
        String domain = body.path("timeConstraint").path("activityDomain").asText("work").toLowerCase(Locale.ROOT);
        double minimum = body.path("minimumAttendeePercentage").asDouble(50);
        int max = body.path("maxCandidates").asInt(20);
        boolean organizerOptional = body.path("isOrganizerOptional").asBoolean(false);
        List<String> people = new ArrayList<>();
        for (JsonNode a : body.path("attendees")) {
            people.add(GraphJson.address(a));
        }
        List<JsonNode> locations = new ArrayList<>();
        body.path("locationConstraint").path("locations").forEach(locations::add);
        boolean roomRequired = body.path("locationConstraint").path("isRequired").asBoolean(false);

        List<ObjectNode> candidates = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        boolean anyInHours = false;
        boolean anyOrganizerFree = false;
        boolean anyReachesMinimum = false;
        for (int k = 0; !period.start().plus(Duration.ofMinutes(30L * k)).plus(duration).isAfter(period.end()); k++) {
            Instant t = period.start().plus(Duration.ofMinutes(30L * k));
            Instant end = t.plus(duration);
            if (!inHours(organizer, t, end, domain) || people.stream().anyMatch(p -> !inHours(p, t, end, domain))) {
                continue;
            }
            anyInHours = true;
            String organizerStatus = statusOf(organizer, t, end);
            boolean organizerFree = organizerOptional || available(organizerStatus);
            double total = 0;
            ArrayNode attendeeAvailability = GraphJson.array();
            for (String p : people) {
                String status = statusOf(p, t, end);
                total += available(status) ? 100 : status.equals("unknown") ? 49 : 0;
                ObjectNode aa = attendeeAvailability.addObject();
                ObjectNode attendee = aa.putObject("attendee");
                attendee.put("type", "required");
                attendee.putObject("emailAddress").put("address", p);
                aa.put("availability", cased(status));
            }
            double confidence = people.isEmpty() ? 100 : total / people.size();
            JsonNode room = locations.stream().filter(l -> available(statusOf(GraphJson.text(l, "locationEmailAddress"), t, end)))
                    .findFirst().orElse(null);
            anyOrganizerFree |= organizerFree;
            anyReachesMinimum |= organizerFree && confidence >= minimum;
            if (!organizerFree || confidence < minimum || (roomRequired && !locations.isEmpty() && room == null)) {
                continue;
            }
            ObjectNode suggestion = GraphJson.object();
            suggestion.put("confidence", confidence);
            suggestion.put("organizerAvailability", cased(organizerStatus));
            suggestion.set("attendeeAvailability", attendeeAvailability);
            ArrayNode chosen = suggestion.putArray("locations");
            if (room != null) {
                ObjectNode l = chosen.addObject();
                l.put("displayName", GraphJson.text(room, "displayName"));
                l.put("locationEmailAddress", GraphJson.text(room, "locationEmailAddress"));
            }
            String zoneName = preferZone == null ? "UTC" : preferZone;
            ObjectNode slot = suggestion.putObject("meetingTimeSlot");
            slot.set("start", local(t, zoneName, zone(zoneName)));
            slot.set("end", local(end, zoneName, zone(zoneName)));
            candidates.add(suggestion);
            scores.add(new double[] {confidence, t.toEpochMilli()});
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -scores.get(i)[0]).thenComparingDouble(i -> scores.get(i)[1]));
        ArrayNode suggestions = GraphJson.array();
        for (int i = 0; i < order.size() && i < max; i++) {
            ObjectNode s = candidates.get(order.get(i));
            s.put("order", i);
            suggestions.add(s);
        }
        ObjectNode answer = GraphJson.object();
        answer.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.meetingTimeSuggestionsResult");
        answer.put("emptySuggestionsReason", suggestions.isEmpty()
                ? cased(emptyReason(anyInHours, anyOrganizerFree, anyReachesMinimum, people)) : "");
        answer.set("meetingTimeSuggestions", suggestions);
        return Answer.ok(answer);
    }

    private String emptyReason(boolean anyInHours, boolean anyOrganizerFree, boolean anyReachesMinimum, List<String> people) {
        if (anyInHours && !anyOrganizerFree) {
            return "organizerUnavailable";
        }
        if (!anyReachesMinimum) {
            return people.stream().anyMatch(p -> unknown.contains(key(p))) ? "attendeesUnavailableOrUnknown" : "attendeesUnavailable";
        }
        return "locationsUnavailable";
    }

    private String statusOf(String address, Instant from, Instant to) {
        if (address == null || unknown.contains(key(address))) {
            return "unknown";
        }
        return worst(blocksOf(address), from, to);
    }

    private static boolean available(String status) {
        return status.equals("free") || status.equals("workingElsewhere");
    }

    private boolean inHours(String address, Instant from, Instant to, String domain) {
        if (domain.equals("unrestricted") || address == null || unknown.contains(key(address))) {
            return true;
        }
        Hours h = hoursOf(address);
        ZonedDateTime start = from.atZone(zone(h.timeZone()));
        ZonedDateTime end = to.atZone(zone(h.timeZone()));
        if (!domain.equals("personal") && !h.days().contains(start.getDayOfWeek())) {
            return false;
        }
        ZonedDateTime open = start.toLocalDate().atTime(h.start()).atZone(start.getZone());
        ZonedDateTime close = h.end().equals(LocalTime.MIDNIGHT) ? start.toLocalDate().plusDays(1).atStartOfDay(start.getZone())
                : start.toLocalDate().atTime(h.end()).atZone(start.getZone());
        return !start.isBefore(open) && !end.isAfter(close);
    }

    // ---------------------------------------------------------------- room mailboxes

    /**
     * A new event in {@code tenantId}: each room of the directory that is a resource attendee answers it
     * (by its {@link FakeRoom.Response}); an accepted or tentative booking blocks the room's calendar.
     */
    void eventCreated(String tenantId, ObjectNode event) {
        Instant start = instant(event.get("start"));
        Instant end = instant(event.get("end"));
        JsonNode attendees = event.get("attendees");
        if (start == null || end == null || attendees == null || !attendees.isArray()) {
            return;
        }
        for (JsonNode a : attendees) {
            if (isRoom(tenantId, a) && a instanceof ObjectNode attendee) {
                answerAsRoom(attendee, GraphJson.address(a), start, end, GraphJson.text(event, "subject"));
            }
        }
    }

    /**
     * An update that replaced the event's attendees (Graph replaces the whole list: Learn, event: update, "attendees") or
     * moved it: an attendee still there keeps its answer; a room no longer there gets a cancellation and its calendar frees
     * the time (Outlook's behaviour when a room is removed from a meeting); a room new to the list, and every room when the
     * time moved, answers again for the event's time, as its booking policy does for an updated request.
     */
    void eventUpdated(String tenantId, ObjectNode before, ObjectNode after) {
        Map<String, JsonNode> previous = new HashMap<>();
        for (JsonNode a : before.path("attendees")) {
            previous.put(key(String.valueOf(GraphJson.address(a))), a);
        }
        Instant oldStart = instant(before.get("start"));
        Instant oldEnd = instant(before.get("end"));
        Instant start = instant(after.get("start"));
        Instant end = instant(after.get("end"));
        boolean moved = !Objects.equals(oldStart, start) || !Objects.equals(oldEnd, end);
        String oldSubject = GraphJson.text(before, "subject");
        Set<String> now = new HashSet<>();
        for (JsonNode a : after.path("attendees")) {
            String address = GraphJson.address(a);
            now.add(key(String.valueOf(address)));
            JsonNode earlier = previous.get(key(String.valueOf(address)));
            boolean room = isRoom(tenantId, a);
            if (!(a instanceof ObjectNode attendee)) {
                continue;
            }
            if (earlier != null && (!room || !moved)) {
                if (earlier.has("status")) {
                    attendee.set("status", earlier.get("status").deepCopy());
                }
            } else if (room && start != null && end != null) {
                release(address, oldStart, oldEnd, oldSubject);
                answerAsRoom(attendee, address, start, end, GraphJson.text(after, "subject"));
            }
        }
        previous.forEach((address, a) -> {
            if (!now.contains(address) && isRoom(tenantId, a)) {
                release(address, oldStart, oldEnd, oldSubject);
            }
        });
    }

    private void release(String address, Instant start, Instant end, String subject) {
        synchronized (lock) {
            busy.getOrDefault(key(address), new ArrayList<>()).removeIf(b -> b.start().equals(start) && b.end().equals(end)
                    && Objects.equals(b.subject(), subject));
        }
    }

    private boolean isRoom(String tenantId, JsonNode attendee) {
        String address = GraphJson.address(attendee);
        return address != null && "resource".equalsIgnoreCase(GraphJson.text(attendee, "type"))
                && rooms.getOrDefault(key(tenantId), List.of()).stream().anyMatch(r -> r.emailAddress().equalsIgnoreCase(address));
    }

    /** The room's mailbox answers by its {@link FakeRoom.Response}; an accepted or tentative booking blocks its calendar. */
    private void answerAsRoom(ObjectNode attendee, String address, Instant start, Instant end, String subject) {
        String answer = switch (responses.getOrDefault(key(address), FakeRoom.Response.ACCEPT_IF_FREE)) {
            case ACCEPT_IF_FREE -> available(worst(blocksOf(address), start, end)) ? "accepted" : "declined";
            case DECLINE -> "declined";
            case TENTATIVE -> "tentativelyAccepted";
            case NONE -> null;
        };
        if (answer != null) {
            ObjectNode status = attendee.putObject("status");
            status.put("response", answer);
            status.put("time", DateTimeFormatter.ISO_INSTANT.format(clock.instant()));
            if (!answer.equals("declined")) {
                busy.computeIfAbsent(key(address), k -> new ArrayList<>()).add(new Busy(start, end,
                        answer.equals("accepted") ? "busy" : "tentative", subject));
            }
        }
    }

    // ---------------------------------------------------------------- time helpers

    private Period period(JsonNode start, JsonNode end) {
        Instant s = instant(start);
        Instant e = instant(end);
        return s == null || e == null || !s.isBefore(e) ? null : new Period(s, e);
    }

    /** A {dateTime, timeZone} as an instant; null when it is not one. */
    static Instant instant(JsonNode time) {
        String dateTime = GraphJson.text(time, "dateTime");
        String zoneName = GraphJson.text(time, "timeZone");
        if (dateTime == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(dateTime).atZone(zone(zoneName == null ? "UTC" : zoneName)).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ObjectNode local(Instant instant, String zoneName, ZoneId zone) {
        ObjectNode time = GraphJson.object();
        time.put("dateTime", GRAPH_LOCAL.format(LocalDateTime.ofInstant(instant, zone)));
        time.put("timeZone", zoneName);
        return time;
    }

    static ZoneId zone(String name) {
        String iana = WINDOWS_ZONES.get(name);
        if (iana != null) {
            return ZoneId.of(iana);
        }
        return name.equalsIgnoreCase("UTC") ? ZoneOffset.UTC : ZoneId.of(name);
    }

    private static Duration duration(String iso) {
        if (iso == null) {
            return Duration.ofMinutes(30);
        }
        try {
            return Duration.parse(iso);
        } catch (RuntimeException e) {
            return PeriodAndDuration.parse(iso).getDuration();
        }
    }

    private static Map<String, String> windowsZones() {
        Properties p = new Properties();
        try (InputStream in = FakeScheduling.class.getResourceAsStream("/io/m365connector/outlook/windows-time-zones.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        p.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }

    private static String key(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }
}
