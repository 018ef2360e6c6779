package io.m365connector.maintenance;

import io.m365connector.platform.Settings.Webhook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs one event to the web app's webhook, signed so the receiver can trust it:
 * {@code M365C-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. The
 * timestamp lets the receiver refuse replays (compare it with its clock, allow a few minutes).
 */
public final class WebhookSender {
    public static final String SIGNATURE_HEADER = "M365C-Signature";
    public static final String EVENT_ID_HEADER = "M365C-Event-Id";

    private final Webhook webhook;
    private final OkHttpClient http;
    private final Clock clock;

    public WebhookSender(Webhook webhook, OkHttpClient http, Clock clock) {
        this.webhook = webhook;
        this.http = http;
        this.clock = clock;
    }

    /** Delivers the event; throws when the receiver did not answer 2xx. */
    public void send(String eventId, String body) throws IOException {
        long timestamp = clock.instant().getEpochSecond();
        Request request = new Request.Builder().url(webhook.url().toString())
                .header(SIGNATURE_HEADER, "t=" + timestamp + ",v1=" + sign(webhook.secret(), timestamp, body))
                .header(EVENT_ID_HEADER, eventId)
                .post(RequestBody.create(body, MediaType.get("application/json; charset=utf-8")))
                .build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new IOException("webhook answered HTTP " + response.code());
            }
        }
    }

    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
