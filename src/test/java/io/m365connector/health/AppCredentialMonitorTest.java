package io.m365connector.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.m365connector.app.AzureClients;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStatus.State;
import io.m365connector.credentials.AppCredentialStore;
import io.m365connector.credentials.KeyVaultSecretExpiry;
import io.m365connector.credentials.SecretExpiry;
import io.m365connector.maintenance.QueuedStatusNotifications;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.WorkQueue;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.ClientCertificates;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.InMemoryAppCredentialStore;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.TestSettings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The credential check over an in-memory store, a scripted token request and an injected clock:
 * expiry windows (both sides of each edge), how long a result is kept, what an outage changes, and
 * that a change is logged and announced exactly once, also when two instances check at once.
 */
class AppCredentialMonitorTest {
    private static final Instant NOW = Instant.parse("2027-03-01T09:00:00Z");
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private final MutableClock clock = new MutableClock(NOW);
    private final InMemoryAppCredentialStore store = new InMemoryAppCredentialStore();
    private final List<String> queued = new ArrayList<>();
    private final Map<String, String> backstops = new ConcurrentHashMap<>();
    private final QueuedStatusNotifications notifications = new QueuedStatusNotifications(recordingQueue(), clock);
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                logged.add(record); // what an operator's log shows (FINE diagnostics aside)
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Map<String, String> env = TestSettings.base("UseDevelopmentStorage=true");
    /** What the next token requests do: null accepts, otherwise thrown. */
    private Exception tokenAnswer;
    private final AtomicInteger tokenRequests = new AtomicInteger();

    @BeforeEach
    void listen() {
        Logger.getLogger(AppCredentialMonitor.class.getName()).addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger(AppCredentialMonitor.class.getName()).removeHandler(handler);
    }

    @ParameterizedTest(name = "{0} left -> {1}")
    @CsvSource({
        "P365D,       ok",
        "P30DT1S,     ok",
        "P30D,        expiring",
        "P8D,         expiring",
        "P7D,         expiring",
        "P6DT23H59M59S, expiring_soon",
        "PT1S,        expiring_soon",
        "PT0S,        invalid",
        "-P1D,        invalid"
    })
    void whenOnlyTheSecretsExpiryIsKnownThenTheWindowDecidesTheState(Duration left, String state) {
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", NOW.plus(left).toString());

        AppCredentialStatus status = monitor().checkDue().get(0);

        assertEquals(state, status.state().id());
        assertEquals(state.equals("invalid") ? ProblemCode.APP_SECRET_EXPIRED : null, status.code());
        assertEquals(NOW.plus(left), status.expiresAt());
        assertNull(status.lastCheckCode(), "no home tenant: Entra ID is not asked");
        assertEquals(0, tokenRequests.get());
    }

    @Test
    void whenTheWarningWindowIsConfiguredThenExpiringStartsThere() {
        env.put("APP_CREDENTIAL_WARN_DAYS", "60");
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", NOW.plus(Duration.ofDays(45)).toString());

        assertEquals(State.EXPIRING, monitor().checkDue().get(0).state());
    }

    @Test
    void whenEntraAcceptsACredentialWhoseRecordedExpiryPassedThenItIsExpiringSoonNotInvalid() {
        env.put("M365_GLOBAL_HOME_TENANT", TENANT);
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", NOW.minus(Duration.ofDays(1)).toString());

        AppCredentialStatus status = monitor().checkDue().get(0);

        assertEquals(State.EXPIRING_SOON, status.state());
        assertEquals("ok", status.lastCheckCode());
    }

    @Test
    void whenACertificateIsTheCredentialThenItsNotAfterIsTheExpiry() {
        ClientCertificates.ClientCertificate certificate = ClientCertificates.create("expiring", NOW.plus(Duration.ofDays(10)));
        env.remove("M365_GLOBAL_CLIENT_SECRET");
        env.put("M365_GLOBAL_CLIENT_CERTIFICATE", certificate.pfxBase64());
        env.put("M365_GLOBAL_CLIENT_CERTIFICATE_PASSWORD", certificate.password());

        AppCredentialStatus status = monitor().checkDue().get(0);

        assertEquals("certificate", status.kind());
        assertEquals(State.EXPIRING, status.state());
        assertEquals(certificate.certificate().getNotAfter().toInstant(), status.expiresAt());
        clock.advance(Duration.ofDays(10));
        assertEquals(ProblemCode.APP_CERTIFICATE_EXPIRED, monitor().checkDue().get(0).code());
    }

    @Test
    void whenTheSecretComesFromKeyVaultThenItsExpiresAttributeIsRead() {
        try (FakeKeyVault vault = new FakeKeyVault()) {
            vault.putSecret("m365-global-client-secret", "the-secret-value-" + NOW.getEpochSecond(), NOW.plus(Duration.ofDays(20)));
            OutboundHttp http = new OutboundHttp(new Settings.HttpSettings(Duration.ofSeconds(5), Optional.empty()),
                    vault.routeInto(new LocalCloudRouting()));
            SecretExpiry keyVault = new KeyVaultSecretExpiry(url -> AzureClients.secretClient(url, vault.credential(), http.azureHttpClient(), Sleeper.REAL));
            env.put("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL", FakeKeyVault.VAULT_URL + "/secrets/m365-global-client-secret/");

            AppCredentialStatus status = monitor(keyVault).checkDue().get(0);

            assertEquals(State.EXPIRING, status.state());
            assertEquals(NOW.plus(Duration.ofDays(20)), status.expiresAt());
            assertEquals(1, vault.readsOf("m365-global-client-secret"));
        }
    }

    @Test
    void whenCheckedAgainWithinTheIntervalThenEntraIsNotAskedAndAfterItItIs() {
        env.put("M365_GLOBAL_HOME_TENANT", TENANT);
        env.put("APP_CREDENTIAL_CHECK_MINUTES", "30");
        AppCredentialMonitor monitor = monitor();

        monitor.checkDue();
        clock.advance(Duration.ofMinutes(29));
        monitor.checkDue();
        monitor().checkDue(); // another instance: the stored result counts for it too
        assertEquals(1, tokenRequests.get());
        clock.advance(Duration.ofMinutes(1));
        monitor.checkDue();
        assertEquals(2, tokenRequests.get());
    }

    @Test
    void whenTheStateChangesThenEachChangeIsLoggedOnceAndAnnouncedOnce() {
        env.put("M365_GLOBAL_HOME_TENANT", TENANT);
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", NOW.plus(Duration.ofDays(40)).toString());
        AppCredentialMonitor monitor = monitor();
        List<String> states = new ArrayList<>();

        states.add(checkAfter(monitor, Duration.ZERO));                       // ok (first record: logged, no event)
        states.add(checkAfter(monitor, Duration.ofMinutes(20)));              // ok again: nothing
        tokenAnswer = new MsalServiceException("AADSTS7000215: Invalid client secret provided.", "invalid_client");
        states.add(checkAfter(monitor, Duration.ofMinutes(20)));              // invalid
        states.add(checkAfter(monitor, Duration.ofMinutes(20)));              // still invalid: nothing
        tokenAnswer = new IOException("connection reset");
        states.add(checkAfter(monitor, Duration.ofMinutes(20)));              // Entra unreachable: the refusal stands
        tokenAnswer = null;
        states.add(checkAfter(monitor, Duration.ofMinutes(20)));              // recovered (ok)
        states.add(checkAfter(monitor, Duration.ofDays(11)));                 // 29 days left: expiring
        states.add(checkAfter(monitor, Duration.ofDays(1)));                  // still expiring: nothing
        states.add(checkAfter(monitor, Duration.ofDays(22)));                 // 6 days left: expiring_soon

        assertEquals(List.of("ok", "ok", "invalid/app_secret_invalid", "invalid/app_secret_invalid", "invalid/app_secret_invalid", "ok",
                "expiring", "expiring", "expiring_soon"), states);
        assertEquals(5, logged.size(), "one line per change: " + logged.stream().map(LogRecord::getMessage).toList());
        assertTrue(logged.get(1).getMessage().startsWith("App credential of the global cloud (client_secret) is now invalid "
                + "(app_secret_invalid), was ok"), logged.get(1).getMessage());
        List<JsonNode> events = events();
        assertEquals(List.of("app_credential_invalid", "app_credential_recovered", "app_credential_expiring", "app_credential_expiring"),
                events.stream().map(e -> e.get("type").asText()).toList());
        assertEquals("app_secret_invalid", events.get(0).get("errorCode").asText());
        assertEquals(List.of("critical", "info", "warning", "critical"), events.stream().map(e -> e.get("severity").asText()).toList());
        assertEquals(28, events.get(2).get("daysLeft").asLong(), "40 days minus 11 days and 100 minutes, in whole days");
        assertEquals(NOW.plus(Duration.ofDays(40)).toString(), events.get(3).get("expiresAt").asText());
        assertTrue(events.stream().allMatch(e -> e.get("cloud").asText().equals("global") && e.get("id").asText().startsWith("evt_")));
    }

    @Test
    void whenTwoInstancesCheckAtOnceThenOnlyOneRecordsLogsAndAnnouncesTheChange() {
        env.put("M365_GLOBAL_HOME_TENANT", TENANT);
        tokenAnswer = new MsalServiceException("AADSTS7000222: The provided client secret keys are expired.", "invalid_client");
        AppCredentialMonitor first = monitor();
        AtomicInteger inner = new AtomicInteger();
        // The second instance's token request is answered while the first instance checks and records.
        AppCredentialMonitor second = new AppCredentialMonitor(SettingsReader.read(env), (cloud, tenant) -> {
            if (inner.getAndIncrement() == 0) {
                first.checkDue();
            }
            throw tokenAnswer;
        }, SecretExpiry.NONE, store, notifications, clock);

        AppCredentialStatus seenBySecond = second.checkDue().get(0);

        assertEquals(State.INVALID, seenBySecond.state());
        assertEquals(ProblemCode.APP_SECRET_EXPIRED, seenBySecond.code());
        assertEquals(1, logged.size());
        assertEquals(List.of("app_credential_invalid"), events().stream().map(e -> e.get("type").asText()).toList());
    }

    @Test
    void whenAStatusIsAskedForThenItIsReadAtMostOncePerMinutePerInstance() {
        env.put("M365_GLOBAL_HOME_TENANT", TENANT);
        tokenAnswer = new MsalServiceException("AADSTS7000222: The provided client secret keys are expired.", "invalid_client");
        monitor().checkDue();
        AppCredentialMonitor refreshes = monitor();
        assertTrue(refreshes.invalid(NationalCloud.GLOBAL));

        AppCredentialStore.Stored stored = store.find(NationalCloud.GLOBAL).orElseThrow();
        AppCredentialStatus s = stored.status();
        store.save(new AppCredentialStatus(s.cloud(), s.kind(), State.OK, null, null, s.checkedAt(), s.checkedAt(), "ok"),
                store.configuration(NationalCloud.GLOBAL), stored.etag());

        assertTrue(refreshes.invalid(NationalCloud.GLOBAL), "this instance trusts what it read for a minute");
        clock.advance(AppCredentialMonitor.CURRENT_TTL);
        assertEquals(State.OK, refreshes.current(NationalCloud.GLOBAL).orElseThrow().state());
    }

    private String checkAfter(AppCredentialMonitor monitor, Duration wait) {
        clock.advance(wait);
        AppCredentialStatus s = monitor.checkDue().get(0);
        return s.state().id() + (s.code() == null ? "" : "/" + s.code().code());
    }

    private AppCredentialMonitor monitor() {
        return monitor(SecretExpiry.NONE);
    }

    private AppCredentialMonitor monitor(SecretExpiry secretExpiry) {
        return new AppCredentialMonitor(SettingsReader.read(env), (cloud, tenant) -> {
            tokenRequests.incrementAndGet();
            assertEquals(TENANT, tenant);
            if (tokenAnswer != null) {
                throw tokenAnswer;
            }
        }, secretExpiry, store, notifications, clock);
    }

    private List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        for (String envelope : queued) {
            try {
                events.add(Json.MAPPER.readTree(envelope).get("event"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }

    /** Records what is announced at once in {@code queued}, and the backstops queued before a save (hidden) in {@code backstops}. */
    private WorkQueue recordingQueue() {
        return new WorkQueue() {
            @Override
            public void send(String message, Duration delay) {
                queued.add(message);
            }

            @Override
            public Optional<Sent> sendCancellable(String message, Duration delay) {
                String id = UUID.randomUUID().toString();
                backstops.put(id, message);
                return Optional.of(new Sent(id, "receipt"));
            }

            @Override
            public void cancel(Sent sent) {
                backstops.remove(sent.messageId());
            }
        };
    }
}
