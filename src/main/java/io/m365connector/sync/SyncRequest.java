package io.m365connector.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Json;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A queued request to run a target's delta for a connection (a resource of the user's own mailbox or of a
 * shared one; queue messages written before shared mailboxes existed have no {@code mailbox}, and are the own): from a change notification, the sync
 * timer, a lifecycle event, a continuation of a long run, or a new connection.
 *
 * @param reason      why (for the log): notification, scheduled, recheck, timer, missed, removed, more, connected, retry
 * @param requestedAt when it was asked for; a run that started later covers it
 */
public record SyncRequest(String connectionId, SyncTarget target, String reason, Instant requestedAt) {
    /** Graph's lifecycle events (Learn: Reduce missing subscriptions and change notifications), the reason of their runs. */
    static final String SUBSCRIPTION_REMOVED = "subscriptionRemoved";
    static final String REAUTHORIZATION_REQUIRED = "reauthorizationRequired";
    static final Set<String> LIFECYCLE_EVENTS = Set.of(SUBSCRIPTION_REMOVED, REAUTHORIZATION_REQUIRED, "missed");

    /** A request for a resource of the user's own mailbox. */
    public SyncRequest(String connectionId, SyncResource resource, String reason, Instant requestedAt) {
        this(connectionId, SyncTarget.own(resource), reason, requestedAt);
    }

    public SyncResource resource() {
        return target.resource();
    }

    public String toJson() {
        return Json.write(new Wire(connectionId, target.resource().id(), target.mailbox(), reason, requestedAt.toString()));
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Wire(String connectionId, String resource, String mailbox, String reason, String requestedAt) {
    }

    /** The request in a queue message, or empty for a message this version cannot read (dropped with a log line). */
    public static Optional<SyncRequest> parse(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            String id = node.path("connectionId").asText();
            Optional<SyncResource> resource = SyncResource.fromId(node.path("resource").asText());
            String mailbox = node.path("mailbox").isTextual() ? node.path("mailbox").asText() : null;
            if (!Connection.isValidId(id) || resource.isEmpty() || (mailbox != null && SharedMailboxes.problem(mailbox) != null)) {
                return Optional.empty();
            }
            return Optional.of(new SyncRequest(id, new SyncTarget(resource.get(), mailbox), node.path("reason").asText("unknown"),
                    Instant.parse(node.path("requestedAt").asText())));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
