package io.m365connector.connection;

import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.Connection.SignInProof;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Connections in Azure Table Storage.
 *
 * <p><b>connections</b> table: one row per connection, PartitionKey = RowKey = connection id.
 * Point reads and ETag-conditional replaces; the MSAL token cache is stored only as ciphertext.
 * The RowKey repeats the id rather than being a constant: Azurite (tests, local runs) finds an
 * entity through its RowKey index first, so a RowKey shared by every row made each point read and
 * write scan the whole table (5x slower refreshes with 11,000 rows, measured with SweepBenchmark).
 *
 * <p><b>Refresh index</b> ({@code refreshdue} table): one entry per connection that has a due time,
 * PartitionKey = {@code due-<shard>} (shard = last hex digit of the id, mod {@value #SHARDS}) and
 * RowKey = {@code <due epoch millis, 13 digits>_<connection id>}. Row keys sort by due time, so the
 * sweep asks each shard for the range {@code RowKey < now}: the service reads only due entries, never
 * the connections that are not due, however many there are. Shards spread the writes of refresh
 * workers over several partitions. The connection row stays where it is: moving rows between
 * partitions on every refresh would lose the ETag that protects the refresh token.
 *
 * <p>Index and row are two writes without a transaction, ordered so that an interruption can only
 * leave an extra entry, never a missing one: the new entry is written before the row, the old entry
 * is deleted after it. Extra entries are noticed by the sweep (the connection's due time differs) and
 * dropped with {@link #forgetDue}.
 *
 * <p><b>Owner index</b> ({@code connectionowners} table): {@link OwnerIndex}, written before a new row and
 * removed after a deleted one, in the same interruption-safe order.
 */
public final class TableConnectionStore implements ConnectionStore {
    static final int SHARDS = 8;

    private final TableAccess connections;
    private final TableAccess dueIndex;
    private final OwnerIndex owners;

    public TableConnectionStore(TableClient connections, TableClient dueIndex, TableClient owners) {
        this.connections = new TableAccess(connections);
        this.dueIndex = new TableAccess(dueIndex);
        this.owners = new OwnerIndex(owners);
    }

    @Override
    public Optional<Connection> find(String id) {
        if (!Connection.isValidId(id)) {
            return Optional.empty();
        }
        return connections.find(id, id).map(TableConnectionStore::fromEntity);
    }

    @Override
    public Connection create(Connection connection) {
        Instant due = connection.refresh().nextRefreshDue();
        owners.add(connection);
        indexAt(connection.id(), due);
        try {
            Response<Void> response = connections.call(() ->
                    connections.client().createEntityWithResponse(toEntity(connection), null, null));
            return connection.toBuilder().version(new RowVersion(TableAccess.etag(response), due)).build();
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 409) {
                throw new ConcurrentUpdateException(connection.id(), "Connection " + connection.id() + " already exists.");
            }
            throw e;
        }
    }

    @Override
    public Connection update(Connection connection) {
        RowVersion read = connection.version();
        if (read == null) {
            throw new IllegalArgumentException("Only a connection read from the store can be updated; use create for new ones.");
        }
        Instant due = connection.refresh().nextRefreshDue();
        if (!read.ownerIndexed()) {
            owners.add(connection); // a row from before the owner index: indexed on its first update
        }
        indexAt(connection.id(), due);
        String etag = connections.replaceIfUnchanged(toEntity(connection), read.etag())
                .orElseThrow(() -> new ConcurrentUpdateException(connection.id(), "Connection " + connection.id()
                        + " changed since it was read; re-read it and try again."));
        if (read.indexedDue() != null && !read.indexedDue().equals(due)) {
            removeIndexEntry(connection.id(), read.indexedDue());
        }
        return connection.toBuilder().version(new RowVersion(etag, due)).build();
    }

    @Override
    public void delete(String id) {
        Optional<Connection> existing = find(id);
        if (existing.isEmpty()) {
            return;
        }
        try {
            connections.run(() -> connections.client().deleteEntity(id, id));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
        Instant due = existing.get().version().indexedDue();
        if (due != null) {
            removeIndexEntry(id, due);
        }
        owners.remove(existing.get());
    }

    @Override
    public ConnectionPage listByOwner(OwnerQuery query) {
        return owners.list(query, this::find);
    }

    @Override
    public List<DueConnection> findDue(Instant now, int limit) {
        String upper = millis(now.plusMillis(1));
        List<DueConnection> due = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            String filter = "PartitionKey eq '" + partition(shard) + "' and RowKey lt '" + upper + "'";
            ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter)
                    .setSelect(List.of("RowKey")).setTop(Math.min(limit, 1000));
            dueIndex.run(() -> {
                int taken = 0;
                for (TableEntity entry : dueIndex.client().listEntities(options, null, null)) {
                    due.add(parseRowKey(entry.getRowKey()));
                    if (++taken >= limit) {
                        break;
                    }
                }
            });
        }
        due.sort(Comparator.comparing(DueConnection::dueAt));
        return due.size() > limit ? List.copyOf(due.subList(0, limit)) : List.copyOf(due);
    }

    @Override
    public void recordUse(String id, Instant at) {
        TableEntity patch = new TableEntity(id, id).addProperty("LastUsedAt", time(at));
        try {
            connections.run(() -> connections.client().updateEntity(patch, TableEntityUpdateMode.MERGE));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
    }

    @Override
    public void forgetDue(DueConnection entry) {
        removeIndexEntry(entry.connectionId(), entry.dueAt());
    }

    private void indexAt(String id, Instant due) {
        if (due == null) {
            return;
        }
        TableEntity entry = new TableEntity(partition(shardOf(id)), millis(due) + "_" + id);
        dueIndex.run(() -> dueIndex.client().upsertEntity(entry));
    }

    private void removeIndexEntry(String id, Instant due) {
        try {
            dueIndex.run(() -> dueIndex.client().deleteEntity(partition(shardOf(id)), millis(due) + "_" + id));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
    }

    static int shardOf(String connectionId) {
        return Character.digit(connectionId.charAt(connectionId.length() - 1), 16) % SHARDS;
    }

    private static String partition(int shard) {
        return "due-" + shard;
    }

    private static String millis(Instant instant) {
        return String.format("%013d", instant.toEpochMilli());
    }

    private static DueConnection parseRowKey(String rowKey) {
        int split = rowKey.indexOf('_');
        return new DueConnection(rowKey.substring(split + 1), Instant.ofEpochMilli(Long.parseLong(rowKey.substring(0, split))));
    }

    private static TableEntity toEntity(Connection c) {
        TableEntity e = new TableEntity(c.id(), c.id())
                .addProperty("OwnerId", c.ownerId())
                .addProperty("Cloud", c.cloud().id())
                .addProperty("Status", c.status().id())
                .addProperty("Features", c.features().stream().map(Feature::id).sorted().collect(Collectors.joining(",")))
                .addProperty("GrantedScopes", String.join(" ", c.grantedScopes()))
                .addProperty("FailureCount", c.refresh().failureCount())
                .addProperty("CreatedAt", time(c.createdAt()))
                .addProperty("UpdatedAt", time(c.updatedAt()))
                .addProperty("OwnerIndexed", true);
        if (c.account() != null) {
            e.addProperty("TenantId", c.account().tenantId());
            e.addProperty("UserObjectId", c.account().userObjectId());
            putIfPresent(e, "UserPrincipalName", c.account().userPrincipalName());
        }
        if (c.tokens() != null) {
            e.addProperty("TokenCache", c.tokens().ciphertext().toArray());
            e.addProperty("TokenKeyVersion", c.tokens().keyVersion());
        }
        RefreshState r = c.refresh();
        putIfPresent(e, "AccessTokenExpiresAt", time(r.accessTokenExpiresAt()));
        putIfPresent(e, "NextRefreshDue", time(r.nextRefreshDue()));
        putIfPresent(e, "LastRefreshAt", time(r.lastRefreshAt()));
        putIfPresent(e, "LastErrorCode", r.lastErrorCode());
        putIfPresent(e, "LastUsedAt", time(r.lastUsedAt()));
        if (c.proof() != null) {
            e.addProperty("CompletionHash", c.proof().completionHash());
            putIfPresent(e, "SignInSessionHash", c.proof().sessionHash());
            putIfPresent(e, "SignInConfirmedAt", time(c.proof().confirmedAt()));
        }
        if (c.disconnects() > 0) {
            e.addProperty("Disconnects", c.disconnects());
        }
        return e;
    }

    private static Connection fromEntity(TableEntity e) {
        String tenantId = string(e, "TenantId");
        Account account = tenantId == null ? null
                : new Account(tenantId, string(e, "UserObjectId"), string(e, "UserPrincipalName"));
        byte[] ciphertext = (byte[]) e.getProperty("TokenCache");
        SealedTokens tokens = ciphertext == null ? null : new SealedTokens(ciphertext, string(e, "TokenKeyVersion"));
        Object failures = e.getProperty("FailureCount");
        RefreshState refresh = new RefreshState(instant(e, "AccessTokenExpiresAt"), instant(e, "NextRefreshDue"),
                instant(e, "LastRefreshAt"), string(e, "LastErrorCode"), failures == null ? 0 : ((Number) failures).intValue(),
                instant(e, "LastUsedAt"));
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        String rawFeatures = string(e, "Features");
        if (rawFeatures != null && !rawFeatures.isBlank()) {
            Arrays.stream(rawFeatures.split(",")).map(Feature::fromId).flatMap(Optional::stream).forEach(features::add);
        }
        String rawScopes = string(e, "GrantedScopes");
        Set<String> scopes = rawScopes == null || rawScopes.isBlank() ? Set.of() : Set.of(rawScopes.split(" "));
        return new Connection(e.getPartitionKey(), string(e, "OwnerId"),
                NationalCloud.fromId(string(e, "Cloud")).orElseThrow(() -> new IllegalStateException("Unknown cloud in row " + e.getPartitionKey())),
                ConnectionStatus.fromId(string(e, "Status")), account, features, scopes, tokens, refresh,
                instant(e, "CreatedAt"), instant(e, "UpdatedAt"),
                string(e, "CompletionHash") == null ? null : new SignInProof(string(e, "CompletionHash"), string(e, "SignInSessionHash"),
                        instant(e, "SignInConfirmedAt")),
                e.getProperty("Disconnects") instanceof Number n ? n.intValue() : 0,
                new RowVersion(e.getETag(), refresh.nextRefreshDue(), Boolean.TRUE.equals(e.getProperty("OwnerIndexed"))));
    }

    private static void putIfPresent(TableEntity e, String name, Object value) {
        if (value != null) {
            e.addProperty(name, value);
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static String string(TableEntity e, String name) {
        Object value = e.getProperty(name);
        return value == null ? null : value.toString();
    }

    private static Instant instant(TableEntity e, String name) {
        Object value = e.getProperty(name);
        if (value == null) {
            return null;
        }
        return value instanceof OffsetDateTime odt ? odt.toInstant() : OffsetDateTime.parse(value.toString()).toInstant();
    }
}
