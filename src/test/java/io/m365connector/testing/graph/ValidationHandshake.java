package io.m365connector.testing.graph;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The validation of a notification or lifecycle URL, as https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks
 * describes it: Graph POSTs {@code ?validationToken={opaque token}} with {@code Content-Type: text/plain;
 * charset=utf-8}; the endpoint must answer within 10 seconds with 200, a text/plain content type and the
 * URL-decoded token as the body ("If the client returns an encoded validation token, the validation fails").
 * The token has the form Graph's have ("Validation: Testing client application reachability for subscription
 * Request-Id: ..."), so it needs decoding. The 400's code and messages are those public reports quote.
 */
final class ValidationHandshake {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ValidationHandshake() {
    }

    /** The handshake; null when the endpoint answered right in time, else the 400 to answer. Lock not held. */
    static SyncAnswer validate(String url, FakeSubscriptions subscriptions, Object lock) {
        String token = "Validation: Testing client application reachability for subscription Request-Id: " + UUID.randomUUID();
        String full = url + (url.contains("?") ? "&" : "?") + "validationToken=" + SyncValues.urlEncode(token);
        String contentType = "text/plain; charset=utf-8";
        NotificationOutbox.Attempt a = NotificationOutbox.call(subscriptions.endpoint(), subscriptions.clock(), full, contentType, "");
        NotificationEndpoint.Response answer = a.response();
        boolean inTime = a.elapsed().compareTo(TIMEOUT) <= 0;
        boolean ok = answer != null && inTime && answer.status() == 200 && answer.contentType() != null
                && answer.contentType().toLowerCase(Locale.ROOT).startsWith("text/plain") && token.equals(answer.body());
        synchronized (lock) {
            subscriptions.outbox().record(new NotificationDelivery(a.at(), "validation", null, full, contentType, "", a.status(),
                    a.elapsed(), ok));
        }
        if (ok) {
            return null;
        }
        String why = answer != null && inTime && answer.status() == 200
                ? "Response must exactly match validationToken query parameter."
                : "Notification endpoint must respond with 200 OK to validation request.";
        return SyncAnswer.error(400, "ValidationError", "Subscription validation request failed. " + why);
    }
}
