package io.m365connector.connection;

import static io.m365connector.platform.EntityValues.instant;
import static io.m365connector.platform.EntityValues.putIfPresent;
import static io.m365connector.platform.EntityValues.string;
import static io.m365connector.platform.EntityValues.utc;

import com.azure.data.tables.models.TableEntity;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.Connection.SignInProof;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** A connection as a row of the {@code connections} table, and back (TableConnectionStore's mapping). */
final class ConnectionRows {
    private ConnectionRows() {
    }

    static TableEntity toEntity(Connection c) {
        TableEntity e = new TableEntity(c.id(), c.id())
                .addProperty("OwnerId", c.ownerId())
                .addProperty("Cloud", c.cloud().id())
                .addProperty("Status", c.status().id())
                .addProperty("Features", c.features().stream().map(Feature::id).sorted().collect(Collectors.joining(",")))
                .addProperty("GrantedScopes", String.join(" ", c.grantedScopes()))
                .addProperty("FailureCount", c.refresh().failureCount())
                .addProperty("CreatedAt", utc(c.createdAt()))
                .addProperty("UpdatedAt", utc(c.updatedAt()))
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
        putIfPresent(e, "AccessTokenExpiresAt", utc(r.accessTokenExpiresAt()));
        putIfPresent(e, "NextRefreshDue", utc(r.nextRefreshDue()));
        putIfPresent(e, "LastRefreshAt", utc(r.lastRefreshAt()));
        putIfPresent(e, "LastErrorCode", r.lastErrorCode());
        putIfPresent(e, "LastUsedAt", utc(r.lastUsedAt()));
        if (c.proof() != null) {
            e.addProperty("CompletionHash", c.proof().completionHash());
            putIfPresent(e, "SignInSessionHash", c.proof().sessionHash());
            putIfPresent(e, "SignInConfirmedAt", utc(c.proof().confirmedAt()));
        }
        if (c.disconnects() > 0) {
            e.addProperty("Disconnects", c.disconnects());
        }
        return e;
    }

    static Connection fromEntity(TableEntity e) {
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
}
