package io.m365connector.scheduling;

import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.RequestValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of GET /connections/{id}/rooms: filters (room list, building, minimum capacity), the page
 * size, and the opaque token of the next page. The token carries Graph's offset of the next room to
 * look at and a fingerprint of the filters, so it cannot continue a listing with other filters.
 *
 * @param roomList    e-mail address of a room list (Graph lists a room list's rooms by its address), or null
 * @param building    building name, compared without regard to case, or null
 * @param minCapacity rooms with at least this many seats (rooms without a capacity are left out), or null
 * @param skip        how many rooms of Graph's listing come before this page
 */
public record RoomsRequest(String roomList, String building, Integer minCapacity, int pageSize, int skip) {
    public static final int DEFAULT_PAGE_SIZE = 25;
    public static final int MAX_PAGE_SIZE = 100;
    private static final Set<String> PARAMETERS = Set.of("roomList", "building", "minCapacity", "pageSize", "pageToken", "code");
    private static final Pattern TOKEN = Pattern.compile("r1\\.(\\d{1,9})\\.([0-9a-f]{8})");

    public static RoomsRequest parse(Map<String, String> query) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                errors.add(name, "Unknown parameter. Allowed: " + String.join(", ", new TreeSet<>(PARAMETERS)) + ".");
            }
        }
        String roomList = query.get("roomList");
        if (roomList != null && MailRecipient.problem(roomList) != null) {
            errors.add("roomList", "The room list's e-mail address: " + MailRecipient.problem(roomList));
        }
        String building = query.get("building");
        if (building != null && (building.isBlank() || building.length() > 256 || building.chars().anyMatch(Character::isISOControl))) {
            errors.add("building", "1-256 characters without control characters.");
        }
        Integer minCapacity = number(query.get("minCapacity"), 1, 10_000, "minCapacity", errors);
        Integer pageSize = number(query.get("pageSize"), 1, MAX_PAGE_SIZE, "pageSize", errors);
        RoomsRequest request = new RoomsRequest(roomList, building, minCapacity,
                pageSize == null ? DEFAULT_PAGE_SIZE : pageSize, 0);
        int skip = skip(query.get("pageToken"), request.fingerprint(), errors);
        errors.throwIfAny();
        return new RoomsRequest(roomList, building, minCapacity, request.pageSize(), skip);
    }

    /** The token of the page that starts at Graph offset {@code nextSkip}. */
    String tokenFor(int nextSkip) {
        String raw = "r1." + nextSkip + "." + fingerprint();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether a room passes the filters Graph does not apply (building, capacity). */
    boolean matches(String roomBuilding, Integer capacity) {
        if (building != null && (roomBuilding == null || !roomBuilding.trim().equalsIgnoreCase(building.trim()))) {
            return false;
        }
        return minCapacity == null || (capacity != null && capacity >= minCapacity);
    }

    private String fingerprint() {
        String filters = (roomList == null ? "" : roomList.toLowerCase(Locale.ROOT)) + "\n"
                + (building == null ? "" : building.trim().toLowerCase(Locale.ROOT)) + "\n" + minCapacity;
        return String.format("%08x", filters.hashCode());
    }

    private static int skip(String token, String fingerprint, RequestValidationException.Collector errors) {
        if (token == null) {
            return 0;
        }
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            raw = "";
        }
        Matcher m = TOKEN.matcher(raw);
        if (!m.matches()) {
            errors.add("pageToken", "Not a page token: pass nextPageToken from the previous page unchanged.");
            return 0;
        }
        if (!m.group(2).equals(fingerprint)) {
            errors.add("pageToken", "This token belongs to a listing with other filters: keep roomList, building and minCapacity "
                    + "as they were, or start again without pageToken.");
            return 0;
        }
        return Integer.parseInt(m.group(1));
    }

    private static Integer number(String value, int min, int max, String name, RequestValidationException.Collector errors) {
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(name, "Must be a whole number from " + min + " to " + max + ".");
        return null;
    }
}
