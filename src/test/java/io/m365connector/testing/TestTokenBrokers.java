package io.m365connector.testing;

import io.m365connector.connection.ConnectionStore;
import io.m365connector.crypto.LocalKeyProvider;
import io.m365connector.crypto.TokenCipher;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.SettingsReader;
import io.m365connector.tokens.MsalClients;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.TokenBroker;
import java.time.Duration;

/** Shared test setup for token brokers. */
public final class TestTokenBrokers {
    private TestTokenBrokers() {
    }

    /**
     * A broker for decisions made from the row alone (refusals, held permissions, paths that end before Entra ID):
     * an all-zero local key, MSAL clients of the test settings given no HTTP client (nothing here answers for Entra ID,
     * so a path that reached it would fail differently), a 5-minute clock skew, the row re-read every 30 s, waits on {@code clock}.
     */
    public static TokenBroker offline(ConnectionStore store, RefreshOutcomes outcomes, MutableClock clock) {
        return new TokenBroker(store, new TokenSealer(new LocalKeyProvider(new byte[32]), new TokenCipher()),
                new MsalClients(SettingsReader.read(TestSettings.base("UseDevelopmentStorage=true")), null), outcomes, clock,
                new TokenBroker.Timing(Duration.ofMinutes(5), Duration.ofSeconds(30), new ClockSleeper(clock)));
    }
}
