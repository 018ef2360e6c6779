package io.m365connector.connect;

import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.OwnerQuery;
import io.m365connector.platform.RequestValidationException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /connections?ownerId=…}: whose connections (the caller's {@code X-Owner-Id} must name the
 * same owner), which statuses, how many, and from where on. Every problem is reported at once.
 *
 * @param query what the store reads: the cursor already checked and turned into its position
 */
public record ListConnectionsRequest(OwnerQuery query) {
    static final int DEFAULT_PAGE_SIZE = 20;
    /** {@code code} is the function key when it is sent in the query. */
    private static final Set<String> PARAMETERS = Set.of("ownerId", "status", "pageSize", "cursor", "code");

    public static ListConnectionsRequest parse(Map<String, String> parameters, String ownerHeader) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        parameters.keySet().stream().filter(name -> !PARAMETERS.contains(name)).sorted().forEach(name ->
                errors.add(name, "Unknown query parameter. Use ownerId, status, pageSize, cursor."));
        String ownerId = parameters.get("ownerId");
        if (ownerId == null || ownerId.isEmpty()) {
            errors.add("ownerId", "Required: your application's id for the user whose connections to list.");
        } else if (!ConnectionRef.isOwnerId(ownerId)) {
            errors.add("ownerId", "Must be 1-256 characters without control characters.");
        } else if (ownerHeader == null || !ownerHeader.equals(ownerId)) {
            errors.add("X-Owner-Id", "Required, and must equal ownerId: send your signed-in user's id in both, so a tampered "
                    + "ownerId cannot list another user's connections.");
        }
        Set<ConnectionStatus> statuses = statuses(parameters.get("status"), errors);
        int pageSize = pageSize(parameters.get("pageSize"), errors);
        String position = null;
        if (parameters.get("cursor") != null && ownerId != null) {
            position = ListCursor.position(parameters.get("cursor"), ownerId, statuses)
                    .orElseGet(() -> {
                        errors.add("cursor", "Not a cursor of this listing (same ownerId and status): use the nextCursor of the "
                                + "previous page, or start again without a cursor.");
                        return null;
                    });
        }
        errors.throwIfAny();
        return new ListConnectionsRequest(new OwnerQuery(ownerId, statuses, pageSize, position));
    }

    private static Set<ConnectionStatus> statuses(String raw, RequestValidationException.Collector errors) {
        Set<ConnectionStatus> statuses = EnumSet.noneOf(ConnectionStatus.class);
        if (raw == null) {
            return statuses;
        }
        String allowed = Arrays.stream(ConnectionStatus.values()).map(ConnectionStatus::id).collect(Collectors.joining(", "));
        for (String part : raw.split(",", -1)) {
            Arrays.stream(ConnectionStatus.values()).filter(s -> s.id().equals(part.trim())).findFirst().ifPresentOrElse(statuses::add,
                    () -> errors.add("status", "Unknown status '" + (part.length() > 40 ? part.substring(0, 40) + "…" : part) + "'. Use one or more of " + allowed
                            + ", separated by commas."));
        }
        return statuses;
    }

    private static int pageSize(String raw, RequestValidationException.Collector errors) {
        if (raw == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(raw);
            if (size >= 1 && size <= OwnerQuery.MAX_PAGE_SIZE) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add("pageSize", "Must be a whole number from 1 to " + OwnerQuery.MAX_PAGE_SIZE + " (default " + DEFAULT_PAGE_SIZE + ").");
        return DEFAULT_PAGE_SIZE;
    }
}
