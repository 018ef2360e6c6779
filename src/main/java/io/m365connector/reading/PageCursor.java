package io.m365connector.reading;

import io.m365connector.platform.RequestValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The opaque cursor of a listing: where the next page starts, bound to the listing's filters so a
 * cursor cannot be replayed against another listing. Callers pass {@code nextCursor} back unchanged.
 */
final class PageCursor {
    private static final Pattern FORM = Pattern.compile("c1\\.(\\d{1,9})\\.([0-9a-f]{8})");
    /** A keyed position: after the items received up to {@code before}, {@code ties} of those received at that very time read. */
    private static final Pattern KEYED = Pattern.compile("m1\\|([0-9T:.Z-]{20,40})\\|(\\d{1,9})\\|([0-9a-f]{8})");

    /** Where the next page starts: after {@code skip} items, or after the items received up to {@code before} and {@code skip} at it. */
    record Position(int skip, Instant before) {
        static final Position START = new Position(0, null);
    }

    private PageCursor() {
    }

    static String of(int skip, String fingerprint) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("c1." + skip + "." + fingerprint).getBytes(StandardCharsets.US_ASCII));
    }

    /** A keyed cursor: the next page lists what was received at or before {@code before}, skipping {@code ties} received then. */
    static String after(Instant before, int ties, String fingerprint) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("m1|" + before + "|" + ties + "|" + fingerprint)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The offset a cursor names (0 without one); a foreign or altered cursor is a field error. */
    static int skip(String cursor, String fingerprint, RequestValidationException.Collector errors) {
        Position position = position(cursor, fingerprint, errors, false);
        return position.skip();
    }

    /** The position a cursor names, offset or keyed ({@code keyed}: a listing that hands out keyed cursors). */
    static Position position(String cursor, String fingerprint, RequestValidationException.Collector errors, boolean keyed) {
        if (cursor == null) {
            return Position.START;
        }
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            raw = "";
        }
        Matcher m = FORM.matcher(raw);
        Matcher k = KEYED.matcher(raw);
        Instant before = null;
        if (keyed && k.matches()) {
            try {
                before = Instant.parse(k.group(1)); // parsed, and written again by Instant: nothing else reaches Graph's $filter
            } catch (DateTimeParseException e) {
                before = null;
            }
        }
        if (!m.matches() && before == null) {
            errors.add("cursor", "Not a cursor: pass nextCursor from the previous page unchanged.");
            return Position.START;
        }
        if (!(before == null ? m.group(2) : k.group(3)).equals(fingerprint)) {
            errors.add("cursor", "This cursor belongs to a listing with other parameters: keep them as they were, or start again "
                    + "without cursor.");
            return Position.START;
        }
        return before == null ? new Position(Integer.parseInt(m.group(1)), null) : new Position(Integer.parseInt(k.group(2)), before);
    }

    static String fingerprint(String parameters) {
        return String.format("%08x", parameters.hashCode());
    }
}
