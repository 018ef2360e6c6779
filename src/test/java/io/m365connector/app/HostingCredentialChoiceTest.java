package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.identity.DefaultAzureCredential;
import io.m365connector.credentials.PlatformIdentityCredential;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.TestSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Which hosting credential an instance gets: the platform's identity endpoint where App Service and Azure Functions set
 * it and azure-identity's DefaultAzureCredential would use it as well; DefaultAzureCredential everywhere else (a
 * developer's machine, a service principal or workload identity in the environment, Service Fabric's or Azure Arc's
 * identity endpoint, which set IDENTITY_ENDPOINT too, an endpoint that is not a URL).
 */
class HostingCredentialChoiceTest {
    private static final String HEADER = "platform-identity-header-value";
    private final Map<String, String> env = TestSettings.base("UseDevelopmentStorage=true");
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), new LocalCloudRouting());

    private Object credential() {
        return AzureClients.hostingCredential(SettingsReader.read(env), http.azureHttpClient(), Clock.systemUTC(), Sleeper.REAL);
    }

    @Test
    void whenThePlatformSetsItsIdentityEndpointThenTheHostingCredentialAsksItDirectly() {
        env.put("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/");
        env.put("IDENTITY_HEADER", HEADER);

        Settings settings = SettingsReader.read(env);

        assertInstanceOf(PlatformIdentityCredential.class, credential());
        assertEquals("http://127.0.0.1:41741/MSI/token/", settings.platformIdentity().orElseThrow().endpoint().toString());
        assertEquals("PlatformIdentity[endpoint=http://127.0.0.1:41741/MSI/token/, header=REDACTED]",
                settings.platformIdentity().orElseThrow().toString());
        assertFalse(settings.platformIdentity().orElseThrow().toString().contains(HEADER));
    }

    @Test
    void whenNoIdentityEndpointIsSetThenDefaultAzureCredentialServesAsBefore() {
        env.put("IDENTITY_HEADER", HEADER); // the header alone is no endpoint

        assertInstanceOf(DefaultAzureCredential.class, credential());
        assertTrue(SettingsReader.read(env).platformIdentity().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_FEDERATED_TOKEN_FILE",
            "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT"})
    void whenACredentialTriedFirstOrAnotherHostsIdentityEndpointIsConfiguredThenAzureIdentityStaysInCharge(String variable) {
        env.put("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/");
        env.put("IDENTITY_HEADER", HEADER);
        env.put(variable, "set");

        assertInstanceOf(DefaultAzureCredential.class, credential());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/msi/token", "not a url", "/msi/token"})
    void whenTheEndpointIsNotAnHttpUrlThenAzureIdentityHandlesItAsBefore(String endpoint) {
        env.put("IDENTITY_ENDPOINT", endpoint);
        env.put("IDENTITY_HEADER", HEADER);

        assertInstanceOf(DefaultAzureCredential.class, credential());
    }
}
