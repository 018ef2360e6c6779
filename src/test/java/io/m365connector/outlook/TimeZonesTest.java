package io.m365connector.outlook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Windows names sent in {@code Prefer: outlook.timezone}, whatever form of a zone the caller named. */
class TimeZonesTest {
    @ParameterizedTest
    @CsvSource({
            "Pacific Standard Time, Pacific Standard Time", // a Windows name stays
            "pacific standard time, Pacific Standard Time", // in its own letter case
            "UTC, UTC",
            "Coordinated Universal Time, UTC", // a display name the mapping holds: Graph gets the id
            "Etc/UTC, UTC",
            "America/Los_Angeles, Pacific Standard Time", // the zone the Windows name maps to
            "Asia/Tokyo, Tokyo Standard Time",
            "Asia/Kolkata, India Standard Time", // the mapping names Asia/Calcutta: the same clock
            "Europe/Oslo, Central Europe Standard Time", // not in the mapping: the first Windows zone with its clock since 2020
            "America/Chihuahua, Canada Central Standard Time", // rules changed in 2022 (UTC-6, no DST): matched by what it does now
            "Africa/Abidjan, Greenwich Standard Time", // UTC+0 without DST: an id, never the display name "Coordinated Universal Time"
            "Not/AZone, Not/AZone" // unknown: passed on as given (validation refuses it before)
    })
    void whenAZoneIsNamedThenTheHeaderCarriesItsWindowsName(String named, String windows) {
        assertEquals(windows, TimeZones.windowsName(named));
        assertEquals("outlook.timezone=\"" + windows + "\"", OutlookPrefer.timeZone(named));
    }

    @Test
    void whenAnyZoneTheApiAcceptsIsNamedThenGraphGetsAWindowsNameWithTheSameClock() {
        List<String> leaked = new ArrayList<>();
        for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
            if (TimeZones.resolve(id).isEmpty()) {
                continue; // refused by validation before any call
            }
            String windows = TimeZones.windowsName(id);
            Instant now = Instant.now();
            if (windows.contains("/") || !TimeZones.resolve(windows).orElseThrow().getRules().getOffset(now)
                    .equals(ZoneId.of(id).getRules().getOffset(now))) {
                leaked.add(id + " -> " + windows);
            }
        }
        assertEquals(List.of(), leaked);
    }
}
