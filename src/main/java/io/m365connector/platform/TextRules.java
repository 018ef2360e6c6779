package io.m365connector.platform;

/**
 * What text the API accepts, in one place.
 * <ul>
 *   <li>Lengths count Unicode code points (what people call characters: an emoji is one), not UTF-16 units.</li>
 *   <li>Control characters are refused (in multi-line text CR, LF and tab pass), and so are the line
 *       and paragraph separators U+2028/U+2029.</li>
 *   <li>Single-line text (names, subjects, locations, file names) refuses the bidirectional embedding,
 *       override and isolate controls U+202A-U+202E and U+2066-U+2069: they make displayed text lie
 *       about its content ("invoice‮fdp.exe" shows as "invoiceexe.pdf"). The marks U+200E, U+200F and
 *       U+061C, which right-to-left scripts need, pass. Bodies may contain any of them.</li>
 *   <li>Text that could not have come from valid UTF-8 is refused: lone surrogates, and U+FFFD (what
 *       the Functions host puts where a request had bytes that are not UTF-8).</li>
 * </ul>
 */
public final class TextRules {
    private TextRules() {
    }

    /**
     * The text cut to {@code max} code points, the last one "…", never inside a surrogate pair; shorter text (and null) as
     * it is. For text from outside that the connector stores or passes on (a Table string holds 64 KiB).
     */
    public static String clipped(String text, int max) {
        if (text == null || text.length() <= max || length(text) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
    }

    /** Characters as people count them (Unicode code points). */
    public static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    // hasControl and hasBidiControl are plain loops, not streams: they read every attachment's base64 (megabytes) on
    // the request path, where a stream's per-character lambda made them most of the request's CPU time (BENCHMARKS.md).

    public static boolean hasControl(String text, boolean multiline) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && !(multiline && (c == '\r' || c == '\n' || c == '\t')) || c == 0x2028 || c == 0x2029) {
                return true;
            }
        }
        return false;
    }

    /** Bidirectional embedding, override or isolate controls (not the plain marks). */
    public static boolean hasBidiControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069) {
                return true;
            }
        }
        return false;
    }

    /** Lone surrogates or U+FFFD: not what valid UTF-8 decodes to. */
    public static boolean isBrokenUnicode(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFFFD') {
                return true;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Characters that display as nothing or as a space-like blank (format characters such as the
     * zero-width space and joiners, the byte-order mark, separators and Hangul fillers): refused
     * where text identifies something, such as e-mail addresses.
     */
    public static boolean hasInvisible(String text) {
        return text.codePoints().anyMatch(c -> {
            int type = Character.getType(c);
            return type == Character.FORMAT || type == Character.SPACE_SEPARATOR && c != ' ' || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800;
        });
    }
}
