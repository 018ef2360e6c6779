package io.m365connector.outlook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The time zone names Microsoft Graph accepts for event times: Windows names ("Pacific Standard
 * Time", the form Outlook uses) and IANA names ("America/Los_Angeles"). Each resolves to a Java zone
 * so start and end can be compared before calling Graph.
 */
public final class TimeZones {
    private static final Map<String, String> WINDOWS = load();
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

    private static Map<String, String> load() {
        Properties properties = new Properties();
        try (InputStream in = TimeZones.class.getResourceAsStream("windows-time-zones.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("windows-time-zones.properties is missing from the build", e));
        }
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        properties.forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }
}
