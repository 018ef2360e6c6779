package io.m365connector.connect;

import io.m365connector.connection.ConnectionStatus;
import io.m365connector.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The opaque {@code cursor} of a connections listing: the store's position, bound to the listing it
 * came from (owner and status filter), so a cursor cannot be replayed against another owner's list
 * or be hand-made into a query. Base64url; nothing secret in it.
 */
final class ListCursor {
    private static final Pattern FORM = Pattern.compile("1\\.([A-Za-z0-9_-]{16})\\.([A-Za-z0-9_]{1,100})");

    private ListCursor() {
    }

    static String of(String ownerId, Set<ConnectionStatus> statuses, String position) {
        String text = "1." + binding(ownerId, statuses) + "." + position;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The position, when {@code cursor} is one this listing issued. */
    static Optional<String> position(String cursor, String ownerId, Set<ConnectionStatus> statuses) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches() || !Secrets.same(m.group(1), binding(ownerId, statuses))) {
            return Optional.empty();
        }
        return Optional.of(m.group(2));
    }

    private static String binding(String ownerId, Set<ConnectionStatus> statuses) {
        String filter = statuses.stream().map(ConnectionStatus::id).sorted().collect(Collectors.joining(","));
        return Secrets.sha256(ownerId + "\n" + filter).substring(0, 16);
    }
}
