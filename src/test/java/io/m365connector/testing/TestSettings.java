package io.m365connector.testing;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Settings maps for tests: a valid base that each test adjusts. */
public final class TestSettings {
    public static final String GLOBAL_CLIENT_ID = "11111111-2222-3333-4444-555555555555";

    private TestSettings() {
    }

    /** A valid configuration: global cloud enabled, Azurite storage, a local token key. */
    public static Map<String, String> base(String storageConnectionString) {
        Map<String, String> env = new HashMap<>();
        env.put("AzureWebJobsStorage", storageConnectionString);
        env.put("M365_CLOUDS", "global");
        env.put("M365_GLOBAL_CLIENT_ID", GLOBAL_CLIENT_ID);
        env.put("M365_GLOBAL_CLIENT_SECRET", SecretsLedger.remember("global-client-secret-value-1234"));
        env.put("PUBLIC_BASE_URL", "https://func-m365.example.net");
        env.put("REFRESH_SCHEDULE", "0 */5 * * * *");
        env.put("ALLOWED_RETURN_URLS", "https://app.example.com/connected");
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(SecretsLedger.remember(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})));
        return env;
    }
}
