package io.m365connector.testing;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.testing.entra.FakeEntraId;
import java.time.Clock;
import java.util.Map;

/**
 * Identity-based storage for an instance under test, as the infra template deploys it: the account's service URIs
 * (the global cloud's real host names, routed to an {@link Azurite#secured} Azurite) instead of a connection string,
 * and the platform's identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER) with the user-assigned identity in
 * AZURE_CLIENT_ID.
 */
public final class IdentityStorage {
    /** The storage account Azurite serves; its host names are {@code devstoreaccount1.<service>.core.windows.net}. */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String TENANT = "3c3c3c3c-aaaa-4bbb-8ccc-dddddddddddd";
    /** The function app's user-assigned identity that holds the storage roles. */
    public static final String CLIENT_ID = "2f2f2f2f-1111-4222-8333-444444444444";
    public static final String PRINCIPAL = "4e4e4e4e-5555-4666-8777-888888888888";

    private IdentityStorage() {
    }

    /**
     * The platform's identity endpoint with {@link #CLIENT_ID} assigned, on the real clock: Azurite checks the tokens'
     * lifetime against its own.
     */
    public static FakeManagedIdentityEndpoint endpoint(FakeEntraId entra) {
        return new FakeManagedIdentityEndpoint(entra, HostingCloud.GLOBAL, TENANT, Clock.systemUTC())
                .assign(CLIENT_ID, PRINCIPAL);
    }

    /** Another instance of {@code h}'s app on identity-based storage in {@code azurite}, with {@code clientId}'s tokens. */
    public static ConnectorHarness.Instance instance(ConnectorHarness h, Azurite azurite, FakeManagedIdentityEndpoint identity,
                                                     String clientId) {
        route(h.routing, azurite);
        return h.newInstance(env -> apply(env, identity, clientId));
    }

    /** Sends the account's table and queue host names to {@code azurite}. */
    public static LocalCloudRouting route(LocalCloudRouting routing, Azurite azurite) {
        return routing.routeSuffix(".table.core.windows.net", azurite.tablePort()).routeSuffix(".queue.core.windows.net", azurite.queuePort());
    }

    /** Turns {@code env} into identity-based storage reached with {@code clientId}'s tokens from {@code identity}. */
    public static void apply(Map<String, String> env, FakeManagedIdentityEndpoint identity, String clientId) {
        env.remove("AzureWebJobsStorage");
        env.put("AzureWebJobsStorage__tableServiceUri", "https://" + ACCOUNT + ".table.core.windows.net");
        env.put("AzureWebJobsStorage__queueServiceUri", "https://" + ACCOUNT + ".queue.core.windows.net");
        env.putAll(identity.environment());
        env.put("AZURE_CLIENT_ID", clientId);
    }
}
