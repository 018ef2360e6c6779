package io.m365connector.scripts;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Feature;
import io.m365connector.health.AppCredentialGuidance;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.TestSettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * scripts/register-app: its tables stay equal to the Java code ({@link Feature}, {@link NationalCloud},
 * {@link HostingCloud}), and run against a recording, stateful stub of the Azure CLI it makes exactly the
 * calls each cloud needs, updates instead of creating on a second run, and refuses wrong input before it
 * calls anything.
 */
class RegisterAppScriptTest {
    private static final Path SCRIPT = Path.of("scripts/register-app").toAbsolutePath();
    private static final Path CLOUDS_TSV = Path.of("scripts/registration/clouds.tsv");
    private static final Path PERMISSIONS_TSV = Path.of("scripts/registration/permissions.tsv");
    private static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Delegated Graph permission ids, a second copy on purpose (a typo in the table fails the test).
     * Source: Microsoft's permission data behind the Graph permissions reference and Graph Explorer,
     * github.com/microsoftgraph/microsoft-graph-devx-content, permissions/new/provisioningInfo.json
     * (scheme DelegatedWork) and permissions/permissions-descriptions.json (openid, profile, offline_access).
     */
    private static final Map<String, String> VERIFIED_IDS = Map.ofEntries(
            Map.entry("openid", "37f7f235-527c-4136-accd-4a02d197296e"),
            Map.entry("profile", "14dad69e-099b-42c9-810b-d002981feec1"),
            Map.entry("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
            Map.entry("Mail.Send", "e383f46e-2787-4529-855e-0e479a3ffac0"),
            Map.entry("Mail.ReadWrite", "024d486e-b451-40bb-833d-3e66d98c5c73"),
            Map.entry("Calendars.ReadWrite", "1ec239c2-d7c9-4623-a91a-a9775856bb36"),
            Map.entry("Mail.Send.Shared", "a367ab51-6b49-43bf-a716-a1fb06d2a174"),
            Map.entry("Mail.ReadWrite.Shared", "5df07973-7d5d-46ed-9847-1271055cbd51"),
            Map.entry("Calendars.ReadWrite.Shared", "12466101-c9b8-439a-8589-dd09ee67e8e9"),
            Map.entry("Calendars.Read.Shared", "2b9c4092-424d-4249-948d-b43879977640"),
            Map.entry("Calendars.ReadBasic", "662d75ba-a364-42ad-adee-f5f880ea4878"),
            Map.entry("Place.Read.All", "cb8f45a0-5c2e-4ea1-b803-84b870a7d7ec"),
            Map.entry("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
            Map.entry("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42"),
            Map.entry("Mail.Read.Shared", "7b9103a5-4610-446b-9670-80643382c1fa"));

    /** `az cloud set --name` per cloud: L4 and L5 share Azure Government's Entra ID. */
    private static final Map<NationalCloud, String> AZ_CLOUD = Map.of(
            NationalCloud.GLOBAL, "AzureCloud",
            NationalCloud.USGOV, "AzureUSGovernment",
            NationalCloud.USGOVDOD, "AzureUSGovernment",
            NationalCloud.CHINA, "AzureChinaCloud");

    /** Managed identity as federated credential: audience per cloud (Microsoft Entra workload identity docs). */
    private static final Map<NationalCloud, String> FIC_AUDIENCE = Map.of(
            NationalCloud.GLOBAL, "api://AzureADTokenExchange",
            NationalCloud.USGOV, "api://AzureADTokenExchangeUSGov",
            NationalCloud.USGOVDOD, "api://AzureADTokenExchangeUSGov",
            NationalCloud.CHINA, "api://AzureADTokenExchangeChina");

    /** A different feature set per cloud, so each feature's permissions are checked somewhere. */
    private static final Map<NationalCloud, List<Feature>> FEATURES = Map.of(
            NationalCloud.GLOBAL, List.of(Feature.MAIL),
            NationalCloud.USGOV, List.of(Feature.CALENDAR, Feature.SHARED_MAILBOX),
            NationalCloud.USGOVDOD, List.of(Feature.SHARED_CALENDAR, Feature.MAIL),
            NationalCloud.CHINA, List.of(Feature.values()));

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String FIRST_APP_ID = "aaaaaaaa-1111-2222-3333-000000000001";
    private static final String PRINCIPAL = "bbbbbbbb-4444-5555-6666-777777777777";
    private static final String SECRET = "stub~Secret.Value-0123456789abcdefghij";
    private static final String VAULT = "kv-m365-test";
    private static final String END_DATE = "2031-01-31";

    @TempDir
    Path temp;
    private Path state;
    private Path stubBin;
    private Path tools;

    @BeforeEach
    void writeStubAndTools() throws IOException {
        state = Files.createDirectories(temp.resolve("state"));
        stubBin = Files.createDirectories(temp.resolve("stub-bin"));
        tools = Files.createDirectories(temp.resolve("tools"));
        Path az = stubBin.resolve("az");
        Files.writeString(az, AZ_STUB);
        assertTrue(az.toFile().setExecutable(true));
        // Only these tools besides bash and az: a missing one shows up as "command not found".
        for (String tool : List.of("date", "tr", "sed", "mktemp", "chmod", "rm")) {
            Path wrapper = tools.resolve(tool);
            Files.writeString(wrapper, "#!/bin/sh\nexec '" + which(tool) + "' \"$@\"\n");
            assertTrue(wrapper.toFile().setExecutable(true));
        }
        Files.writeString(state.resolve("next-app-id"), FIRST_APP_ID);
        StringBuilder scopes = new StringBuilder("User.Read\te1fe6dd8-ba31-4d61-89e7-88639da4683d\n");
        VERIFIED_IDS.forEach((name, id) -> scopes.append(name).append('\t').append(id).append('\n'));
        Files.writeString(state.resolve("graph-scopes"), scopes);
    }

    // ---- the tables are the Java code's ------------------------------------------------------------

    @Test
    void whenCloudTableIsReadThenItHasNationalCloudsHostsAndHostingCloudsVaultSuffix() throws IOException {
        Map<String, String[]> rows = rows(CLOUDS_TSV);
        assertEquals(Arrays.stream(NationalCloud.values()).map(NationalCloud::id).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(rows.keySet()));
        for (NationalCloud cloud : NationalCloud.values()) {
            String[] row = rows.get(cloud.id());
            assertAll(cloud.id(),
                    () -> assertEquals(AZ_CLOUD.get(cloud), row[1], "az cloud name"),
                    () -> assertEquals(cloud.authorityHost(), row[2], "authority host"),
                    () -> assertEquals(cloud.graphHost(), row[3], "Graph host"),
                    () -> assertEquals(cloud.tokenExchangeAudience(), row[4], "federated credential audience (NationalCloud)"),
                    () -> assertEquals(FIC_AUDIENCE.get(cloud), row[4], "federated credential audience (Microsoft's table)"),
                    () -> assertEquals(HostingCloud.fromId(cloud.id()).orElseThrow().keyVaultSuffix(), row[5], "Key Vault suffix"),
                    () -> assertTrue(row[6].startsWith("https://entra."), "Entra admin center"));
        }
    }

    @Test
    void whenPermissionTableIsReadThenItsFeaturesAreFeatureEnumsAndItsIdsTheVerifiedOnes() throws IOException {
        Map<String, String[]> rows = rows(PERMISSIONS_TSV);
        Map<String, Set<String>> byFeature = new TreeMap<>();
        Map<String, String> ids = new TreeMap<>();
        for (String[] row : rows.values()) {
            ids.put(row[0], row[1]);
            for (String feature : row[2].split(",")) {
                if (!feature.equals("-")) {
                    byFeature.computeIfAbsent(feature, f -> new TreeSet<>()).add(row[0]);
                }
            }
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        expected.put("sign-in", new TreeSet<>(Feature.SIGN_IN_SCOPES));
        for (Feature feature : Feature.values()) {
            expected.put(feature.id(), new TreeSet<>(feature.scopes()));
        }
        assertEquals(expected, byFeature);
        assertEquals(new TreeMap<>(VERIFIED_IDS), ids);
        assertEquals(ids.size(), new TreeSet<>(ids.values()).size(), "ids are unique");
    }

    @Test
    void whenTheAppRegistrationDocIsReadThenItsTablesAreTheScriptsTables() throws IOException {
        String doc = Files.readString(Path.of("docs/APP-REGISTRATION.md"));
        List<String> missing = new ArrayList<>();
        for (String[] row : rows(PERMISSIONS_TSV).values()) {
            String line = "| `" + row[0] + "` | `" + row[1] + "` |";
            if (!row[2].equals("-") && !doc.contains(line)) {
                missing.add(line);
            }
        }
        for (String[] row : rows(CLOUDS_TSV).values()) {
            String line = "`https://" + row[2] + "/<tenant>/v2.0` | `" + row[4] + "` |";
            if (!doc.contains(line)) {
                missing.add(line);
            }
        }
        assertTrue(missing.isEmpty(), "docs/APP-REGISTRATION.md lacks: " + missing);
    }

    // ---- first run per cloud: the exact calls -----------------------------------------------------

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenRunFirstInACloudThenItCreatesTheRegistrationWithThatCloudsValues(NationalCloud cloud) throws Exception {
        List<Feature> features = FEATURES.get(cloud);
        String base = "https://func-m365.example." + cloud.id();
        String redirectUri = base + "/api/auth/callback";
        String issuer = "https://" + cloud.authorityHost() + "/" + TENANT + "/v2.0";
        String azCloud = AZ_CLOUD.get(cloud);
        String upper = cloud.id().toUpperCase(Locale.ROOT);
        String secretName = "m365-" + cloud.id() + "-client-secret";
        String vaultHost = VAULT + "." + HostingCloud.fromId(cloud.id()).orElseThrow().keyVaultSuffix();

        Run run = run("--cloud", cloud.id(), "--features", ids(features), "--redirect-base", base + "/",
                "--secret-to-keyvault", VAULT, "--secret-end-date", END_DATE, "--federated-identity", PRINCIPAL);

        assertEquals(0, run.exit, run.toString());
        List<List<Object>> expected = new ArrayList<>(List.of(
                call("cloud", "show", "--query", "name", "-o", "tsv"),
                call("cloud", "set", "--name", azCloud),
                call("account", "show", "--query", "tenantId", "-o", "tsv"),
                call("ad", "sp", "show", "--id", GRAPH_APP_ID, "--query", "oauth2PermissionScopes[].[value,id]", "-o", "tsv"),
                call("ad", "app", "list", "--filter", "displayName eq 'm365-connector'", "--query", "[].appId", "-o", "tsv"),
                call("ad", "app", "create", "--display-name", "m365-connector", "--sign-in-audience", "AzureADMultipleOrgs",
                        "--web-redirect-uris", redirectUri,
                        "--required-resource-accesses", graphAccess(expectedIds(features)), "--query", "appId", "-o", "tsv"),
                call("ad", "app", "federated-credential", "list", "--id", FIRST_APP_ID, "--query",
                        "[?name=='m365-connector-mi-" + PRINCIPAL + "' || (issuer=='" + issuer + "' && subject=='" + PRINCIPAL + "')].name",
                        "-o", "tsv"),
                call("ad", "app", "federated-credential", "create", "--id", FIRST_APP_ID, "--parameters", json(Map.of(
                        "name", "m365-connector-mi-" + PRINCIPAL,
                        "issuer", issuer,
                        "subject", PRINCIPAL,
                        "audiences", List.of(FIC_AUDIENCE.get(cloud)),
                        "description", "Managed identity " + PRINCIPAL + " signs in as this app (m365-connector)"))),
                call("ad", "app", "credential", "reset", "--id", FIRST_APP_ID, "--append",
                        "--display-name", todayUtc("m365-connector " + cloud.id() + " "),
                        "--end-date", END_DATE + "T00:00:00+00:00", "--query", "password", "-o", "tsv"),
                call("keyvault", "secret", "set", "--vault-name", VAULT, "--name", secretName,
                        "--file", goneTempFile(), "--encoding", "utf-8", "--expires", END_DATE + "T00:00:00Z",
                        "--content-type", "client secret of app " + FIRST_APP_ID + " (" + cloud.id() + ")",
                        "--query", "id", "-o", "tsv")));
        if (!azCloud.equals("AzureCloud")) {
            expected.add(call("cloud", "set", "--name", "AzureCloud"));
        }
        assertCalls(expected, run.calls);

        Map<String, String> printed = run.settings();
        assertEquals(Map.of(
                "M365_CLOUDS", cloud.id(),
                "M365_" + upper + "_CLIENT_ID", FIRST_APP_ID,
                "M365_" + upper + "_TENANT", "organizations",
                "M365_" + upper + "_CLIENT_SECRET", "@Microsoft.KeyVault(SecretUri=https://" + vaultHost + "/secrets/" + secretName + "/)",
                "PUBLIC_BASE_URL", base), printed);
        Map<String, String> env = TestSettings.base("UseDevelopmentStorage=true");
        env.putAll(printed);
        env.put("M365_" + upper + "_CLIENT_SECRET", "the secret's value"); // App Service resolves the reference
        Settings settings = SettingsReader.read(env);
        assertEquals(redirectUri, settings.redirectUri(), "the registered redirect URI is the connector's");
        assertEquals(FIRST_APP_ID, settings.registration(cloud).orElseThrow().clientId());

        assertEquals(SECRET, Files.readString(state.resolve("kv-" + VAULT + "-" + secretName)), "the new secret went to Key Vault");
        assertFalse(run.stdout.contains(SECRET) || run.stderr.contains(SECRET) || run.log.contains(SECRET),
                "the secret is never printed nor passed on a command line");
    }

    // ---- idempotent -----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenRunAgainThenTheSameRegistrationIsUpdatedAndNothingIsDuplicated(NationalCloud cloud) throws Exception {
        String local = "http://localhost:7071";
        String deployed = "https://func-m365.example.net";
        assertEquals(0, run("--cloud", cloud.id(), "--features", "mail", "--redirect-base", local,
                "--federated-identity", PRINCIPAL).exit);

        Run second = run("--cloud", cloud.id(), "--features", "mail,calendar", "--redirect-base", deployed,
                "--federated-identity", PRINCIPAL);

        assertEquals(0, second.exit, second.toString());
        assertEquals(0, second.count("ad", "app", "create"), "no second registration");
        assertEquals(0, second.count("ad", "app", "federated-credential", "create"), "no second federated credential");
        assertCalls(List.of(call("ad", "app", "update", "--id", FIRST_APP_ID, "--sign-in-audience", "AzureADMultipleOrgs",
                        "--web-redirect-uris", local + "/api/auth/callback", deployed + "/api/auth/callback")),
                second.calls("ad", "app", "update"));
        assertCalls(List.of(call("ad", "app", "permission", "add", "--id", FIRST_APP_ID, "--api", GRAPH_APP_ID,
                        "--api-permissions", VERIFIED_IDS.get("Calendars.ReadWrite") + "=Scope", "--only-show-errors")),
                second.calls("ad", "app", "permission", "add"));
        assertEquals(1, second.count("ad", "app", "federated-credential", "update"));
        assertEquals(List.of(FIRST_APP_ID + "\tm365-connector"), Files.readAllLines(state.resolve("apps")));

        Run third = run("--cloud", cloud.id(), "--features", "mail,calendar", "--redirect-base", deployed);
        assertEquals(0, third.exit, third.toString());
        assertEquals(0, third.count("ad", "app", "create"));
        assertEquals(0, third.count("ad", "app", "permission", "add"), "nothing to add when all is there");
        assertEquals(List.of(local + "/api/auth/callback", deployed + "/api/auth/callback"),
                Files.readAllLines(state.resolve("app-" + FIRST_APP_ID + ".uris")));
    }

    @Test
    void whenAppIdIsGivenThenThatRegistrationIsUpdatedAndRenamed() throws Exception {
        String appId = "cccccccc-1111-2222-3333-444444444444";
        Files.writeString(state.resolve("apps"), appId + "\tolder name\n");

        Run run = run("--cloud", "global", "--features", "calendar", "--redirect-base", "https://func.example.net",
                "--app-id", appId.toUpperCase(Locale.ROOT), "--name", "m365 connector (prod)", "--audience", "single");

        assertEquals(0, run.exit, run.toString());
        assertEquals(0, run.count("ad", "app", "list"), "no lookup by name");
        assertCalls(List.of(call("ad", "app", "update", "--id", appId, "--sign-in-audience", "AzureADMyOrg",
                "--web-redirect-uris", "https://func.example.net/api/auth/callback", "--display-name", "m365 connector (prod)")),
                run.calls("ad", "app", "update"));
        assertEquals(TENANT, run.settings().get("M365_GLOBAL_TENANT"), "single tenant: the tenant's id");
    }

    @Test
    void whenTheHealthReportsNewSecretCommandIsRunThenThatRegistrationGetsASecretAndNoneIsCreated() throws Exception {
        // the command the health report and the log give when a secret expires (AppCredentialGuidance), placeholders filled in
        String appId = "cccccccc-1111-2222-3333-444444444444";
        Files.writeString(state.resolve("apps"), appId + "\tContoso m365-connector (dev)\n"); // not the default name
        String command = AppCredentialGuidance.newSecretCommand(NationalCloud.GLOBAL).replace("<the value of M365_GLOBAL_CLIENT_ID>", appId)
                .replace("<the features it was registered with>", "mail,calendar").replace("<PUBLIC_BASE_URL>", "https://func.example.net")
                .replace("<single or multi, as it was registered>", "single").replace("<vault>", VAULT);
        assertFalse(command.contains("<"), "every placeholder is one the operator fills in: " + command);
        List<String> words = List.of(command.split(" "));
        assertEquals("scripts/register-app", words.get(0));

        Run run = run(words.subList(1, words.size()).toArray(String[]::new));

        assertEquals(0, run.exit, run.toString());
        assertEquals(0, run.count("ad", "app", "create"), "no second registration");
        List<String> reset = run.calls("ad", "app", "credential", "reset").get(0);
        assertEquals(appId, reset.get(reset.indexOf("--id") + 1));
        assertTrue(reset.contains("--append"), "the old secret stays valid until the app runs on the new one");
        assertEquals(1, run.count("keyvault", "secret", "set"));
        List<String> update = run.calls("ad", "app", "update").get(0);
        assertEquals("AzureADMyOrg", update.get(update.indexOf("--sign-in-audience") + 1), "a single-tenant registration stays single-tenant");
    }

    @Test
    void whenAppIdIsUnknownThenItStopsBeforeChangingAnything() throws Exception {
        Run run = run("--cloud", "global", "--features", "mail", "--redirect-base", "https://func.example.net",
                "--app-id", "cccccccc-1111-2222-3333-444444444444");

        assertEquals(1, run.exit, run.toString());
        assertTrue(run.stderr.contains("--app-id cccccccc-1111-2222-3333-444444444444"), run.stderr);
        assertEquals(0, run.count("ad", "app", "update") + run.count("ad", "app", "create"));
    }

    @Test
    void whenTwoRegistrationsHaveTheNameThenItAsksWhichOne() throws Exception {
        Files.writeString(state.resolve("apps"), """
                dddddddd-0000-0000-0000-000000000001\tm365-connector
                dddddddd-0000-0000-0000-000000000002\tm365-connector
                dddddddd-0000-0000-0000-000000000003\tm365-connector-old
                """);

        Run run = run("--cloud", "global", "--features", "mail", "--redirect-base", "https://func.example.net");

        assertEquals(1, run.exit, run.toString());
        assertTrue(run.stderr.contains("dddddddd-0000-0000-0000-000000000001 dddddddd-0000-0000-0000-000000000002"), run.stderr);
        assertTrue(run.stderr.contains("--app-id"), run.stderr);
        assertEquals(0, run.count("ad", "app", "update") + run.count("ad", "app", "create"));
    }

    // ---- clouds and credentials -------------------------------------------------------------------------

    @Test
    void whenTheKeyVaultIsInAnotherCloudThenTheSecretIsStoredThereAndAzIsSwitchedBack() throws Exception {
        Run run = run("--cloud", "usgov", "--features", "mail", "--redirect-base", "https://func.example.net",
                "--secret-to-keyvault", VAULT, "--secret-end-date", END_DATE, "--keyvault-cloud", "global");

        assertEquals(0, run.exit, run.toString());
        List<String> order = run.calls.stream().map(c -> String.join(" ", c.subList(1, Math.min(4, c.size())))).toList();
        assertEquals(List.of("cloud show --query", "cloud set --name", "account show --query", "ad sp show", "ad app list",
                "ad app create", "ad app credential", "cloud set --name", "account show --query", "keyvault secret set"), order);
        assertEquals(List.of("AzureUSGovernment", "AzureCloud"),
                run.calls("cloud", "set").stream().map(c -> c.get(c.size() - 1)).toList(),
                "registration in Azure Government, secret in the commercial vault; az left where it was");
        assertEquals("@Microsoft.KeyVault(SecretUri=https://" + VAULT + ".vault.azure.net/secrets/m365-usgov-client-secret/)",
                run.settings().get("M365_USGOV_CLIENT_SECRET"));
    }

    @Test
    void whenFederatedIssuerTenantIsGivenThenTheIssuerNamesIt() throws Exception {
        String other = "99999999-8888-7777-6666-555555555555";
        Run run = run("--cloud", "china", "--features", "mail", "--redirect-base", "https://func.example.cn",
                "--federated-identity", PRINCIPAL, "--fic-issuer-tenant", other);

        assertEquals(0, run.exit, run.toString());
        JsonNode parameters = JSON.readTree(run.calls("ad", "app", "federated-credential", "create").get(0).get(8));
        assertEquals("https://login.partner.microsoftonline.cn/" + other + "/v2.0", parameters.get("issuer").asText());
        assertEquals("api://AzureADTokenExchangeChina", parameters.get("audiences").get(0).asText());
    }

    @Test
    void whenSecretEndDateIsNotGivenThenTheSecretLastsOneYear() throws Exception {
        LocalDate before = LocalDate.now(ZoneOffset.UTC).plusYears(1);
        Run run = run("--cloud", "global", "--features", "mail", "--redirect-base", "https://func.example.net",
                "--secret-to-keyvault", VAULT);
        LocalDate after = LocalDate.now(ZoneOffset.UTC).plusYears(1);

        assertEquals(0, run.exit, run.toString());
        List<String> reset = run.calls("ad", "app", "credential", "reset").get(0);
        String end = reset.get(reset.indexOf("--end-date") + 1);
        assertTrue(end.equals(before + "T00:00:00+00:00") || end.equals(after + "T00:00:00+00:00"), end);
        List<String> set = run.calls("keyvault", "secret", "set").get(0);
        assertEquals(end.substring(0, 10) + "T00:00:00Z", set.get(set.indexOf("--expires") + 1), "Key Vault knows the expiry");
    }

    // ---- permission ids checked against the cloud's own Graph --------------------------------------------

    @Test
    void whenTheCloudsGraphHasAnotherIdThenThatIdIsRegisteredWithAWarning() throws Exception {
        String other = "eeeeeeee-0000-0000-0000-000000000001";
        Files.writeString(state.resolve("graph-scopes"), Files.readString(state.resolve("graph-scopes"))
                .replace(VERIFIED_IDS.get("Mail.Send"), other));

        Run run = run("--cloud", "china", "--features", "mail", "--redirect-base", "https://func.example.cn");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.stderr.contains("Mail.Send is " + other), run.stderr);
        Set<String> expected = new TreeSet<>(expectedIds(List.of(Feature.MAIL)));
        expected.remove(VERIFIED_IDS.get("Mail.Send"));
        expected.add(other);
        assertTrue(graphAccess(expected).test(run.calls("ad", "app", "create").get(0).get(11)));
    }

    @Test
    void whenTheCloudsGraphLacksAPermissionThenNothingIsChanged() throws Exception {
        Files.writeString(state.resolve("graph-scopes"), Files.readAllLines(state.resolve("graph-scopes")).stream()
                .filter(line -> !line.startsWith("Calendars.ReadWrite.Shared\t")).collect(Collectors.joining("\n")));

        Run run = run("--cloud", "usgovdod", "--features", "shared_calendar", "--redirect-base", "https://func.example.us");

        assertEquals(1, run.exit, run.toString());
        assertTrue(run.stderr.contains("Calendars.ReadWrite.Shared"), run.stderr);
        assertEquals(0, run.count("ad", "app", "create") + run.count("ad", "app", "list"));
    }

    @Test
    void whenTheCloudsGraphCannotBeReadThenTheTableIdsAreUsed() throws Exception {
        Files.writeString(state.resolve("graph-unreadable"), "");

        Run run = run("--cloud", "global", "--features", "shared_mailbox", "--redirect-base", "https://func.example.net");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.stderr.contains("using the ids of scripts/registration/permissions.tsv"), run.stderr);
        assertTrue(graphAccess(expectedIds(List.of(Feature.SHARED_MAILBOX))).test(run.calls("ad", "app", "create").get(0).get(11)));
    }

    // ---- environment and input --------------------------------------------------------------------------

    @Test
    void whenAzIsMissingThenItSaysHowToInstallIt() throws Exception {
        Run run = runWithPath(tools.toString(), "--cloud", "usgov", "--features", "mail", "--redirect-base", "https://func.example.us");

        assertEquals(3, run.exit, run.toString());
        assertTrue(run.stderr.contains("Azure CLI (az) is not installed"), run.stderr);
        assertTrue(run.stderr.contains("az cloud set --name AzureUSGovernment && az login"), run.stderr);
        assertTrue(run.stderr.contains("without az: add --dry-run"), run.stderr);
    }

    @Test
    void whenAzIsNotSignedInToTheCloudThenItSaysHowAndSwitchesBack() throws Exception {
        Files.writeString(state.resolve("signed-out-AzureChinaCloud"), "");

        Run run = run("--cloud", "china", "--features", "mail", "--redirect-base", "https://func.example.cn");

        assertEquals(3, run.exit, run.toString());
        assertTrue(run.stderr.contains("az cloud set --name AzureChinaCloud && az login"), run.stderr);
        assertEquals(List.of("AzureChinaCloud", "AzureCloud"),
                run.calls("cloud", "set").stream().map(c -> c.get(c.size() - 1)).toList());
        assertEquals(0, run.count("ad"));
    }

    @Test
    void whenDryRunThenTheCallsArePrintedAndNoneIsMade() throws Exception {
        Run run = runWithPath(tools.toString(), "--cloud", "usgovdod", "--features", "mail", "--redirect-base", "https://func.example.us",
                "--secret-to-keyvault", VAULT, "--federated-identity", PRINCIPAL, "--dry-run");

        assertEquals(0, run.exit, run.toString());
        assertEquals("", run.log, "nothing called");
        assertTrue(run.stdout.contains("az cloud set --name AzureUSGovernment\n"), run.stdout);
        assertTrue(run.stdout.contains("az ad app create --display-name m365-connector --sign-in-audience AzureADMultipleOrgs "
                + "--web-redirect-uris https://func.example.us/api/auth/callback --required-resource-accesses '[{\"resourceAppId\":\""
                + GRAPH_APP_ID + "\""), run.stdout);
        assertTrue(run.stdout.contains("\"audiences\":[\"api://AzureADTokenExchangeUSGov\"]"), run.stdout);
        assertTrue(run.stdout.contains("az keyvault secret set --vault-name " + VAULT + " --name m365-usgovdod-client-secret"), run.stdout);
        assertTrue(run.stdout.contains("    \"M365_USGOVDOD_CLIENT_SECRET\": \"@Microsoft.KeyVault(SecretUri=https://" + VAULT
                + ".vault.usgovcloudapi.net/secrets/m365-usgovdod-client-secret/)\","), run.stdout);
        assertTrue(run.stdout.contains("e.g. global,usgovdod"), run.stdout);
    }

    @Test
    void whenSettingsArePrintedThenTheyPasteIntoLocalSettingsJsonAsTheReadmeSays() throws Exception {
        Run run = runWithPath(tools.toString(), "--cloud", "global", "--features", "mail,calendar", "--redirect-base", "http://localhost:7071",
                "--dry-run");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.stdout.contains("paste these lines into \"Values\" of local.settings.json"), run.stdout);
        assertTrue(run.stdout.contains("e.g. global,usgov\n") && !run.stdout.contains("global,global"), run.stdout);
        String lines = run.stdout.lines().filter(l -> l.startsWith("    \"")).reduce("", (a, b) -> a + b + "\n");
        JsonNode values = JSON.readTree("{" + lines.substring(0, lines.lastIndexOf(',')) + "}");
        assertEquals("global", values.get("M365_CLOUDS").asText());
        assertEquals("http://localhost:7071", values.get("PUBLIC_BASE_URL").asText());
        assertEquals(4, values.size(), lines);
    }

    @Test
    void whenFormatEnvIsAskedThenTheSettingsAreNameValueLines() throws Exception {
        Run run = runWithPath(tools.toString(), "--cloud", "china", "--features", "mail", "--redirect-base", "https://func.example.cn",
                "--dry-run", "--format", "env");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.stdout.contains("\nM365_CLOUDS=china\nM365_CHINA_CLIENT_ID=<appId>\nM365_CHINA_TENANT=organizations\n"
                + "PUBLIC_BASE_URL=https://func.example.cn\n"), run.stdout);
        assertFalse(run.stdout.contains("\"M365_CLOUDS\""), run.stdout);
    }

    @Test
    void whenHelpIsAskedThenItShowsTheOptions() throws Exception {
        Run run = run("--help");

        assertEquals(0, run.exit);
        for (String option : List.of("--cloud", "--features", "--redirect-base", "--name", "--app-id", "--audience",
                "--secret-to-keyvault", "--secret-end-date", "--keyvault-cloud", "--federated-identity", "--fic-issuer-tenant",
                "--fic-issuer", "--format", "--dry-run")) {
            assertTrue(run.stdout.contains(option), option);
        }
        assertEquals("", run.log);
    }

    static Stream<Arguments> refusedInput() {
        String base = "https://func.example.net";
        return Stream.of(
                Arguments.of(List.of("--features", "mail", "--redirect-base", base), "--cloud", "is required"),
                Arguments.of(List.of("--cloud", "gcc", "--features", "mail", "--redirect-base", base), "--cloud", "global | usgov | usgovdod | china"),
                Arguments.of(List.of("--cloud", "global", "--redirect-base", base), "--features", "mail, calendar, shared_mailbox, shared_calendar"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail,files", "--redirect-base", base), "--features", "'files'"),
                Arguments.of(List.of("--cloud", "global", "--features", " , ", "--redirect-base", base), "--features", "is empty"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail"), "--redirect-base", "is required"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", "http://func.example.net"), "--redirect-base", "https"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base + "/api"), "--redirect-base", "without path"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--audience", "all"), "--audience", "single or multi"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--app-id", "my-app"), "--app-id", "GUID"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--name", "it's"), "--name", "display name"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--secret-to-keyvault", "kv_1"), "--secret-to-keyvault", "Key Vault name"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--secret-end-date", "2031-01-31"), "--secret-to-keyvault", "is needed"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--secret-to-keyvault", VAULT, "--secret-end-date", "31.01.2031"), "--secret-end-date", "YYYY-MM-DD"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--secret-to-keyvault", VAULT, "--secret-end-date", "2001-01-31"), "--secret-end-date", "not in the future"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--secret-to-keyvault", VAULT, "--keyvault-cloud", "usgovdod"), "--keyvault-cloud", "global, usgov or china"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--federated-identity", "id-m365"), "--federated-identity", "principal (object) id"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--fic-issuer-tenant", TENANT), "--federated-identity", "is needed"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--federated-identity", PRINCIPAL, "--fic-issuer-tenant", "contoso"), "--fic-issuer-tenant", "tenant id"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--federated-identity", PRINCIPAL, "--fic-issuer", "login.example"), "--fic-issuer", "https"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base"), "--redirect-base", "needs a value"),
                Arguments.of(List.of("--cloud", "--features", "mail"), "--cloud", "needs a value"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--tenant", "x"), "'--tenant'", "not an option"),
                Arguments.of(List.of("global", "mail"), "'global'", "not an option"),
                Arguments.of(List.of("--cloud", "global", "--features", "mail", "--redirect-base", base, "--format", "yaml"), "--format", "json (for local.settings.json) or env"));
    }

    @ParameterizedTest
    @MethodSource("refusedInput")
    void whenInputIsWrongThenItNamesTheFlagGivesAnExampleAndCallsNothing(List<String> args, String flag, String why) throws Exception {
        Run run = run(args.toArray(String[]::new));

        assertEquals(2, run.exit, run.toString());
        assertTrue(run.stderr.startsWith("register-app: " + flag + " "), run.stderr);
        assertTrue(run.stderr.contains(why), run.stderr);
        assertTrue(run.stderr.contains("Example: scripts/register-app "), run.stderr);
        assertEquals("", run.log, "no az call before the input is right");
    }

    @Test
    void whenOptionsAreWrittenWithEqualsThenTheyAreAccepted() throws Exception {
        Run run = run("--cloud=usgov", "--features=mail", "--redirect-base=https://func.example.us");

        assertEquals(0, run.exit, run.toString());
        assertEquals(1, run.count("ad", "app", "create"));
    }

    // ---- running the script -------------------------------------------------------------------------------

    private record Run(int exit, String stdout, String stderr, String log, List<List<String>> calls) {
        List<List<String>> calls(String... prefix) {
            return calls.stream().filter(c -> c.size() > prefix.length
                    && c.subList(1, prefix.length + 1).equals(List.of(prefix))).toList();
        }

        int count(String... prefix) {
            return calls(prefix).size();
        }

        /** The NAME=value lines printed for pasting. */
        /** The printed settings: JSON lines ("NAME": "value",) by default, NAME=VALUE lines with --format env. */
        Map<String, String> settings() {
            Map<String, String> settings = new LinkedHashMap<>();
            Matcher json = Pattern.compile("(?m)^    \"([A-Z0-9_]+)\": \"(.*)\",$").matcher(stdout);
            while (json.find()) {
                settings.put(json.group(1), json.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            for (String line : stdout.split("\n")) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && !line.startsWith(" ") && eq > 0) {
                    settings.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return settings;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr + "\n--- az calls\n" + log.replace('\u001f', ' ');
        }
    }

    private Run run(String... args) throws Exception {
        return runWithPath(stubBin + File.pathSeparator + tools, args);
    }

    private Run runWithPath(String path, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(which("bash").toString(), SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(temp.resolve("stdout").toFile())
                .redirectError(temp.resolve("stderr").toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", path, "HOME", temp.toString(), "LC_ALL", "C",
                "AZ_STUB_STATE", state.toString(), "AZ_STUB_TENANT", TENANT, "AZ_STUB_SECRET", SECRET));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("register-app did not finish within 60 s");
        }
        Path logFile = state.resolve("calls.log");
        String log = Files.exists(logFile) ? Files.readString(logFile) : "";
        Files.deleteIfExists(logFile);
        List<List<String>> calls = log.lines().map(line -> List.of(line.split("\u001f", -1))).toList();
        return new Run(process.exitValue(), Files.readString(temp.resolve("stdout")), Files.readString(temp.resolve("stderr")), log, calls);
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(tool + " is not on PATH; the register-app tests need it");
    }

    // ---- expected calls ---------------------------------------------------------------------------------

    private static List<Object> call(Object... args) {
        List<Object> call = new ArrayList<>();
        call.add("az");
        call.addAll(List.of(args));
        return call;
    }

    private static void assertCalls(List<List<Object>> expected, List<List<String>> actual) {
        String shown = actual.stream().map(c -> String.join(" ", c)).collect(Collectors.joining("\n"));
        assertEquals(expected.size(), actual.size(), "number of az calls:\n" + shown);
        for (int i = 0; i < expected.size(); i++) {
            List<Object> want = expected.get(i);
            List<String> got = actual.get(i);
            assertEquals(want.size(), got.size(), "arguments of call " + (i + 1) + ": " + String.join(" ", got) + "\nexpected " + want);
            for (int j = 0; j < want.size(); j++) {
                Object w = want.get(j);
                String g = got.get(j);
                if (w instanceof Check check) {
                    assertTrue(check.test(g), "call " + (i + 1) + " argument " + j + ": '" + g + "' is not " + check.what);
                } else {
                    assertEquals(w, g, "call " + (i + 1) + " argument " + j + " of: " + String.join(" ", got));
                }
            }
        }
    }

    private record Check(String what, Predicate<String> predicate) {
        boolean test(String value) {
            return predicate.test(value);
        }

        @Override
        public String toString() {
            return "<" + what + ">";
        }
    }

    /** requiredResourceAccess JSON: one Microsoft Graph entry with exactly these delegated (Scope) ids. */
    private static Check graphAccess(Set<String> ids) {
        return new Check("Graph delegated permissions " + ids, value -> {
            try {
                JsonNode root = JSON.readTree(value);
                if (root.size() != 1 || !GRAPH_APP_ID.equals(root.get(0).get("resourceAppId").asText())) {
                    return false;
                }
                List<String> got = new ArrayList<>();
                for (JsonNode access : root.get(0).get("resourceAccess")) {
                    if (!"Scope".equals(access.get("type").asText())) {
                        return false;
                    }
                    got.add(access.get("id").asText());
                }
                return got.size() == ids.size() && new TreeSet<>(got).equals(new TreeSet<>(ids));
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static Check json(Map<String, Object> expected) {
        return new Check("JSON " + expected, value -> {
            try {
                return JSON.readTree(value).equals(JSON.valueToTree(expected));
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static Check todayUtc(String prefix) {
        return new Check(prefix + "<today>", value -> value.startsWith(prefix)
                && LocalDate.parse(value.substring(prefix.length())).isAfter(LocalDate.now(ZoneOffset.UTC).minusDays(2)));
    }

    /** The secret's temporary file: private, and removed once Key Vault has the value. */
    private static Check goneTempFile() {
        return new Check("a temporary file, removed afterwards", value -> Path.of(value).isAbsolute() && !Files.exists(Path.of(value)));
    }

    private static Set<String> expectedIds(List<Feature> features) {
        Set<String> names = new TreeSet<>(Feature.SIGN_IN_SCOPES);
        features.forEach(f -> names.addAll(f.scopes()));
        return names.stream().map(VERIFIED_IDS::get).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String ids(List<Feature> features) {
        return features.stream().map(Feature::id).collect(Collectors.joining(","));
    }

    private static Map<String, String[]> rows(Path tsv) throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] fields = line.split("\t", -1);
                if (rows.put(fields[0], fields) != null) {
                    fail(tsv + " has " + fields[0] + " twice");
                }
            }
        }
        return rows;
    }

    /**
     * A stand-in for the Azure CLI: records every call (arguments separated by U+001F) and answers the
     * queries register-app makes from files in $AZ_STUB_STATE, which its create/update calls change, so a
     * second run sees what the first one made. Uses bash builtins only.
     */
    private static final String AZ_STUB = """
            #!/bin/bash
            state="$AZ_STUB_STATE"
            line="az"
            for a in "$@"; do line="$line"$'\\x1f'"$a"; done
            printf '%s\\n' "$line" >> "$state/calls.log"

            value_of() { local want=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { printf '%s' "$2"; return 0; }; shift; done; return 1; }
            values_of() {
              local want=$1; shift
              while [ $# -gt 0 ]; do
                if [ "$1" = "$want" ]; then
                  shift
                  while [ $# -gt 0 ] && [[ "$1" != --* ]]; do printf '%s\\n' "$1"; shift; done
                  return 0
                fi
                shift
              done
            }
            content() { if [ -f "$state/$1" ]; then printf '%s\\n' "$(<"$state/$1")"; fi; }
            ids_in() { local s=$1 re='"id":"([0-9a-fA-F-]{36})"'; while [[ $s =~ $re ]]; do printf '%s\\n' "${BASH_REMATCH[1]}"; s=${s#*"${BASH_REMATCH[0]}"}; done; }
            app_exists() { local id name; while IFS=$'\\t' read -r id name; do [ "$id" = "$1" ] && return 0; done < <(content apps); return 1; }
            cloud=$(content cloud); cloud=${cloud:-AzureCloud}

            case "$1 $2" in
              "cloud show") printf '%s\\n' "$cloud" ;;
              "cloud set") value_of --name "$@" > "$state/cloud" ;;
              "account show")
                if [ -f "$state/signed-out-$cloud" ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi
                printf '%s\\n' "$AZ_STUB_TENANT" ;;
              "ad sp")
                if [ -f "$state/graph-unreadable" ]; then echo "ERROR: Insufficient privileges to complete the operation." >&2; exit 1; fi
                content graph-scopes ;;
              "ad app")
                id=$(value_of --id "$@")
                case "$3" in
                  list)
                    f=$(value_of --filter "$@"); n=${f#"displayName eq '"}; n=${n%"'"}; n=${n//"''"/"'"}
                    while IFS=$'\\t' read -r aid aname; do [ "$aname" = "$n" ] && printf '%s\\n' "$aid"; done < <(content apps) ;;
                  create)
                    id=$(content next-app-id)
                    printf '%s\\t%s\\n' "$id" "$(value_of --display-name "$@")" >> "$state/apps"
                    values_of --web-redirect-uris "$@" > "$state/app-$id.uris"
                    ids_in "$(value_of --required-resource-accesses "$@")" > "$state/app-$id.graph"
                    printf '%s\\n' "$id" ;;
                  show)
                    app_exists "$id" || { echo "ERROR: Resource '$id' does not exist or one of its queried reference-property objects are not present." >&2; exit 3; }
                    case "$(value_of --query "$@")" in
                      appId) printf '%s\\n' "$id" ;;
                      web.redirectUris) content "app-$id.uris" ;;
                      requiredResourceAccess*) content "app-$id.graph" ;;
                    esac ;;
                  update)
                    app_exists "$id" || exit 3
                    if value_of --web-redirect-uris "$@" >/dev/null; then values_of --web-redirect-uris "$@" > "$state/app-$id.uris"; fi ;;
                  permission)
                    for p in $(values_of --api-permissions "$@"); do printf '%s\\n' "${p%%=*}" >> "$state/app-$id.graph"; done ;;
                  federated-credential)
                    case "$4" in
                      list) content "app-$id.fics" ;;
                      create) p=$(value_of --parameters "$@"); re='"name":"([^"]+)"'; [[ $p =~ $re ]] && printf '%s\\n' "${BASH_REMATCH[1]}" >> "$state/app-$id.fics" ;;
                    esac ;;
                  credential) printf '%s\\n' "$AZ_STUB_SECRET" ;;
                esac ;;
              "keyvault secret")
                v=$(value_of --vault-name "$@"); n=$(value_of --name "$@")
                printf '%s' "$(<"$(value_of --file "$@")")" > "$state/kv-$v-$n"
                printf 'https://%s.vault/secrets/%s/0123456789abcdef\\n' "$v" "$n" ;;
            esac
            exit 0
            """;
}
