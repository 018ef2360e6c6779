package io.m365connector.outlook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The time zone names Microsoft Graph accepts for event times: Windows names ("Pacific Standard
 * Time", the form Outlook uses) and IANA names ("America/Los_Angeles"). Each resolves to a Java zone
 * so start and end can be compared before calling Graph.
 */
public final class TimeZones {
    /** Windows name to IANA name, ordered ignoring case: a name as a caller wrote it finds the key as Graph spells it. */
    private static final NavigableMap<String, String> WINDOWS = load();
    /** Windows names found for IANA names by their clocks ({@link #windowsName}). */
    private static final Map<String, String> WINDOWS_BY_IANA = new ConcurrentHashMap<>();
    /** Display names among the mapping's keys: not ids Graph takes in a header. */
    private static final Set<String> NOT_IDS = Set.of("Coordinated Universal Time");
    /** How far ahead two zones must show the same time to stand for each other in an answer. */
    private static final Duration SAME_FOR = Duration.ofDays(20 * 366);
    /** IANA region/city names, and UTC: the IANA names Graph's time zone list (outlookUser supportedTimeZones) carries. */
    private static final Pattern IANA_GRAPH_KNOWS = Pattern.compile(
            "UTC|Etc/UTC|Etc/GMT|(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z0-9_+\\-]+(/[A-Za-z0-9_+\\-]+)?");

    private TimeZones() {
    }

    /** The zone for a Graph time zone name, or empty when Graph would not know it. */
    public static Optional<ZoneId> resolve(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        String iana = WINDOWS.get(name);
        if (iana != null) {
            return Optional.of(ZoneId.of(iana));
        }
        if (!IANA_GRAPH_KNOWS.matcher(name).matches() || !ZoneId.getAvailableZoneIds().contains(name) && !name.equals("UTC")) {
            return Optional.empty(); // Java also knows ids Graph does not (SystemV/..., EST5EDT, PST, GMT0)
        }
        try {
            return Optional.of(ZoneId.of(name));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The Windows name of a zone Graph knows, for {@code Prefer: outlook.timezone}: Microsoft answers that the header takes
     * the values of supportedTimeZones, whose default format is Windows ("Pacific Standard Time"), and an IANA name there has
     * failed findMeetingTimes with UnknownError (Learn Q&amp;A 1324397, "Asia/Kolkata"). A Windows name stays as it is;
     * an IANA name becomes the Windows zone mapped to it, else one with the same rules (Asia/Kolkata and Asia/Calcutta);
     * a name with none is passed on as given.
     */
    public static String windowsName(String name) {
        if (name != null && NOT_IDS.stream().anyMatch(name::equalsIgnoreCase)) {
            return "UTC";
        }
        if (name == null || WINDOWS.containsKey(name)) {
            return name == null ? null : WINDOWS.ceilingKey(name);
        }
        Optional<ZoneId> zone = resolve(name);
        if (zone.isEmpty()) {
            return name;
        }
        if (zone.get().getRules().equals(ZoneOffset.UTC.getRules())) {
            return "UTC";
        }
        for (Map.Entry<String, String> e : WINDOWS.entrySet()) {
            if (e.getValue().equals(zone.get().getId()) && !NOT_IDS.contains(e.getKey())) {
                return e.getKey();
            }
        }
        Instant now = Instant.now();
        String sameClock = WINDOWS_BY_IANA.computeIfAbsent(zone.get().getId(), id -> WINDOWS.entrySet().stream()
                .filter(e -> !NOT_IDS.contains(e.getKey()) && sameClock(ZoneId.of(e.getValue()), zone.get(), now))
                .map(Map.Entry::getKey).findFirst().orElse(""));
        // the offset-now stand-in is not kept: it is right only until the zone's next change
        return !sameClock.isEmpty() ? sameClock : sameOffsetNow(zone.get(), now).orElse(name);
    }

    /** A zone no Windows zone shares a clock with (Antarctica/Troll): one with its offset now, right until its next change. */
    private static Optional<String> sameOffsetNow(ZoneId zone, Instant now) {
        return WINDOWS.entrySet().stream().filter(e -> !NOT_IDS.contains(e.getKey())
                && ZoneId.of(e.getValue()).getRules().getOffset(now).equals(zone.getRules().getOffset(now))).map(Map.Entry::getKey).findFirst();
    }

    /**
     * Whether two zones show the same time from {@code from} on, for {@link #SAME_FOR} (their pasts may differ: Europe/Oslo
     * and Europe/Berlin; zones whose rules changed lately, America/Chihuahua, Asia/Almaty, match by what they do now).
     */
    private static boolean sameClock(ZoneId a, ZoneId b, Instant from) {
        ZoneRules ra = a.getRules();
        ZoneRules rb = b.getRules();
        Instant t = from;
        Instant until = from.plus(SAME_FOR);
        if (!ra.getOffset(t).equals(rb.getOffset(t))) {
            return false;
        }
        while (t.isBefore(until)) {
            ZoneOffsetTransition ta = ra.nextTransition(t);
            ZoneOffsetTransition tb = rb.nextTransition(t);
            if (ta == null || tb == null) {
                return ta == tb || (ta == null ? tb.getInstant() : ta.getInstant()).isAfter(until);
            }
            if (!ta.getInstant().equals(tb.getInstant()) || !ta.getOffsetAfter().equals(tb.getOffsetAfter())) {
                return false;
            }
            t = ta.getInstant();
        }
        return true;
    }

    private static NavigableMap<String, String> load() {
        Properties properties = new Properties();
        try (InputStream in = TimeZones.class.getResourceAsStream("windows-time-zones.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("windows-time-zones.properties is missing from the build", e));
        }
        NavigableMap<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        properties.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }
}
