package io.m365connector.connect;

import static io.m365connector.platform.EntityValues.instant;
import static io.m365connector.platform.EntityValues.putIfPresent;
import static io.m365connector.platform.EntityValues.string;
import static io.m365connector.platform.EntityValues.utc;

import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Feature;
import io.m365connector.connection.SealedTokens;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.TableAccess;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Login sessions in the {@code loginsessions} table. Session ids start with their creation day
 * ({@code yyyyMMdd.}) and that day is the PartitionKey, so expired sessions can be removed a whole
 * day-partition at a time without scanning the table. The RowKey is the SHA-256 of the session id:
 * a session id is the capability in a login link, so it never appears in storage requests, logs or
 * the table itself.
 */
public final class TableLoginSessionStore implements LoginSessionStore {
    private final TableAccess table;

    public TableLoginSessionStore(TableClient table) {
        this.table = new TableAccess(table);
    }

    @Override
    public LoginSession create(LoginSession session) {
        try {
            Response<Void> response = table.call(() -> table.client().createEntityWithResponse(toEntity(session), null, null));
            return session.withVersion(TableAccess.etag(response));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 409) {
                throw new ConcurrentUpdateException(null, "Login session already exists.");
            }
            throw e;
        }
    }

    @Override
    public Optional<LoginSession> find(String id) {
        if (!SessionIds.isValid(id)) {
            return Optional.empty();
        }
        return table.find(SessionIds.partitionOf(id), Secrets.sha256(id)).map(entity -> fromEntity(id, entity));
    }

    @Override
    public LoginSession update(LoginSession session) {
        return table.replaceIfUnchanged(toEntity(session), session.version()).map(session::withVersion)
                .orElseThrow(() -> new ConcurrentUpdateException(session.connectionId(), "The login session was used meanwhile."));
    }

    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        // The PartitionKey is the creation day: old sessions are a key range, nothing current is read.
        return table.deleteMatching("PartitionKey lt '" + SessionIds.dayOf(cutoff) + "'");
    }

    private static TableEntity toEntity(LoginSession s) {
        TableEntity e = new TableEntity(SessionIds.partitionOf(s.id()), Secrets.sha256(s.id()))
                .addProperty("Kind", s.kind().name())
                .addProperty("Cloud", s.cloud().id())
                .addProperty("Tenant", s.tenant())
                .addProperty("Features", s.features().stream().map(Feature::id).sorted().collect(Collectors.joining(",")))
                .addProperty("CreatedAt", s.createdAt().atOffset(ZoneOffset.UTC))
                .addProperty("ExpiresAt", s.expiresAt().atOffset(ZoneOffset.UTC))
                .addProperty("Phase", s.phase().name());
        putIfPresent(e, "ConnectionId", s.connectionId());
        putIfPresent(e, "LoginHint", s.loginHint());
        putIfPresent(e, "DomainHint", s.domainHint());
        putIfPresent(e, "ReturnUrl", s.returnUrl() == null ? null : s.returnUrl().toString());
        putIfPresent(e, "BrowserHash", s.browserHash());
        putIfPresent(e, "StateHash", s.stateHash());
        putIfPresent(e, "Nonce", s.nonce());
        putIfPresent(e, "ConnectionUpdatedAt", utc(s.connectionUpdatedAt()));
        putIfPresent(e, "ConnectionDisconnects", s.connectionDisconnects());
        if (s.sealedVerifier() != null) {
            e.addProperty("Verifier", s.sealedVerifier().ciphertext().toArray());
            e.addProperty("VerifierKeyVersion", s.sealedVerifier().keyVersion());
        }
        return e;
    }

    private static LoginSession fromEntity(String id, TableEntity e) {
        byte[] verifier = (byte[]) e.getProperty("Verifier");
        String returnUrl = string(e, "ReturnUrl");
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        String rawFeatures = string(e, "Features");
        if (rawFeatures != null && !rawFeatures.isBlank()) {
            Arrays.stream(rawFeatures.split(",")).map(Feature::fromId).flatMap(Optional::stream).forEach(features::add);
        }
        // ConnectionUpdatedAt: none on an admin-consent session, nor on one from before it was kept
        return new LoginSession(id, LoginSession.Kind.valueOf(string(e, "Kind")), string(e, "ConnectionId"),
                NationalCloud.fromId(string(e, "Cloud")).orElseThrow(), string(e, "Tenant"), features,
                string(e, "LoginHint"), string(e, "DomainHint"), returnUrl == null ? null : URI.create(returnUrl),
                instant(e, "CreatedAt"), instant(e, "ExpiresAt"), LoginSession.Phase.valueOf(string(e, "Phase")),
                string(e, "BrowserHash"), string(e, "StateHash"), string(e, "Nonce"),
                verifier == null ? null : new SealedTokens(verifier, string(e, "VerifierKeyVersion")), instant(e, "ConnectionUpdatedAt"),
                e.getProperty("ConnectionDisconnects") instanceof Number n ? Integer.valueOf(n.intValue()) : null, e.getETag());
    }
}
