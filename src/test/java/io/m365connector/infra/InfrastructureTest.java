package io.m365connector.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.Tables;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the code against the infrastructure (infra/*.bicep, infra/main.parameters.json,
 * azure.yaml) and the configuration documents, by reading them as text: no Bicep compiler is needed.
 * Bicep comments are ignored, except the {@code not-an-app-setting:} markers that explain why a
 * setting of {@link Setting} is deliberately not an app setting.
 */
class InfrastructureTest {
    private static final Path INFRA = Path.of("infra");
    private static final Path MAIN = INFRA.resolve("main.bicep");
    private static final Path MODULES = INFRA.resolve("modules");

    /** Built-in role definition ids (the same in every Azure cloud) the app's identity needs, and why. */
    private static final Map<String, String> APP_ROLES = Map.of(
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner: Functions host storage, code package",
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor: refresh and notification queues, triggers",
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor: connections, due index, login sessions, idempotency",
            "4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User: token key, Key Vault references",
            "3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher: Application Insights with Entra ID auth");
    private static final String KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    /** Settings that may be left out of the app settings, with a not-an-app-setting comment saying why. */
    private static final Set<String> ALLOWED_EXCLUSIONS = Set.of("AzureWebJobsStorage", "WEBSITE_INSTANCE_ID");

    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern SETTINGS_BLOCK = Pattern.compile("\\bvar\\s+(\\w*[Ss]ettings)\\s*=\\s*\\{");
    private static final Pattern KEY = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*:(.*)$");
    private static final Pattern SECURE_PARAM = Pattern.compile("@secure\\(\\)(?:\\s*@\\w+\\([^)]*\\))*\\s*param\\s+(\\w+)");
    private static final Pattern PARAM = Pattern.compile("(?m)^param\\s+(\\w+)\\s+\\w+(\\s*=)?");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^output\\s+(\\w+)\\s+\\w+\\s*=(.*)$");
    private static final Pattern EXCLUSION = Pattern.compile("not-an-app-setting:\\s*(\\S+)\\s+(.+)");

    private static Map<Path, Bicep> files;
    /** App setting name -> where it is set, with its value expression. */
    private static Map<String, List<Entry>> appSettings;

    record Entry(Bicep file, String block, String value, int start, int end) {
    }

    @BeforeAll
    static void readInfrastructure() throws IOException {
        files = new LinkedHashMap<>();
        files.put(MAIN, Bicep.read(MAIN));
        try (Stream<Path> modules = Files.list(MODULES)) {
            for (Path p : modules.filter(p -> p.toString().endsWith(".bicep")).sorted().toList()) {
                files.put(p, Bicep.read(p));
            }
        }
        appSettings = new TreeMap<>();
        for (Bicep file : files.values()) {
            Matcher m = SETTINGS_BLOCK.matcher(file.masked);
            while (m.find()) {
                int open = m.end() - 1;
                int close = file.matchingBrace(open);
                int lineStart = file.masked.indexOf('\n', open) + 1;
                int depth = 0;
                for (int at = lineStart; at < close; ) {
                    int eol = file.masked.indexOf('\n', at);
                    eol = eol < 0 || eol > close ? close : eol;
                    String maskedLine = file.masked.substring(at, eol);
                    Matcher key = KEY.matcher(maskedLine);
                    if (depth == 0 && key.matches()) {
                        int valueStart = at + key.start(2);
                        appSettings.computeIfAbsent(key.group(1), k -> new ArrayList<>())
                                .add(new Entry(file, m.group(1), file.code.substring(valueStart, eol).trim(), valueStart, eol));
                    }
                    for (char c : maskedLine.toCharArray()) {
                        depth += c == '{' || c == '[' || c == '(' ? 1 : c == '}' || c == ']' || c == ')' ? -1 : 0;
                    }
                    at = eol + 1;
                }
            }
        }
    }

    @Test
    void whenSettingsAreListedThenEveryOneIsAnAppSettingInTheBicepOrExplainedAsNotOne() {
        Map<String, String> exclusions = exclusions();
        List<String> missing = new ArrayList<>();
        for (String name : Setting.allNames()) {
            if (!appSettings.containsKey(name) && !exclusions.containsKey(name)) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "settings of Setting.java that infra/*.bicep neither sets nor explains: " + missing);
        assertTrue(ALLOWED_EXCLUSIONS.containsAll(exclusions.keySet()),
                "only " + ALLOWED_EXCLUSIONS + " may be left out of the app settings, not " + exclusions.keySet());
        for (Map.Entry<String, String> e : exclusions.entrySet()) {
            assertFalse(appSettings.containsKey(e.getKey()), e.getKey() + " is both excluded and set");
            assertTrue(e.getValue().length() > 40, "the not-an-app-setting comment for " + e.getKey() + " must say why");
        }
    }

    @Test
    void whenSettingsAreSetThenEachNameIsSetOnceAndEveryValueIsOnItsLine() {
        for (Map.Entry<String, List<Entry>> e : appSettings.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + " is set in more than one place");
            assertFalse(e.getValue().get(0).value().isEmpty(), e.getKey() + " has its value on another line");
        }
    }

    @Test
    void whenSampleSettingsAreReadThenEverySettingIsThere() throws IOException {
        JsonNode values = Json.MAPPER.readTree(Path.of("local.settings.sample.json").toFile()).get("Values");
        Set<String> inSample = new TreeSet<>();
        values.fieldNames().forEachRemaining(inSample::add);
        List<String> missing = Setting.allNames().stream().filter(n -> !inSample.contains(n)).toList();
        assertTrue(missing.isEmpty(), "local.settings.sample.json lacks " + missing);
    }

    @Test
    void whenConfigurationIsReadThenEveryPlainSettingAndThePerCloudPatternsAppear() throws IOException {
        String readme = Files.readString(Path.of("docs/CONFIGURATION.md"));
        List<String> missing = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            // Plain settings by name; per-cloud ones by their M365_{CLOUD}_... pattern.
            if (!readme.contains("`" + setting.pattern() + "`")) {
                missing.add(setting.pattern());
            }
        }
        assertTrue(missing.isEmpty(), "docs/CONFIGURATION.md does not name: " + missing);
    }

    @Test
    void whenRolesAreAssignedThenTheAppIdentityHasExactlyTheRolesTheCodeNeeds() {
        Bicep appRoles = module("app-roles.bicep");
        Set<String> assigned = new TreeSet<>();
        Matcher m = GUID.matcher(appRoles.code);
        while (m.find()) {
            assigned.add(m.group());
        }
        assertEquals(new TreeSet<>(APP_ROLES.keySet()), assigned,
                "app-roles.bicep must assign exactly " + APP_ROLES.values());
        assertEquals(APP_ROLES.size(), count(appRoles.code, "'Microsoft.Authorization/roleAssignments@"),
                "one role assignment per role in app-roles.bicep");
        Bicep main = files.get(MAIN);
        assertTrue(main.code.contains("module appRoles 'modules/app-roles.bicep'"));
        assertTrue(main.code.contains("principalId: appIdentity.properties.principalId"),
                "app-roles.bicep must be given the app identity's principal");
        // The app identity gets roles from app-roles.bicep only; its principal id is otherwise only an output (the federated credential's subject).
        assertEquals(2, count(main.code, "appIdentity.properties.principalId"));
        assertEquals(1, count(main.code, "principalId: appIdentity.properties.principalId"));
        assertTrue(main.code.contains("output appIdentityPrincipalId string = appIdentity.properties.principalId"));
        for (Map.Entry<Path, Bicep> file : files.entrySet()) {
            if (!file.getKey().endsWith("app-roles.bicep")) {
                for (String role : APP_ROLES.keySet()) {
                    assertFalse(file.getValue().code.contains(role), file.getKey() + " assigns an app role outside app-roles.bicep");
                }
            }
        }
    }

    @Test
    void whenRolesAreAssignedThenEveryAssignmentHasAGuidNameAndABuiltInRole() {
        int assignments = 0;
        for (Map.Entry<Path, Bicep> file : files.entrySet()) {
            String code = file.getValue().code;
            Matcher m = Pattern.compile("(?m)^resource\\s+\\w+\\s+'Microsoft\\.Authorization/roleAssignments@[^']+'").matcher(code);
            while (m.find()) {
                assignments++;
                int next = code.indexOf("\nresource ", m.end());
                String body = code.substring(m.end(), next < 0 ? code.length() : next);
                assertTrue(body.contains("name: guid("), file.getKey() + ": role assignment without a guid() name");
                assertTrue(body.contains("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', "),
                        file.getKey() + ": role assignment without a built-in role definition id");
            }
        }
        assertTrue(assignments >= APP_ROLES.size() + 1);
    }

    @Test
    void whenTheTokenKeyIsCreatedThenOnlyTheScriptIdentityMayWriteSecrets() {
        for (Map.Entry<Path, Bicep> file : files.entrySet()) {
            boolean isScript = file.getKey().endsWith("token-key.bicep");
            assertEquals(isScript, file.getValue().code.contains(KEY_VAULT_SECRETS_OFFICER),
                    "Key Vault Secrets Officer belongs to the key-creation script's identity only (" + file.getKey() + ")");
        }
        Bicep script = module("token-key.bicep");
        assertTrue(script.code.contains("principalId: scriptIdentity.properties.principalId"));
        assertTrue(script.code.contains("'Microsoft.Resources/deploymentScripts@"));
        assertTrue(script.code.contains("kind: 'AzureCLI'"));
        assertTrue(script.code.contains("'${scriptIdentity.id}': {}"), "the script runs as its own identity");
        assertFalse(script.code.contains("storageAccountSettings"),
                "the app's storage account has shared keys disabled and cannot hold the script's file share");
        assertTrue(script.code.contains("cleanupPreference: 'Always'"));
    }

    @Test
    void whenTheTokenKeyScriptRunsThenItWritesOnlyWhenTheSecretIsMissingAndNeverPrintsIt() {
        String code = module("token-key.bicep").code;
        int show = code.indexOf("az keyvault secret show");
        int notFound = code.indexOf("*SecretNotFound*)");
        int set = code.indexOf("az keyvault secret set");
        int branchEnd = code.indexOf(";;", notFound);
        assertTrue(show > 0 && notFound > show && set > notFound && branchEnd > set,
                "the key is set only in the SecretNotFound branch, after checking with az keyvault secret show");
        assertEquals(1, count(code, "az keyvault secret set"));
        assertTrue(code.contains("openssl rand -base64 32"));
        assertFalse(code.contains("set -x"), "tracing would print the key");
        assertFalse(Pattern.compile("echo[^\\n]*\\$\\{?key\\b").matcher(code).find(), "the key must never be printed");
        assertFalse(Pattern.compile("AZ_SCRIPTS_OUTPUT_PATH").matcher(code).find(), "the script must have no outputs");
        assertTrue(files.get(MAIN).code.contains("module tokenKey 'modules/token-key.bicep' = if (createTokenKey)"));
    }

    @Test
    void whenTablesAndQueuesAreListedThenTheBicepCreatesEveryOneTheCodeUses() {
        Bicep main = files.get(MAIN);
        Tables tables = Tables.defaults();
        assertEquals(new TreeSet<>(List.of(tables.connections(), tables.refreshDue(), tables.loginSessions(), tables.idempotency(),
                tables.appCredentials(), tables.connectionOwners(), tables.syncState(), tables.syncItems(), tables.changes(),
                tables.syncDue(), tables.subscriptions())),
                new TreeSet<>(main.arrayVariable("tableNames")));
        Set<String> queues = new TreeSet<>(main.arrayVariable("queueNames"));
        for (String queue : List.of(MaintenanceFunctions.REFRESH_QUEUE, MaintenanceFunctions.REFRESH_QUEUE + "-poison",
                MaintenanceFunctions.NOTIFICATION_QUEUE, MaintenanceFunctions.NOTIFICATION_QUEUE + "-poison",
                SyncFunctions.SYNC_QUEUE, SyncFunctions.SYNC_QUEUE + "-poison")) {
            assertTrue(queues.contains(queue), "queue " + queue + " is not created; queueNames = " + queues);
        }
        assertTrue(main.code.contains("tableNames: tableNames") && main.code.contains("queueNames: queueNames"));
        String storage = module("storage.bicep").code;
        assertTrue(storage.contains("'Microsoft.Storage/storageAccounts/tableServices/tables@")
                && storage.contains("[for tableName in tableNames:"), "storage.bicep creates a table per name");
        assertTrue(storage.contains("'Microsoft.Storage/storageAccounts/queueServices/queues@")
                && storage.contains("[for queueName in queueNames:"), "storage.bicep creates a queue per name");
    }

    @Test
    void whenSecretSettingsAreSetThenEachIsAKeyVaultReferenceOrEmpty() {
        Set<String> secureParams = secureParameters();
        int checked = 0;
        for (Map.Entry<String, List<Entry>> e : appSettings.entrySet()) {
            // Secret values: *_SECRET, *_CERTIFICATE, *_PASSWORD (TOKEN_KEY_SECRET_NAME is only a name) and the local key.
            String name = e.getKey().toUpperCase(Locale.ROOT);
            if (!(name.matches(".*_(SECRET|CERTIFICATE|PASSWORD)") || name.equals("LOCAL_TOKEN_KEY"))) {
                continue;
            }
            for (Entry entry : e.getValue()) {
                checked++;
                List<String> literals = entry.file().literalsIn(entry.start(), entry.end());
                assertFalse(literals.isEmpty(), e.getKey() + " must be a Key Vault reference or '' literal, not " + entry.value());
                for (String literal : literals) {
                    assertTrue(literal.equals("''") || literal.startsWith("'@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/"),
                            e.getKey() + " assigns " + literal + ": only a Key Vault reference or '' is allowed");
                }
                for (String param : secureParams) {
                    assertFalse(Pattern.compile("\\b" + param + "\\b").matcher(entry.value()).find(),
                            e.getKey() + " uses the secure parameter " + param);
                }
            }
        }
        assertTrue(checked >= 4 * 3 + 2, "too few secret settings found: " + checked);
    }

    @Test
    void whenSecureParametersAreUsedThenOnlyKeyVaultSecretsReceiveThem() {
        Bicep main = files.get(MAIN);
        Set<String> secure = secureParameters(main);
        assertEquals(5, secure.size(), "4 client secrets and the webhook secret: " + secure);
        for (String param : secure) {
            Matcher m = Pattern.compile("\\b" + param + "\\b").matcher(main.masked);
            while (m.find()) {
                String line = main.lineAt(m.start()).trim();
                boolean declaration = line.startsWith("param " + param + " ");
                boolean toVault = line.equals("secretValue: " + param);
                boolean condition = line.contains("!empty(" + param + ")");
                assertTrue(declaration || toVault || condition, param + " is used outside a Key Vault secret: " + line);
            }
        }
        Bicep secretModule = module("keyvault-secret.bicep");
        assertEquals(Set.of("secretValue"), secureParameters(secretModule));
        assertEquals(2, count(secretModule.masked, "secretValue"), "declared once and used once, as the secret's value");
        assertTrue(secretModule.code.contains("value: secretValue"));
    }

    @Test
    void whenOutputsAreDeclaredThenNoneCarriesASecretAndTheCallbackUrlIsThere() {
        Set<String> secure = secureParameters();
        Map<String, String> mainOutputs = new LinkedHashMap<>();
        for (Map.Entry<Path, Bicep> file : files.entrySet()) {
            Matcher m = OUTPUT.matcher(file.getValue().code);
            while (m.find()) {
                String name = m.group(1);
                String value = m.group(2);
                assertFalse(name.toLowerCase(Locale.ROOT).matches(".*(secret|password|connectionstring|instrumentationkey|key$).*"),
                        file.getKey() + ": output " + name + " looks like a secret");
                assertFalse(value.contains("listKeys") || value.contains("ConnectionString") || value.contains("secretValue"),
                        file.getKey() + ": output " + name + " exposes a credential");
                for (String param : secure) {
                    assertFalse(value.contains(param), file.getKey() + ": output " + name + " uses " + param);
                }
                if (file.getKey().equals(MAIN)) {
                    mainOutputs.put(name, value.trim());
                }
            }
        }
        assertTrue(mainOutputs.keySet().containsAll(List.of("functionAppName", "defaultHostName", "callbackUrl", "keyVaultName")),
                "main.bicep outputs " + mainOutputs.keySet());
        assertEquals("'https://${functionApp.outputs.defaultHostName}/api/auth/callback'", mainOutputs.get("callbackUrl"));
    }

    @Test
    void whenInfraIsReadThenNoAccountKeyOrConnectionStringWithAKeyAppears() {
        for (Map.Entry<Path, Bicep> file : files.entrySet()) {
            String code = file.getValue().code.toLowerCase(Locale.ROOT);
            for (String forbidden : List.of("listkeys(", ".listkeys", "accountkey=", "sharedaccesssignature", "storageaccountkey",
                    "website_contentazurefileconnectionstring", "allowsharedkeyaccess: true")) {
                assertFalse(code.contains(forbidden), file.getKey() + " contains " + forbidden);
            }
        }
    }

    @Test
    void whenStorageIsDeclaredThenSharedKeyAndPublicBlobAccessAreDisabled() {
        String storage = module("storage.bicep").code;
        assertTrue(storage.contains("allowSharedKeyAccess: false"));
        assertTrue(storage.contains("allowBlobPublicAccess: false"));
        assertTrue(storage.contains("minimumTlsVersion: 'TLS1_2'"));
        assertTrue(storage.contains("supportsHttpsTrafficOnly: true"));
        assertEquals(1, count(allCode(), "'Microsoft.Storage/storageAccounts@") - count(allCode(), "'Microsoft.Storage/storageAccounts@2023-01-01' existing"),
                "one storage account, the app's, and it has shared keys disabled");
    }

    @Test
    void whenHostStorageIsConfiguredThenItUsesTheUserAssignedIdentityAndTheCloudsSuffix() {
        assertEquals("'managedidentity'", only("AzureWebJobsStorage__credential"));
        assertEquals("identityClientId", only("AzureWebJobsStorage__clientId"));
        for (String service : List.of("blob", "queue", "table")) {
            assertEquals("'https://${storage.name}." + service + ".${environment().suffixes.storage}'",
                    only("AzureWebJobsStorage__" + service + "ServiceUri"));
        }
        assertEquals("storage.name", only("AzureWebJobsStorage__accountName"));
        assertEquals("appIdentity.properties.clientId", only("AZURE_CLIENT_ID"));
        assertEquals("'https://${site.properties.defaultHostName}'", only("PUBLIC_BASE_URL"));
        assertEquals("keyVaultUri", only("TOKEN_KEY_VAULT_URL"));
        assertTrue(module("functionapp.bicep").code.contains("keyVaultReferenceIdentity: identityId"),
                "Key Vault references must resolve with the user-assigned identity");
    }

    @Test
    void whenHostStorageIsConfiguredThenTheAccountNameIsWrittenInTheGlobalCloudOnlyAndTheAppReadsTheServiceUris() {
        // In Azure Government and Azure China the queue extension would build *.queue.core.windows.net from
        // __accountName and ignore __queueServiceUri (azure-webjobs-sdk#3132): the name must not be there.
        assertEquals("globalCloudHostSettings", appSettings.get("AzureWebJobsStorage__accountName").get(0).block());
        String app = module("functionapp.bicep").code;
        assertTrue(app.contains("var isGlobalCloud = environment().name == 'AzureCloud'"));
        assertTrue(app.contains("properties: union(appSettings, hostSettings, isGlobalCloud ? globalCloudHostSettings : {}, "
                + "isFlex ? {} : classicPlanSettings, jvmOptionSetting)"));
        for (String uri : List.of("AzureWebJobsStorage__tableServiceUri", "AzureWebJobsStorage__queueServiceUri")) {
            assertTrue(Setting.allNames().contains(uri), uri + " is read by the app (Setting)");
            assertEquals("hostSettings", appSettings.get(uri).get(0).block(), uri + " is written in every cloud");
        }
    }

    @Test
    void whenACloudUsesTheManagedIdentityAsFederatedCredentialThenItGetsTheIdentityAndNoSecretAndThePrincipalIsAnOutput() {
        Bicep main = files.get(MAIN);
        assertEquals(List.of("'global'", "'usgov'", "'usgovdod'", "'china'"),
                main.literalsIn(main.code.indexOf("@allowed(", main.code.indexOf("federated identity credential:")),
                        main.code.indexOf("param m365FederatedClouds ")));
        for (NationalCloud cloud : NationalCloud.values()) {
            String c = cloud.id();
            String name = "M365_" + c.toUpperCase(Locale.ROOT);
            String camel = Character.toUpperCase(c.charAt(0)) + c.substring(1);
            assertTrue(main.code.contains("var " + c + "Federated = contains(m365FederatedClouds, '" + c + "')"));
            assertTrue(main.code.contains("var " + c + "Secret = " + c + "On && !" + c + "Cert && !" + c + "Federated"));
            assertEquals(c + "On && " + c + "Federated ? appIdentity.properties.clientId : ''", only(name + "_MANAGED_IDENTITY_CLIENT_ID"));
            assertTrue(only(name + "_CLIENT_SECRET").startsWith(c + "Secret ? '@Microsoft.KeyVault("), "no secret for a federated cloud");
            assertEquals(c + "Secret ? '${keyVaultUri}secrets/m365-" + c + "-client-secret' : ''", only(name + "_CLIENT_SECRET_KEY_VAULT_URL"),
                    "the expiry is read from the secret the reference points at");
            assertEquals("!" + c + "On ? '' : !empty(m365" + camel + "HomeTenant) ? m365" + camel + "HomeTenant : " + c
                    + "Federated ? tenant().tenantId : ''", only(name + "_HOME_TENANT"), "a managed identity and its registration share a tenant");
            assertTrue(main.code.contains("if (" + c + "Secret && !empty(m365" + camel + "ClientSecret) && !startsWith(m365" + camel
                    + "ClientSecret, '@Microsoft.KeyVault('))"), "no secret written for " + c + ", nor a reference given as one");
        }
        assertTrue(main.code.contains("output appIdentityPrincipalId string = appIdentity.properties.principalId"));
    }

    @Test
    void whenTheHostingCloudIsDerivedThenEveryAzureCloudMapsToAHostingCloudTheAppKnows() {
        Bicep main = files.get(MAIN);
        Map<String, String> expected = Map.of("AzureCloud", "global", "AzureUSGovernment", "usgov", "AzureChinaCloud", "china");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertTrue(main.code.contains(e.getKey() + ": '" + e.getValue() + "'"), "hostingClouds lacks " + e);
            assertTrue(HostingCloud.fromId(e.getValue()).isPresent());
        }
        assertTrue(main.code.contains("var hostingCloud = hostingClouds[environment().name]"));
        assertEquals("hostingCloud", only("HOSTING_CLOUD"));
    }

    @Test
    void whenLocalKeySettingsAreSetThenTheyCannotEnableALocalKeyInAzure() {
        assertEquals("''", only("LOCAL_TOKEN_KEY"));
        assertEquals("'false'", only("ALLOW_LOCAL_KEY_IN_AZURE"));
    }

    @Test
    void whenTheHostingPlanIsChosenThenFlexUsesFunctionAppConfigAndTheOthersLinuxFxVersion() {
        Bicep main = files.get(MAIN);
        assertTrue(main.code.contains("param hostingPlan string = 'FlexConsumption'"));
        assertEquals(List.of("'FlexConsumption'", "'ElasticPremium'", "'Consumption'"),
                main.literalsIn(main.code.indexOf("@allowed(", main.code.indexOf("Hosting plan")), main.code.indexOf("param hostingPlan ")));
        String app = module("functionapp.bicep").code;
        assertTrue(Pattern.compile("}, isFlex \\? \\{\\s*functionAppConfig: \\{").matcher(app).find(),
                "functionAppConfig is sent to Flex Consumption sites only (unioned in, not set to null elsewhere)");
        assertEquals(1, count(app, "functionAppConfig:"));
        assertTrue(Pattern.compile("runtime: \\{\\s*name: 'java'\\s*version: '17'\\s*}").matcher(app).find());
        assertTrue(app.contains("type: 'blobContainer'") && app.contains("type: 'UserAssignedIdentity'"),
                "Flex deployment storage is reached with the user-assigned identity");
        assertTrue(app.contains("properties: union(appSettings, hostSettings, isGlobalCloud ? globalCloudHostSettings : {}, "
                + "isFlex ? {} : classicPlanSettings, jvmOptionSetting)"),
                "FUNCTIONS_* settings only outside Flex Consumption, which refuses them");
        assertEquals("'~4'", only("FUNCTIONS_EXTENSION_VERSION"));
        assertEquals("'java'", only("FUNCTIONS_WORKER_RUNTIME"));
        assertEquals("classicPlanSettings", appSettings.get("FUNCTIONS_WORKER_RUNTIME").get(0).block());
        assertEquals("identityId", only("WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"));
        assertTrue(main.code.contains("appSettings: appSettings"));
    }

    /** siteConfig properties Flex Consumption rejects with ARM error 51021 (see functionapp.bicep's header). */
    private static final Set<String> REJECTED_ON_FLEX = Set.of("ftpsState", "linuxFxVersion", "windowsFxVersion",
            "use32BitWorkerProcess", "netFrameworkVersion", "preWarmedInstanceCount", "functionsRuntimeScaleMonitoringEnabled",
            "alwaysOn");

    @Test
    void whenTheSiteIsConfiguredPerPlanThenFlexGetsNothingItRejectsAndTheOtherPlansKeepTheLinuxStackAndFtpsOff() {
        Bicep app = module("functionapp.bicep");
        Map<String, Map<String, String>> byPlan = app.objectOfObjects("siteConfigByPlan");
        assertEquals(new TreeSet<>(hostingPlans()), new TreeSet<>(byPlan.keySet()), "a site configuration for every hosting plan");
        Map<String, String> flex = byPlan.get("FlexConsumption");
        for (String rejected : REJECTED_ON_FLEX) {
            assertFalse(flex.containsKey(rejected), "Flex Consumption rejects siteConfig." + rejected + " (ARM 51021)");
        }
        assertEquals("'1.2'", flex.get("minTlsVersion"));
        for (String plan : List.of("ElasticPremium", "Consumption")) {
            Map<String, String> config = byPlan.get(plan);
            assertEquals("'Java|17'", config.get("linuxFxVersion"), plan);
            assertEquals("'Disabled'", config.get("ftpsState"), plan);
            assertEquals("'1.2'", config.get("minTlsVersion"), plan);
            assertEquals("'1.2'", config.get("scmMinTlsVersion"), plan);
        }
        for (Map.Entry<String, Map<String, String>> plan : byPlan.entrySet()) {
            assertFalse(plan.getValue().containsKey("alwaysOn"), plan.getKey() + ": alwaysOn exists on Dedicated plans only");
        }
        assertTrue(app.code.contains("siteConfig: siteConfigByPlan[hostingPlan]"), "the site takes its plan's configuration");
        assertEquals(1, count(app.code, "siteConfig:"), "no other siteConfig is sent");
        assertFalse(allCode().contains("'Microsoft.Web/sites/config@") && app.code.contains("name: 'web'"),
                "no sites/config 'web' resource that would send site configuration to Flex behind the map's back");
        // FTP stays off on every plan, Flex included, through the publishing-credentials policy.
        assertTrue(Pattern.compile("resource ftpBasicAuth 'Microsoft\\.Web/sites/basicPublishingCredentialsPolicies@[^']+' = \\{"
                + "\\s*parent: site\\s*name: 'ftp'\\s*properties: \\{\\s*allow: false").matcher(app.code).find());
    }

    @Test
    void whenJvmOptionsAreGivenThenTheTemplateWritesThemUnderTheSettingEachPlanHonours() throws IOException {
        Bicep main = files.get(MAIN);
        Bicep app = module("functionapp.bicep");
        assertTrue(main.code.contains("param jvmOptions string = ''"), "JVM options are a template parameter, empty by default");
        assertTrue(main.code.contains("jvmOptions: jvmOptions"), "main.bicep passes them to the function app module");
        assertTrue(app.code.contains("param jvmOptions string = ''"));
        assertEquals(Map.of("FlexConsumption", "'languageWorkers__java__arguments'",
                        "ElasticPremium", "'JAVA_OPTS'",
                        "Consumption", "'languageWorkers__java__arguments'"),
                app.objectEntries("jvmOptionsSettingByPlan"));
        assertTrue(app.code.contains("var jvmOptionSetting = empty(jvmOptions) ? {} : {")
                && app.code.contains("'${jvmOptionsSettingByPlan[hostingPlan]}': jvmOptions"),
                "the options go under the plan's setting name, and nothing is written when they are empty");
        assertTrue(Pattern.compile("properties: union\\([^)]*\\bjvmOptionSetting\\)").matcher(app.code).find(),
                "the setting is part of the app settings the template owns (a hand-set one vanishes on the next provision)");
        for (String name : List.of("JAVA_OPTS", "languageWorkers__java__arguments", "WEBSITE_USE_PLACEHOLDER")) {
            assertFalse(appSettings.containsKey(name), name + " is set only through jvmOptions");
        }
        JsonNode parameters = Json.MAPPER.readTree(INFRA.resolve("main.parameters.json").toFile()).get("parameters");
        assertEquals("${JVM_OPTIONS}", parameters.path("jvmOptions").path("value").asText(), "azd users set JVM_OPTIONS");
    }

    @Test
    void whenTheAppIsCreatedThenItWaitsForItsRolesEverySecretItReferencesAndTheTokenKey() {
        Bicep main = files.get(MAIN);
        Set<String> required = new TreeSet<>(List.of("appRoles", "tokenKey"));
        Matcher secrets = Pattern.compile("(?m)^module (\\w+) 'modules/keyvault-secret\\.bicep'").matcher(main.code);
        while (secrets.find()) {
            required.add(secrets.group(1));
        }
        assertTrue(required.size() >= 2 + 5, "4 client secrets and the webhook secret: " + required);
        assertEquals(required, new TreeSet<>(main.dependsOnOf("functionApp")),
                "the function app must depend on its role assignments, every Key Vault secret module and the token key");
    }

    @Test
    void whenTheCodeIsDeployedToElasticPremiumOrConsumptionThenTheScriptUploadsThePackageRestartsAndSyncs() throws IOException {
        Path script = INFRA.resolve("scripts").resolve("deploy-package.sh");
        assertTrue(Files.isExecutable(script), script + " must exist and be executable");
        String text = Files.readString(script);
        assertTrue(text.contains("container=\"app-package\"") && files.get(MAIN).code.contains("var packageContainerName = 'app-package'"));
        assertTrue(text.contains("blob=\"m365-connector.zip\"") && module("functionapp.bicep").code.contains("var packageBlobName = 'm365-connector.zip'"));
        assertTrue(text.contains("az storage blob upload --auth-mode login"), "uploads with Entra ID (the account has no keys)");
        assertTrue(text.contains("az functionapp restart") && text.contains("/syncfunctiontriggers?"), "restarts and syncs the triggers");
        assertTrue(Files.readString(Path.of("azure.yaml")).contains("infra/scripts/deploy-package.sh"));
    }

    @Test
    void whenPlansAreDocumentedThenAzdDeploysOnlyFlexAndTheOtherPlansUploadThePackage() throws IOException {
        String deployDoc = Files.readString(Path.of("docs", "DEPLOY.md"));
        Map<String, String> documents = Map.of("docs/DEPLOY.md", deployDoc, "README.md Deploy", readmeDeploySection());
        for (Map.Entry<String, String> doc : documents.entrySet()) {
            for (String block : codeBlocks(doc.getValue())) {
                if (block.contains("AZURE_HOSTING_PLAN ElasticPremium") || block.contains("AZURE_HOSTING_PLAN Consumption")) {
                    for (String line : block.split("\n")) {
                        String command = line.strip();
                        assertFalse(command.startsWith("azd up") || command.startsWith("azd deploy"),
                                doc.getKey() + ": azd's zip deploy does not work for ElasticPremium/Consumption: " + line);
                    }
                    assertTrue(block.contains("infra/scripts/deploy-package.sh"),
                            doc.getKey() + ": an ElasticPremium/Consumption example must deploy with the package script: " + block);
                }
            }
        }
    }

    @Test
    void whenTheReadmeMentionsJvmOptionsThenItPointsAtTheParameterNotAHandSetAppSetting() throws IOException {
        String deploy = readmeDeploySection();
        assertFalse(deploy.contains("JAVA_OPTS="), "the README must not tell users to add an app setting by hand");
        assertTrue(deploy.contains("jvmOptions"), "the README points at the jvmOptions parameter");
    }

    @Test
    void whenTheDeployGuideDescribesTheKeyInitIdentityThenItSaysThatItStaysAndHowToRemoveIt() throws IOException {
        String deployDoc = Files.readString(Path.of("docs", "DEPLOY.md"));
        assertFalse(deployDoc.toLowerCase(Locale.ROOT).contains("transient"), "the key-init identity and its role stay");
        assertTrue(deployDoc.contains("keyInitIdentityName") && deployDoc.contains("az identity delete")
                && deployDoc.contains("az role assignment delete") && deployDoc.contains("createTokenKey=false"),
                "docs/DEPLOY.md says how to remove the key-init identity and its role");
    }

    @Test
    void whenTheDeployGuideIsReadThenEveryCloudHasValidateAndWhatIfCommands() throws IOException {
        String deployDoc = Files.readString(Path.of("docs", "DEPLOY.md"));
        for (String cloud : List.of("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")) {
            boolean found = false;
            for (String block : codeBlocks(deployDoc)) {
                if (block.contains("az cloud set --name " + cloud)) {
                    found |= block.contains("az deployment group validate") && block.contains("az deployment group what-if");
                }
            }
            assertTrue(found, "docs/DEPLOY.md needs a block with az cloud set --name " + cloud
                    + ", az deployment group validate and az deployment group what-if");
        }
    }

    @Test
    void whenTheKeyInitIdentityIsKeptThenItsNameIsAnOutputAndAzdCanTurnTheScriptOff() throws IOException {
        Bicep main = files.get(MAIN);
        assertTrue(main.code.contains("scriptIdentityName: keyInitIdentityName"));
        assertTrue(main.code.contains("output keyInitIdentityName string = createTokenKey ? keyInitIdentityName : ''"));
        JsonNode parameters = Json.MAPPER.readTree(INFRA.resolve("main.parameters.json").toFile()).get("parameters");
        assertEquals("${CREATE_TOKEN_KEY=true}", parameters.path("createTokenKey").path("value").asText(),
                "azd users can turn the key script off (azd env set CREATE_TOKEN_KEY false)");
    }

    @Test
    void whenMonitoringIsDeclaredThenLocalAuthIsOffInTheCommercialCloudAndTheAppAuthenticatesWithItsIdentityThere() {
        String monitoring = module("monitoring.bicep").code;
        assertTrue(monitoring.contains("DisableLocalAuth: entraIngestionOnly"));
        assertTrue(files.get(MAIN).code.contains("entraIngestionOnly: environment().name == 'AzureCloud'"),
                "Learn: Entra-authenticated ingestion needs the public cloud; elsewhere telemetry would be dropped");
        assertTrue(monitoring.contains("WorkspaceResourceId: workspace.id"), "workspace-based Application Insights");
        assertEquals("environment().name == 'AzureCloud' ? 'ClientId=${identityClientId};Authorization=AAD' : ''",
                only("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
    }

    /** Always-ready instances set only with the CLI would be removed by the next provision: the template writes them. */
    @Test
    void whenFlexAlwaysReadyIsAParameterThenTheTemplateWritesItAtEveryDeployment() {
        String app = module("functionapp.bicep").code;
        assertTrue(app.contains("alwaysReady: flexAlwaysReadyHttp > 0 ? ["), app);
        assertTrue(app.contains("name: 'http'") && app.contains("instanceCount: flexAlwaysReadyHttp"));
        assertTrue(files.get(MAIN).code.contains("flexAlwaysReadyHttp: flexAlwaysReadyHttp"), "main passes it on");
    }

    @Test
    void whenKeyVaultIsDeclaredThenItUsesRbacWithSoftDeleteAndPurgeProtection() {
        String vault = module("keyvault.bicep").code;
        assertTrue(vault.contains("enableRbacAuthorization: true"));
        assertTrue(vault.contains("enableSoftDelete: true"));
        assertTrue(vault.contains("enablePurgeProtection: true"));
        assertFalse(allCode().contains("accessPolicies"), "RBAC only, no access policies");
    }

    @Test
    void whenAzureYamlIsReadThenItPointsAtInfraAndTheJavaFunctionService() throws IOException {
        Map<String, Object> yaml = SimpleYaml.parse(Files.readString(Path.of("azure.yaml")));
        Map<String, Object> infra = SimpleYaml.map(yaml, "infra");
        assertEquals("bicep", infra.get("provider"));
        assertEquals("infra", infra.get("path"));
        assertEquals("main", infra.get("module"));
        Map<String, Object> services = SimpleYaml.map(yaml, "services");
        assertEquals(Set.of("api"), services.keySet());
        Map<String, Object> api = SimpleYaml.map(services, "api");
        assertEquals(".", api.get("project"));
        assertEquals("java", api.get("language"));
        assertEquals("function", api.get("host"));
        assertTrue(Files.exists(Path.of((String) api.get("project")).resolve("pom.xml")));
        assertTrue(Files.exists(Path.of((String) infra.get("path")).resolve(infra.get("module") + ".bicep")));
        String app = module("functionapp.bicep").code;
        assertTrue(app.contains("param serviceName string = 'api'") && app.contains("'azd-service-name': serviceName"),
                "azd finds the app by the azd-service-name tag of azure.yaml's service");
    }

    @Test
    void whenParametersFileIsReadThenItNamesOnlyMainParametersAndHoldsNoSecretValue() throws IOException {
        JsonNode parameters = Json.MAPPER.readTree(INFRA.resolve("main.parameters.json").toFile()).get("parameters");
        assertNotNull(parameters);
        Bicep main = files.get(MAIN);
        Map<String, Boolean> declared = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(main.masked);
        while (m.find()) {
            declared.put(m.group(1), m.group(2) != null);
        }
        Set<String> inFile = new LinkedHashSet<>();
        parameters.fieldNames().forEachRemaining(inFile::add);
        for (String name : inFile) {
            assertTrue(declared.containsKey(name), "main.parameters.json sets unknown parameter " + name);
        }
        for (Map.Entry<String, Boolean> p : declared.entrySet()) {
            if (!p.getValue()) {
                assertTrue(inFile.contains(p.getKey()), "required parameter " + p.getKey() + " is not in main.parameters.json");
            }
        }
        for (String secure : secureParameters(main)) {
            JsonNode value = parameters.path(secure).path("value");
            assertTrue(value.isMissingNode() || value.asText().matches("\\$\\{[A-Z0-9_]+\\}"),
                    secure + " must come from the azd environment, never a literal: " + value);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static List<String> hostingPlans() {
        Bicep main = files.get(MAIN);
        return main.literalsIn(main.code.indexOf("@allowed(", main.code.indexOf("Hosting plan")), main.code.indexOf("param hostingPlan "))
                .stream().map(l -> l.substring(1, l.length() - 1)).toList();
    }

    private static String readmeDeploySection() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Deploy\n");
        assertTrue(start >= 0, "README.md has a ## Deploy section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The bodies of the fenced code blocks of a Markdown text. */
    private static List<String> codeBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^```[^\\n]*\\n(.*?)^```").matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static String only(String setting) {
        List<Entry> entries = appSettings.get(setting);
        assertNotNull(entries, setting + " is not an app setting");
        assertEquals(1, entries.size(), setting + " is set more than once");
        return entries.get(0).value();
    }

    private static Map<String, String> exclusions() {
        Map<String, String> result = new TreeMap<>();
        for (Bicep file : files.values()) {
            Matcher m = EXCLUSION.matcher(file.raw);
            while (m.find()) {
                result.put(m.group(1), m.group(2).trim());
            }
        }
        return result;
    }

    private static Set<String> secureParameters() {
        Set<String> result = new TreeSet<>();
        files.values().forEach(f -> result.addAll(secureParameters(f)));
        return result;
    }

    private static Set<String> secureParameters(Bicep file) {
        Set<String> result = new TreeSet<>();
        Matcher m = SECURE_PARAM.matcher(file.masked);
        while (m.find()) {
            result.add(m.group(1));
        }
        return result;
    }

    private static Bicep module(String name) {
        Bicep file = files.get(MODULES.resolve(name));
        assertNotNull(file, "infra/modules/" + name + " is missing");
        return file;
    }

    private static String allCode() {
        return files.values().stream().map(f -> f.code).collect(Collectors.joining("\n"));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }

    /**
     * A Bicep file three ways, all of the same length so positions line up: {@code raw}; {@code code}
     * with comments blanked; {@code masked} with comments and the insides of string literals blanked
     * (so braces and names found in it are code, never text).
     */
    static final class Bicep {
        final String raw;
        final String code;
        final String masked;
        /** [start, end) of every top-level string literal, quotes included. */
        final List<int[]> literals = new ArrayList<>();

        private Bicep(String raw) {
            this.raw = raw;
            StringBuilder code = new StringBuilder(raw);
            StringBuilder masked = new StringBuilder(raw);
            int n = raw.length();
            int i = 0;
            while (i < n) {
                if (raw.startsWith("//", i)) {
                    int end = raw.indexOf('\n', i);
                    end = end < 0 ? n : end;
                    blank(code, i, end);
                    blank(masked, i, end);
                    i = end;
                } else if (raw.startsWith("/*", i)) {
                    int end = raw.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    blank(code, i, end);
                    blank(masked, i, end);
                    i = end;
                } else if (raw.startsWith("'''", i)) {
                    int end = raw.indexOf("'''", i + 3);
                    end = end < 0 ? n : end + 3;
                    literals.add(new int[] {i, end});
                    blank(masked, i + 3, end - 3);
                    i = end;
                } else if (raw.charAt(i) == '\'') {
                    int end = endOfString(raw, i);
                    literals.add(new int[] {i, end});
                    blank(masked, i + 1, end - 1);
                    i = end;
                } else {
                    i++;
                }
            }
            this.code = code.toString();
            this.masked = masked.toString();
        }

        static Bicep read(Path path) {
            try {
                return new Bicep(Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Index after the closing quote of the string literal opening at {@code start}. */
        private static int endOfString(String s, int start) {
            int i = start + 1;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '\'') {
                    return i + 1;
                } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                    i = endOfInterpolation(s, i + 2);
                } else {
                    i++;
                }
            }
            return s.length();
        }

        private static int endOfInterpolation(String s, int i) {
            int depth = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\'') {
                    i = endOfString(s, i);
                    continue;
                }
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    if (depth == 0) {
                        return i + 1;
                    }
                    depth--;
                }
                i++;
            }
            return s.length();
        }

        private static void blank(StringBuilder b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b.charAt(i) != '\n') {
                    b.setCharAt(i, ' ');
                }
            }
        }

        int matchingBrace(int open) {
            int depth = 0;
            for (int i = open; i < masked.length(); i++) {
                char c = masked.charAt(i);
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    return i;
                }
            }
            throw new AssertionError("unbalanced braces after offset " + open);
        }

        /** The string literals (with their quotes) lying within [from, to). */
        List<String> literalsIn(int from, int to) {
            List<String> result = new ArrayList<>();
            for (int[] l : literals) {
                if (l[0] >= from && l[1] <= to) {
                    result.add(raw.substring(l[0], l[1]));
                }
            }
            return result;
        }

        String lineAt(int index) {
            int start = code.lastIndexOf('\n', index) + 1;
            int end = code.indexOf('\n', index);
            return code.substring(start, end < 0 ? code.length() : end);
        }

        /** Top-level keys of {@code var <name> = { ... }} with their value text (nested objects as their inner text). */
        Map<String, String> objectEntries(String name) {
            Matcher m = Pattern.compile("\\bvar\\s+" + name + "\\s*=\\s*\\{").matcher(masked);
            assertTrue(m.find(), "no var " + name + " = {...}");
            return entries(m.end() - 1);
        }

        /** {@code var <name> = { key: { k: v ... } ... }} as nested maps of value texts. */
        Map<String, Map<String, String>> objectOfObjects(String name) {
            Matcher m = Pattern.compile("\\bvar\\s+" + name + "\\s*=\\s*\\{").matcher(masked);
            assertTrue(m.find(), "no var " + name + " = {...}");
            Map<String, Map<String, String>> result = new LinkedHashMap<>();
            Matcher key = Pattern.compile("(?m)^\\s*(\\w+)\\s*:\\s*\\{").matcher(masked);
            int close = matchingBrace(m.end() - 1);
            int at = m.end();
            while (key.find(at) && key.start() < close) {
                int open = key.end() - 1;
                result.put(key.group(1), entries(open));
                at = matchingBrace(open) + 1;
            }
            return result;
        }

        private Map<String, String> entries(int open) {
            int close = matchingBrace(open);
            Map<String, String> result = new LinkedHashMap<>();
            int at = masked.indexOf('\n', open) + 1;
            while (at > 0 && at < close) {
                int eol = masked.indexOf('\n', at);
                eol = eol < 0 || eol > close ? close : eol;
                Matcher key = KEY.matcher(masked.substring(at, eol));
                if (key.matches()) {
                    String value = code.substring(at + key.start(2), eol).trim();
                    if (value.endsWith("{")) {
                        int inner = masked.indexOf('{', at + key.start(2));
                        int innerClose = matchingBrace(inner);
                        result.put(key.group(1), code.substring(inner + 1, innerClose).trim());
                        eol = masked.indexOf('\n', innerClose);
                        eol = eol < 0 ? close : eol;
                    } else {
                        result.put(key.group(1), value);
                    }
                }
                at = eol + 1;
            }
            return result;
        }

        /** The names in the {@code dependsOn: [ ... ]} of {@code module <name>}. */
        List<String> dependsOnOf(String moduleName) {
            Matcher m = Pattern.compile("(?m)^module\\s+" + moduleName + "\\s+'[^']+'\\s*=\\s*\\{").matcher(masked);
            assertTrue(m.find(), "no module " + moduleName);
            int close = matchingBrace(m.end() - 1);
            int deps = masked.indexOf("dependsOn: [", m.end());
            assertTrue(deps > 0 && deps < close, "module " + moduleName + " has no dependsOn");
            int end = masked.indexOf(']', deps);
            return Pattern.compile("\\s+").splitAsStream(masked.substring(deps + "dependsOn: [".length(), end).trim())
                    .filter(t -> !t.isEmpty()).toList();
        }

        /** The string elements of {@code var <name> = [ ... ]}. */
        List<String> arrayVariable(String name) {
            Matcher m = Pattern.compile("\\bvar\\s+" + name + "\\s*=\\s*\\[").matcher(masked);
            assertTrue(m.find(), "no var " + name + " = [...]");
            int close = masked.indexOf(']', m.end());
            return literalsIn(m.end(), close).stream().map(s -> s.substring(1, s.length() - 1)).toList();
        }
    }

    /** Just enough YAML for azure.yaml: nested maps of plain scalars by indentation, comments ignored. */
    static final class SimpleYaml {
        private SimpleYaml() {
        }

        static Map<String, Object> parse(String text) {
            Map<String, Object> root = new LinkedHashMap<>();
            List<Map<String, Object>> stack = new ArrayList<>(List.of(root));
            List<Integer> indents = new ArrayList<>(List.of(-1));
            Iterator<String> lines = text.lines().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                String content = line.replaceFirst("\\s+#.*$", "");
                if (content.isBlank() || content.trim().startsWith("#")) {
                    continue;
                }
                int indent = content.length() - content.stripLeading().length();
                while (indent <= indents.get(indents.size() - 1)) {
                    stack.remove(stack.size() - 1);
                    indents.remove(indents.size() - 1);
                }
                String[] kv = content.trim().split(":", 2);
                String key = kv[0].trim();
                String value = kv.length > 1 ? kv[1].trim() : "";
                if (value.isEmpty()) {
                    Map<String, Object> child = new LinkedHashMap<>();
                    stack.get(stack.size() - 1).put(key, child);
                    stack.add(child);
                    indents.add(indent);
                } else {
                    stack.get(stack.size() - 1).put(key, value.replaceAll("^['\"]|['\"]$", ""));
                }
            }
            return root;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> map(Map<String, Object> parent, String key) {
            Object value = parent.get(key);
            assertTrue(value instanceof Map, key + " is not a mapping in azure.yaml");
            return (Map<String, Object>) value;
        }
    }
}
