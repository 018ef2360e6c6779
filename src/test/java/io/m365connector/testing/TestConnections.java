package io.m365connector.testing;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.Feature;
import java.time.Instant;
import java.util.Set;

/** Shared test data for connections. */
public final class TestConnections {
    private TestConnections() {
    }

    public static Connection active(NationalCloud cloud, Instant now, Instant nextDue) {
        return Connection.builder(Connection.newId(), "owner-42", cloud, now)
                .status(ConnectionStatus.ACTIVE)
                .account(new Account("72f988bf-86f1-41af-91ab-2d7cd011db47", "6f1c1f9a-6b8b-4d1e-9a39-0d3f2a7c8b11", "adele@contoso.com"))
                .features(Set.of(Feature.MAIL, Feature.CALENDAR))
                .grantedScopes(Set.of("Mail.Send", "Mail.ReadWrite", "Calendars.ReadWrite"))
                .refresh(new RefreshState(now.plusSeconds(3600), nextDue, now, null, 0, null))
                .build();
    }
}
