package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.TableAccess;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Graph subscriptions the connector holds, table {@code subscriptions}: PartitionKey = Graph's
 * subscription id (what a notification names), RowKey = {@code s}; the connection and resource it
 * belongs to, the SHA-256 of its clientState (the secret Graph echoes; never stored in the clear), and
 * its expiry. The notification receiver reads one row per notification and nothing else.
 */
public final class Subscriptions {
    /** One held subscription. */
    public record Held(String subscriptionId, String connectionId, SyncResource resource, String clientStateHash, Instant expiresAt) {
        /** Whether {@code clientState} is this subscription's (compared in constant time). */
        public boolean accepts(String clientState) {
            return clientState != null && MessageDigest.isEqual(Secrets.sha256(clientState).getBytes(StandardCharsets.US_ASCII),
                    clientStateHash.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final TableAccess table;

    public Subscriptions(TableClient table) {
        this.table = new TableAccess(table);
    }

    public Optional<Held> find(String subscriptionId) {
        return find(subscriptionId, null);
    }

    /** {@link #find}, given up after {@code within} (null: the storage client's own timeouts). */
    public Optional<Held> find(String subscriptionId, Duration within) {
        if (subscriptionId == null || !subscriptionId.matches("[A-Za-z0-9-]{1,100}")) {
            return Optional.empty();
        }
        // a resource this version does not know (a later version's row, after a rollback) is no subscription of its own
        return table.find(subscriptionId, "s", within).flatMap(e -> SyncResource.fromId((String) e.getProperty("Resource"))
                .map(resource -> new Held(subscriptionId, (String) e.getProperty("ConnectionId"), resource,
                        (String) e.getProperty("ClientStateHash"), e.getProperty("ExpiresAt") instanceof OffsetDateTime t ? t.toInstant() : null)));
    }

    void save(Held held) {
        table.upsert(new TableEntity(held.subscriptionId(), "s").addProperty("ConnectionId", held.connectionId())
                .addProperty("Resource", held.resource().id()).addProperty("ClientStateHash", held.clientStateHash())
                .addProperty("ExpiresAt", held.expiresAt().atOffset(ZoneOffset.UTC)));
    }

    void remove(String subscriptionId) {
        table.delete(subscriptionId, "s");
    }
}
