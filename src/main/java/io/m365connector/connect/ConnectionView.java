package io.m365connector.connect;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Feature;
import io.m365connector.connection.SyncHealth;
import java.time.Instant;
import java.util.List;

/**
 * What GET /connections/{id} shows: status and identity, never tokens.
 *
 * @param missingFeatures the features whose permissions are not all granted (the user unticked one at
 *                        consent, or has not signed in yet): what a web app offers to add
 * @param nextRefreshAt   when the connection's tokens are next refreshed (active connections only)
 * @param removeAt        when a disconnected connection, or a new one nobody signed in to, is removed (GET answers 404
 *                        then); absent for the others
 * @param signInConfirmed whether the web app proved the sign-in whose tokens the connection holds (POST …/completion
 *                        accepted its code): a web app adopts a connection for a user only then
 */
public record ConnectionView(String connectionId, String ownerId, String status, String cloud, String tenantId,
                             User user, List<String> features, List<String> grantedScopes, List<String> missingScopes,
                             List<String> missingFeatures, Instant lastRefreshAt, Instant nextRefreshAt, String lastErrorCode,
                             Instant createdAt, Instant updatedAt, @JsonInclude(JsonInclude.Include.NON_NULL) Instant removeAt,
                             boolean signInConfirmed, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SyncHealth> sync) {

    public record User(String objectId, String userPrincipalName) {
    }

    public static ConnectionView of(Connection c) {
        return of(c, List.of());
    }

    /** With the sync state of each synced resource ({@code mail_read}, {@code calendar_read}). */
    public static ConnectionView of(Connection c, List<SyncHealth> sync) {
        return new ConnectionView(c.id(), c.ownerId(), c.status().id(), c.cloud().id(),
                c.account() == null ? null : c.account().tenantId(),
                c.account() == null ? null : new User(c.account().userObjectId(), c.account().userPrincipalName()),
                c.features().stream().map(Feature::id).sorted().toList(),
                List.copyOf(c.grantedScopes()), List.copyOf(c.missingScopes()),
                c.features().stream().filter(f -> f.scopes().stream().anyMatch(c.missingScopes()::contains)).map(Feature::id).sorted().toList(),
                c.refresh().lastRefreshAt(), c.status() == ConnectionStatus.ACTIVE ? c.refresh().nextRefreshDue() : null,
                c.refresh().lastErrorCode(),
                c.createdAt(), c.updatedAt(), c.removable() ? c.refresh().nextRefreshDue() : null,
                c.proof() != null && c.proof().confirmed(), List.copyOf(sync));
    }
}
