package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.m365connector.testing.entra.FakeUser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** What a user does in the browser between "start a connection" and "use it", over plain HTTP: for tests of the demo. */
final class DemoSignIn {
    private DemoSignIn() {
    }

    /** Opens the login link, signs in as {@code user} at the (fake) Microsoft page, comes back with the binding cookie. */
    static void signIn(DemoEnvironment demo, String loginUrl, FakeUser user) throws Exception {
        demo.entra.nextSignIn(user);
        HttpClient http = HttpClient.newHttpClient(); // follows no redirects: each hop by hand
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(loginUrl)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        HttpResponse<String> microsoft = http.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        String callback = microsoft.headers().firstValue("Location").orElse(null);
        assertNotNull(callback, "the fake signed in and sent the browser back: " + microsoft.body());
        HttpResponse<String> back = http.send(HttpRequest.newBuilder(URI.create(callback)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, back.statusCode(), back.body());
    }
}
