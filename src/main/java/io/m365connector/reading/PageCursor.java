package io.m365connector.reading;

import io.m365connector.platform.RequestValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The opaque cursor of a listing: where the next page starts, bound to the listing's filters so a
 * cursor cannot be replayed against another listing. Callers pass {@code nextCursor} back unchanged.
 */
final class PageCursor {
    private static final Pattern FORM = Pattern.compile("c1\\.(\\d{1,9})\\.([0-9a-f]{8})");

    private PageCursor() {
    }

    static String of(int skip, String fingerprint) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("c1." + skip + "." + fingerprint).getBytes(StandardCharsets.US_ASCII));
    }

    /** The offset a cursor names (0 without one); a foreign or altered cursor is a field error. */
    static int skip(String cursor, String fingerprint, RequestValidationException.Collector errors) {
        if (cursor == null) {
            return 0;
        }
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            raw = "";
        }
        Matcher m = FORM.matcher(raw);
        if (!m.matches()) {
            errors.add("cursor", "Not a cursor: pass nextCursor from the previous page unchanged.");
            return 0;
        }
        if (!m.group(2).equals(fingerprint)) {
            errors.add("cursor", "This cursor belongs to a listing with other parameters: keep them as they were, or start again "
                    + "without cursor.");
            return 0;
        }
        return Integer.parseInt(m.group(1));
    }

    static String fingerprint(String parameters) {
        return String.format("%08x", parameters.hashCode());
    }
}
