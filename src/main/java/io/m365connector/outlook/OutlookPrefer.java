package io.m365connector.outlook;

/**
 * The {@code Prefer} header values Graph takes for Outlook items, in one place for every feature that reads or
 * writes them (Obtain immutable identifiers for Outlook resources; the {@code outlook.timezone} preference).
 */
public final class OutlookPrefer {
    /** Ids that stay the same when a message or event moves to another folder. */
    public static final String IMMUTABLE_IDS = "IdType=\"ImmutableId\"";

    private OutlookPrefer() {
    }

    /** Event times answered in this zone (a Windows or IANA name Graph knows), named as Windows names it ({@link TimeZones#windowsName}). */
    public static String timeZone(String zone) {
        return "outlook.timezone=\"" + TimeZones.windowsName(zone) + "\"";
    }
}
