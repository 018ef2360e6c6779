package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.SettingsException;
import io.m365connector.testing.TestSettings;
import io.m365connector.platform.webhooks.WebhookSecret;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {
    private final Map<String, String> env = TestSettings.base("UseDevelopmentStorage=true");

    @Test
    void whenBaseSettingsAreValidThenTheyAreTyped() {
        Settings settings = SettingsReader.read(env);
        assertEquals(HostingCloud.GLOBAL, settings.hostingCloud());
        assertEquals(Set.of(NationalCloud.GLOBAL), settings.enabledClouds());
        assertEquals("https://func-m365.example.net/api/auth/callback", settings.redirectUri());
        assertEquals("organizations", settings.registration(NationalCloud.GLOBAL).orElseThrow().defaultTenant());
        assertInstanceOf(Settings.LocalKey.class, settings.keySource());
        assertEquals(Duration.ofSeconds(30), settings.http().timeout());
        assertFalse(settings.runningInAzure());
    }

    @ParameterizedTest
    @CsvSource({"'',7", "1,1", "30,30", "60,60"})
    void whenRefreshKeepAliveDaysIsFromOneToSixtyOrUnsetThenItIsTheDaysBetweenRefreshes(String days, int expected) {
        if (!days.isEmpty()) {
            env.put("REFRESH_KEEPALIVE_DAYS", days);
        }
        assertEquals(Duration.ofDays(expected), SettingsReader.read(env).refreshKeepAlive());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "61", "90", "seven", "7.5", "-1"})
    void whenRefreshKeepAliveDaysIsOutsideOneToSixtyThenItIsRefusedSayingTheRange(String days) {
        env.put("REFRESH_KEEPALIVE_DAYS", days);
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(List.of("REFRESH_KEEPALIVE_DAYS must be a whole number of days from 1 to 60."), e.problems().stream()
                .map(problem -> problem.replaceAll(" Example: .*", "")).toList());
    }

    @Test
    void whenCloudListIsMissingThenMessageNamesSettingAndExample() {
        env.remove("M365_CLOUDS");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("M365_CLOUDS is missing"));
        assertTrue(e.problems().get(0).contains("Example: M365_CLOUDS=global,usgov"));
        assertEquals(ProblemCode.CONFIGURATION_ERROR, e.code());
    }

    /**
     * App Service passes an unresolved Key Vault reference on as its text (Learn, Use Key Vault references): taken as the
     * client secret, every sign-in and refresh failed while the app looked healthy. Refused once per setting, with causes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"M365_GLOBAL_CLIENT_SECRET", "NOTIFY_WEBHOOK_SIGNING_SECRET"})
    void whenASettingHoldsAKeyVaultReferenceTheAppWasGivenUnresolvedThenItIsRefusedSayingWhy(String name) {
        if (name.startsWith("NOTIFY")) {
            env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks");
        }
        env.put(name, "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/missing/)");

        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));

        List<String> about = e.problems().stream().filter(p -> p.startsWith(name + " is a reference the platform did not resolve")).toList();
        assertEquals(1, about.size(), e.problems().toString());
        assertTrue(about.get(0).contains("Key Vault Secrets User") && about.get(0).contains("configreferences"), about.get(0));
    }

    @Test
    void whenSeveralSettingsAreWrongThenAllAreReportedAtOnce() {
        env.remove("PUBLIC_BASE_URL");
        env.put("M365_CLOUDS", "global,usgov,mars");
        env.put("OUTBOUND_TIMEOUT_SECONDS", "500");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("M365_CLOUDS lists unknown cloud 'mars'"), all);
        assertTrue(all.contains("M365_USGOV_CLIENT_ID is missing (required because M365_CLOUDS lists usgov)"), all);
        assertTrue(all.contains("M365_USGOV_CLIENT_SECRET is missing"), all);
        assertTrue(all.contains("PUBLIC_BASE_URL is missing"), all);
        assertTrue(all.contains("OUTBOUND_TIMEOUT_SECONDS must be between 1 and 120"), all);
        assertEquals(5, e.problems().size(), all);
    }

    /** The refreshSweep timer's binding reads it: without it that timer never starts, and nothing else would say so. */
    @Test
    void whenTheRefreshScheduleIsMissingThenItIsRefusedNamingAnExample() {
        env.remove("REFRESH_SCHEDULE");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("REFRESH_SCHEDULE is missing"), e.problems().get(0));
        assertTrue(e.problems().get(0).contains("0 */5 * * * *"), e.problems().get(0));
    }

    @Test
    void whenClientIdIsNotAGuidThenItIsRefused() {
        env.put("M365_GLOBAL_CLIENT_ID", "my-app");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).startsWith("M365_GLOBAL_CLIENT_ID must be the application (client) id"));
    }

    @Test
    void whenSecretAndCertificateAreBothSetThenOneMustGo() {
        env.put("M365_GLOBAL_CLIENT_CERTIFICATE", "TUlJ");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("M365_GLOBAL_CLIENT_SECRET and M365_GLOBAL_CLIENT_CERTIFICATE are both set"));
    }

    @Test
    void whenSettingsAreInvalidThenNoSecretValueIsEchoed() {
        String secret = env.get("M365_GLOBAL_CLIENT_SECRET");
        env.put("M365_GLOBAL_CLIENT_ID", "not-a-guid");
        env.put("M365_GLOBAL_CLIENT_CERTIFICATE", "also-set");
        env.put("LOCAL_TOKEN_KEY", "c2hvcnQ=");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertFalse(e.getMessage().contains(secret));
        assertFalse(e.getMessage().contains("c2hvcnQ="));
        assertTrue(e.getMessage().contains("LOCAL_TOKEN_KEY must be 32 random bytes"));
    }

    @Test
    void whenLocalKeyIsUsedInAzureThenItIsRefused() {
        env.put("WEBSITE_INSTANCE_ID", "abc123");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("LOCAL_TOKEN_KEY is for local development and is refused in Azure"));
    }

    @Test
    void whenLocalKeyInAzureIsExplicitlyAllowedThenItIsAccepted() {
        env.put("WEBSITE_INSTANCE_ID", "abc123");
        env.put("ALLOW_LOCAL_KEY_IN_AZURE", "true");
        Settings settings = SettingsReader.read(env);
        assertTrue(settings.runningInAzure());
        assertInstanceOf(Settings.LocalKey.class, settings.keySource());
    }

    @Test
    void whenKeyVaultIsInAnotherCloudThanTheHostThenItIsRefused() {
        env.remove("LOCAL_TOKEN_KEY");
        env.put("HOSTING_CLOUD", "usgov");
        env.put("TOKEN_KEY_VAULT_URL", "https://kv-app.vault.azure.net");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("must be https://<name>.vault.usgovcloudapi.net"), e.getMessage());
    }

    @Test
    void whenKeyVaultMatchesTheHostingCloudThenItIsUsed() {
        env.remove("LOCAL_TOKEN_KEY");
        env.put("HOSTING_CLOUD", "china");
        env.put("TOKEN_KEY_VAULT_URL", "https://kv-app.vault.azure.cn/");
        Settings settings = SettingsReader.read(env);
        assertEquals(new Settings.KeyVaultKey(URI.create("https://kv-app.vault.azure.cn"), "token-encryption-key"), settings.keySource());
    }

    @Test
    void whenNoKeySourceIsSetThenKeyVaultIsAskedFor() {
        env.remove("LOCAL_TOKEN_KEY");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).startsWith("TOKEN_KEY_VAULT_URL is missing"));
    }

    @Test
    void whenPublicBaseUrlIsPlainHttpOnAnotherHostThenItIsRefused() {
        env.put("PUBLIC_BASE_URL", "http://func.example.net");
        assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        env.put("PUBLIC_BASE_URL", "http://localhost:7071/");
        assertEquals("http://localhost:7071/api/auth/callback", SettingsReader.read(env).redirectUri());
    }

    @Test
    void whenReturnUrlHasAFragmentOrIsNotHttpsThenItIsRefused() {
        env.put("ALLOWED_RETURN_URLS", "https://app.example.com/ok,https://app.example.com/x#frag,ftp://app.example.com/");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(2, e.problems().size(), e.getMessage());
    }

    @Test
    void whenUsGovIsEnabledWithCertificateThenRegistrationUsesIt() {
        env.put("M365_CLOUDS", "global, usgov");
        env.put("M365_USGOV_CLIENT_ID", "AAAAAAAA-2222-3333-4444-555555555555");
        env.put("M365_USGOV_CLIENT_CERTIFICATE", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
        env.put("M365_USGOV_TENANT", "contoso.onmicrosoft.us");
        Settings settings = SettingsReader.read(env);
        Settings.AppRegistration usgov = settings.registration(NationalCloud.USGOV).orElseThrow();
        assertEquals("aaaaaaaa-2222-3333-4444-555555555555", usgov.clientId());
        assertInstanceOf(Settings.ClientCertificate.class, usgov.credential());
        assertEquals("contoso.onmicrosoft.us", usgov.defaultTenant());
        assertEquals("ClientCertificate[REDACTED]", usgov.credential().toString());
    }

    @Test
    void whenStorageIsMissingThenEveryWayIsNamed() {
        env.remove("AzureWebJobsStorage");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("AzureWebJobsStorage is missing (or, for managed identity, set "
                + "AzureWebJobsStorage__tableServiceUri and AzureWebJobsStorage__queueServiceUri, or AzureWebJobsStorage__accountName)"),
                e.getMessage());
        env.put("AzureWebJobsStorage__accountName", "stm365");
        assertEquals("StorageSettings[accountName=stm365]", SettingsReader.read(env).storage().toString());
    }

    @Test
    void whenHostedInTheGlobalCloudWithAnAccountNameThenEndpointsAreBuiltFromIt() {
        env.remove("AzureWebJobsStorage");
        env.put("AzureWebJobsStorage__accountName", "stm365");
        Settings.StorageSettings storage = SettingsReader.read(env).storage();
        assertEquals("https://stm365.table.core.windows.net", storage.tableEndpoint(HostingCloud.GLOBAL));
        assertEquals("https://stm365.queue.core.windows.net", storage.queueEndpoint(HostingCloud.GLOBAL));
    }

    @Test
    void whenHostedInASovereignCloudWithAnAccountNameThenItIsRefusedWithWhyAndWhatToSet() {
        env.remove("AzureWebJobsStorage");
        env.put("HOSTING_CLOUD", "usgov");
        env.put("AzureWebJobsStorage__accountName", "stm365");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith("AzureWebJobsStorage__accountName must not be set when HOSTING_CLOUD is usgov"), problem);
        assertTrue(problem.contains("queue.core.windows.net"), problem);
        assertTrue(problem.contains("for example AzureWebJobsStorage__queueServiceUri=https://<account>.queue.core.usgovcloudapi.net"), problem);
    }

    @Test
    void whenHostedInASovereignCloudWithServiceUrisThenTablesAndQueuesUseThem() {
        env.remove("AzureWebJobsStorage");
        env.put("HOSTING_CLOUD", "china");
        env.put("AzureWebJobsStorage__tableServiceUri", "https://stm365.table.core.chinacloudapi.cn/");
        env.put("AzureWebJobsStorage__queueServiceUri", "https://stm365.queue.core.chinacloudapi.cn");
        Settings.StorageSettings storage = SettingsReader.read(env).storage();
        assertEquals("https://stm365.table.core.chinacloudapi.cn", storage.tableEndpoint(HostingCloud.CHINA));
        assertEquals("https://stm365.queue.core.chinacloudapi.cn", storage.queueEndpoint(HostingCloud.CHINA));
        assertTrue(storage.accountName().isEmpty());
    }

    @Test
    void whenAServiceUriIsPlainHttpOrInAnotherCloudThenItIsRefusedNamingTheSuffix() {
        env.remove("AzureWebJobsStorage");
        env.put("HOSTING_CLOUD", "usgov");
        env.put("AzureWebJobsStorage__tableServiceUri", "https://stm365.table.core.windows.net");
        env.put("AzureWebJobsStorage__queueServiceUri", "http://stm365.queue.core.usgovcloudapi.net");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("AzureWebJobsStorage__tableServiceUri must be https://<account>.table.core.usgovcloudapi.net"), all);
        assertTrue(all.contains("AzureWebJobsStorage__queueServiceUri must be https://<account>.queue.core.usgovcloudapi.net"), all);
    }

    @Test
    void whenOnlyTheTableUriIsGivenThenTheQueueUriIsAskedFor() {
        env.remove("AzureWebJobsStorage");
        env.put("HOSTING_CLOUD", "usgov");
        env.put("AzureWebJobsStorage__tableServiceUri", "https://stm365.table.core.usgovcloudapi.net");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("(AzureWebJobsStorage__queueServiceUri is missing)"), e.getMessage());
        assertFalse(e.problems().get(0).contains("accountName"), "no account name is offered outside the global cloud");
    }

    private static final String IDENTITY = "0c0c0c0c-1111-2222-3333-444444444444";

    @ParameterizedTest
    @CsvSource({"global, global", "usgov, usgov", "usgovdod, usgov", "china, china"})
    void whenAManagedIdentityIsTheCredentialInItsOwnCloudThenNoSecretIsNeeded(String cloudId, String hosting) {
        NationalCloud cloud = NationalCloud.fromId(cloudId).orElseThrow();
        String prefix = "M365_" + cloudId.toUpperCase(Locale.ROOT);
        env.remove("M365_GLOBAL_CLIENT_SECRET");
        env.put("HOSTING_CLOUD", hosting);
        env.put("M365_CLOUDS", cloudId);
        env.put(prefix + "_CLIENT_ID", TestSettings.GLOBAL_CLIENT_ID);
        env.put(prefix + "_MANAGED_IDENTITY_CLIENT_ID", IDENTITY.toUpperCase(Locale.ROOT));
        Settings.AppRegistration registration = SettingsReader.read(env).registration(cloud).orElseThrow();
        assertEquals(new Settings.FederatedManagedIdentity(IDENTITY), registration.credential());
        assertEquals("managed_identity", registration.credential().kind());
    }

    @ParameterizedTest
    @CsvSource({"china, global, china", "global, usgov, global", "usgovdod, china, usgov", "usgov, global, usgov"})
    void whenTheManagedIdentityIsInAnotherCloudThanTheRegistrationThenItIsRefusedWithWhyAndWhatToUse(String cloudId, String hosting,
                                                                                                  String registrationsCloud) {
        String prefix = "M365_" + cloudId.toUpperCase(Locale.ROOT);
        env.remove("M365_GLOBAL_CLIENT_SECRET");
        env.put("HOSTING_CLOUD", hosting);
        env.put("M365_CLOUDS", cloudId);
        env.put(prefix + "_CLIENT_ID", TestSettings.GLOBAL_CLIENT_ID);
        env.put(prefix + "_MANAGED_IDENTITY_CLIENT_ID", IDENTITY);
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(1, e.problems().size(), e.getMessage());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(prefix + "_MANAGED_IDENTITY_CLIENT_ID cannot work: this app's managed identity lives in the hosting "
                + "cloud '" + hosting + "'"), problem);
        assertTrue(problem.contains("accepts a managed identity as federated credential only from its own cloud"), problem);
        assertTrue(problem.contains("Entra ID of Azure cloud '" + registrationsCloud + "'"), problem);
        assertTrue(problem.contains("Use " + prefix + "_CLIENT_CERTIFICATE (or " + prefix + "_CLIENT_SECRET)"), problem);
    }

    @Test
    void whenASecretAndAManagedIdentityAreBothSetThenOneMustGo() {
        env.put("M365_GLOBAL_MANAGED_IDENTITY_CLIENT_ID", IDENTITY);
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(List.of("M365_GLOBAL_CLIENT_SECRET and M365_GLOBAL_MANAGED_IDENTITY_CLIENT_ID are both set: keep one credential "
                + "for the global app registration."), e.problems());
    }

    @Test
    void whenNoCredentialIsSetThenAllThreeKindsAreNamed() {
        env.remove("M365_GLOBAL_CLIENT_SECRET");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).contains("Set it, M365_GLOBAL_CLIENT_CERTIFICATE or M365_GLOBAL_MANAGED_IDENTITY_CLIENT_ID."),
                e.getMessage());
    }

    @Test
    void whenHealthCheckSettingsAreValidThenTheyAreTyped() {
        env.put("M365_GLOBAL_HOME_TENANT", "72F988BF-86F1-41AF-91AB-2D7CD011DB47");
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", "2027-06-30");
        env.put("APP_CREDENTIAL_CHECK_MINUTES", "60");
        env.put("APP_CREDENTIAL_WARN_DAYS", "45");
        Settings settings = SettingsReader.read(env);
        Settings.CredentialCheck check = settings.registration(NationalCloud.GLOBAL).orElseThrow().check();
        assertEquals(Optional.of("72f988bf-86f1-41af-91ab-2d7cd011db47"), check.homeTenant());
        assertEquals(Optional.of(Instant.parse("2027-06-30T00:00:00Z")), check.secretExpires());
        assertEquals(new Settings.AppCredentialPolicy(Duration.ofMinutes(60), Duration.ofDays(45)), settings.appCredentialPolicy());
    }

    @Test
    void whenHealthCheckSettingsAreAbsentThenThereIsNoCheckAndTheDefaultsApply() {
        Settings settings = SettingsReader.read(env);
        assertEquals(Settings.CredentialCheck.NONE, settings.registration(NationalCloud.GLOBAL).orElseThrow().check());
        assertEquals(Settings.AppCredentialPolicy.DEFAULT, settings.appCredentialPolicy());
    }

    @Test
    void whenTheSyncDebounceIsSetThenItIsUsedAndWithoutItTenSeconds() {
        assertEquals(Duration.ofSeconds(10), SettingsReader.read(env).syncDebounce());
        env.put("SYNC_DEBOUNCE_SECONDS", "6");
        assertEquals(Duration.ofSeconds(6), SettingsReader.read(env).syncDebounce());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "5", "301", "7.5", "ten"})
    void whenTheSyncDebounceIsOutOfRangeThenItIsReportedWithItsExample(String value) {
        env.put("SYNC_DEBOUNCE_SECONDS", value);
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("SYNC_DEBOUNCE_SECONDS must be a whole number of seconds from 6 to 300"), all);
        assertTrue(all.contains("Example: SYNC_DEBOUNCE_SECONDS=10"), all);
    }

    @Test
    void whenHealthCheckSettingsAreWrongThenEachIsReportedWithItsExample() {
        env.put("M365_GLOBAL_HOME_TENANT", "organizations");
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", "next june");
        env.put("APP_CREDENTIAL_CHECK_MINUTES", "1");
        env.put("APP_CREDENTIAL_WARN_DAYS", "7");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("M365_GLOBAL_HOME_TENANT must be the id (a GUID) of the tenant the app registration lives in"), all);
        assertTrue(all.contains("Example: M365_GLOBAL_HOME_TENANT=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"), all);
        assertTrue(all.contains("M365_GLOBAL_CLIENT_SECRET_EXPIRES must be a date (UTC) like 2027-06-30"), all);
        assertTrue(all.contains("APP_CREDENTIAL_CHECK_MINUTES must be a whole number of minutes from 5 to 1440"), all);
        assertTrue(all.contains("APP_CREDENTIAL_WARN_DAYS must be a whole number of days from 8 to 365"), all);
        assertEquals(4, e.problems().size(), all);
    }

    @Test
    void whenTheSecretsKeyVaultUrlIsInTheHostingCloudThenItIsTheExpirySource() {
        env.put("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL", "https://kv-app.vault.azure.net/secrets/m365-global-client-secret/");
        assertEquals(Optional.of(URI.create("https://kv-app.vault.azure.net/secrets/m365-global-client-secret/")),
                SettingsReader.read(env).registration(NationalCloud.GLOBAL).orElseThrow().check().secretKeyVaultUrl());
        env.put("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL", "https://kv-app.vault.usgovcloudapi.net/secrets/m365-global-client-secret");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).startsWith("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL must be a Key Vault secret URL in the hosting "
                + "cloud 'global'"), e.getMessage());
    }

    @Test
    void whenASecretsExpiryIsGivenForAnotherKindOrTwiceThenItIsRefused() {
        env.put("M365_GLOBAL_CLIENT_SECRET_EXPIRES", "2027-06-30");
        env.put("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL", "https://kv-app.vault.azure.net/secrets/m365-global-client-secret");
        SettingsException twice = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(twice.problems().get(0).contains("are both set: keep one source of the secret's expiry"), twice.getMessage());
        env.remove("M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL");
        env.remove("M365_GLOBAL_CLIENT_SECRET");
        env.put("M365_GLOBAL_MANAGED_IDENTITY_CLIENT_ID", IDENTITY);
        SettingsException kind = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(kind.problems().get(0).contains("describes a client secret, but the global registration uses a managed identity"),
                kind.getMessage());
    }

    @Test
    void whenAWebhookHasAStandardWebhooksSecretThenItIsTyped() {
        String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", secret);
        Settings.Webhook webhook = SettingsReader.read(env).webhook().orElseThrow();
        assertEquals(URI.create("https://app.example.com/hooks/m365"), webhook.url());
        assertEquals(List.of(secret), webhook.secrets().stream().map(WebhookSecret::text).toList());
        assertFalse(webhook.toString().contains(secret), webhook.toString());
    }

    @Test
    void whenTwoSigningSecretsAreSetThenBothSignWhileTheWebAppMovesAndAThirdIsRefused() {
        String current = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        String next = "whsec_" + Base64.getEncoder().encodeToString(new byte[40]);
        env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", current + "  " + next);
        assertEquals(List.of(current, next), SettingsReader.read(env).webhook().orElseThrow().secrets().stream().map(WebhookSecret::text).toList());

        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", current + " " + next + " " + current);
        SettingsException three = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(three.problems().get(0).startsWith("NOTIFY_WEBHOOK_SIGNING_SECRET holds 3 secrets; at most 2"), three.getMessage());

        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", current + " whsec_short");
        SettingsException bad = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(bad.problems().get(0).startsWith("NOTIFY_WEBHOOK_SIGNING_SECRET (secret 2 of 2) must"), bad.getMessage());
        assertFalse(bad.getMessage().contains(current), "no value is echoed");
    }

    @ParameterizedTest
    @CsvSource({
        "0123456789abcdef0123456789abcdef0123, must start with whsec_",
        "whsec_not*base64, must be whsec_ followed by standard base64",
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAA, must hold 24 to 64 random bytes after whsec_ (it holds 21)"})
    void whenTheSigningSecretIsNotAStandardWebhooksSecretThenItIsRefusedWithHowToMakeOne(String value, String expected) {
        env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", value);
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("NOTIFY_WEBHOOK_SIGNING_SECRET " + expected), e.getMessage());
        assertTrue(e.problems().get(0).contains("openssl rand -base64 32"), e.getMessage());
        assertFalse(e.getMessage().contains(value), "the value is not echoed");
    }

    @Test
    void whenAWebhookUrlHasNoSigningSecretThenTheSecretIsAskedFor() {
        env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365");
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertTrue(e.problems().get(0).startsWith("NOTIFY_WEBHOOK_SIGNING_SECRET must be set when NOTIFY_WEBHOOK_URL is set: whsec_"),
                e.getMessage());
    }

    @Test
    void whenTheRetiredWebhookSecretIsSetThenItIsRefusedNamingWhatToSetInstead() {
        String old = "x".repeat(40);
        env.put("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365");
        env.put("NOTIFY_WEBHOOK_SECRET", old);
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", "whsec_" + Base64.getEncoder().encodeToString(new byte[32]));
        SettingsException e = assertThrows(SettingsException.class, () -> SettingsReader.read(env));
        assertEquals(1, e.problems().size(), e.getMessage());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith("NOTIFY_WEBHOOK_SECRET is no longer read: webhooks are signed the Standard Webhooks way now"), problem);
        assertTrue(problem.contains("Set NOTIFY_WEBHOOK_SIGNING_SECRET to a new whsec_ secret"), problem);
        assertTrue(problem.contains("remove NOTIFY_WEBHOOK_SECRET"), problem);
        assertFalse(e.getMessage().contains(old), "the old secret is not echoed");

        env.remove("NOTIFY_WEBHOOK_URL");
        assertThrows(SettingsException.class, () -> SettingsReader.read(env), "refused also without a webhook URL: it is a leftover");
    }
}
