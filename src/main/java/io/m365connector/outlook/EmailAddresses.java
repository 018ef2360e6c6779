package io.m365connector.outlook;

import io.m365connector.platform.TextRules;
import java.net.IDN;
import java.util.regex.Pattern;

/**
 * Checks e-mail addresses against the RFC 5322 addr-spec (dot-atom or quoted local part, a domain of
 * DNS labels or an address literal), with internationalized domains converted by IDNA. CR, LF and
 * every other control character are refused everywhere: nothing a caller sends can become a header.
 */
public final class EmailAddresses {
    /** atext, plus any non-ASCII character (RFC 6532 internationalized addresses). */
    private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uFFFF-]";
    private static final Pattern DOT_ATOM = Pattern.compile(ATEXT + "+(\\." + ATEXT + "+)*");
    private static final Pattern QUOTED = Pattern.compile("\"([\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\x20-\\x7E])*\"");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern LITERAL = Pattern.compile("\\[(\\d{1,3}(\\.\\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\\]");

    private EmailAddresses() {
    }

    /** Null when valid, else why not. */
    public static String problem(String address) {
        if (address == null || address.isEmpty()) {
            return "An address is required.";
        }
        if (hasControl(address)) {
            return "Control characters (such as CR or LF) are not allowed.";
        }
        if (TextRules.hasInvisible(address) || TextRules.isBrokenUnicode(address) || TextRules.hasBidiControl(address)) {
            return "Invisible or formatting characters (such as a zero-width space) are not allowed in an address: "
                    + "what is checked must be exactly what is sent.";
        }
        if (address.length() > 254) {
            return "An address can be at most 254 characters.";
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return "Not an e-mail address (expected local@domain).";
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.length() > 64) {
            return "The part before @ can be at most 64 characters.";
        }
        if (!DOT_ATOM.matcher(local).matches() && !QUOTED.matcher(local).matches()) {
            return "The part before @ is not valid.";
        }
        if (LITERAL.matcher(domain).matches()) {
            return null;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            return "The domain is not valid.";
        }
        if (!IDN.toUnicode(ascii, IDN.USE_STD3_ASCII_RULES).equalsIgnoreCase(IDN.toUnicode(domain, IDN.USE_STD3_ASCII_RULES))) {
            // IDNA would map or drop characters (full-width letters, ignorables): what is sent would differ from what was checked.
            return "The domain has characters that would be changed before sending; write it as it should be sent.";
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return "The domain needs at least one dot (for example contoso.com).";
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "The domain is not valid.";
            }
        }
        return null;
    }

    public static boolean hasControl(String text) {
        return text != null && TextRules.hasControl(text, false);
    }
}
