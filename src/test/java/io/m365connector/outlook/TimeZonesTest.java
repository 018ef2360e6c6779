package io.m365connector.outlook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Windows names sent in {@code Prefer: outlook.timezone}, whatever form of a zone the caller named. */
class TimeZonesTest {
    @ParameterizedTest
    @CsvSource({
            "Pacific Standard Time, Pacific Standard Time", // a Windows name stays
            "pacific standard time, Pacific Standard Time", // in its own letter case
            "UTC, UTC",
            "Etc/UTC, UTC",
            "America/Los_Angeles, Pacific Standard Time", // the zone the Windows name maps to
            "Asia/Tokyo, Tokyo Standard Time",
            "Asia/Kolkata, India Standard Time", // the mapping names Asia/Calcutta: the same clock
            "Europe/Oslo, Central Europe Standard Time", // not in the mapping: the first Windows zone with its clock since 2020
            "Not/AZone, Not/AZone" // unknown: passed on as given (validation refuses it before)
    })
    void whenAZoneIsNamedThenTheHeaderCarriesItsWindowsName(String named, String windows) {
        assertEquals(windows, TimeZones.windowsName(named));
        assertEquals("outlook.timezone=\"" + windows + "\"", OutlookPrefer.timeZone(named));
    }
}
