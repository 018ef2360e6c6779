package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.m365connector.testing.entra.FakeUser;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** What a user does in the browser between "start a connection" and "use it", over plain HTTP: for tests of the demo. */
final class DemoSignIn {
    private DemoSignIn() {
    }

    /**
     * Opens the login link, signs in as {@code user} at the (fake) Microsoft page, comes back with the
     * binding cookie. OkHttp, not the JDK's client: that one logs request URLs (with the authorization
     * code) at FINE.
     */
    static void signIn(DemoEnvironment demo, String loginUrl, FakeUser user) throws Exception {
        demo.entra.nextSignIn(user);
        OkHttpClient http = new OkHttpClient.Builder().followRedirects(false).build(); // each hop by hand
        String cookie;
        String microsoft;
        try (Response login = http.newCall(new Request.Builder().url(loginUrl).build()).execute()) {
            assertEquals(302, login.code());
            cookie = login.header("Set-Cookie").split(";", 2)[0];
            microsoft = login.header("Location");
        }
        String callback;
        try (Response signedIn = http.newCall(new Request.Builder().url(microsoft).build()).execute()) {
            callback = signedIn.header("Location");
            assertNotNull(callback, "the fake signed in and sent the browser back: HTTP " + signedIn.code());
        }
        try (Response back = http.newCall(new Request.Builder().url(callback).header("Cookie", cookie).build()).execute()) {
            assertEquals(200, back.code(), "the callback's page");
        }
    }
}
