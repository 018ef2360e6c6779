package io.m365connector.platform.webhooks;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs one message to a web app's webhook, signed by {@link WebhookSigner} with the time of this
 * attempt. Anything but a 2xx answer is a failure the caller retries with the same id.
 */
public final class WebhookSender {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final URI url;
    private final WebhookSigner signer;
    private final OkHttpClient http;
    private final Clock clock;

    public WebhookSender(URI url, WebhookSigner signer, OkHttpClient http, Clock clock) {
        this.url = Objects.requireNonNull(url, "'url' cannot be null.");
        this.signer = Objects.requireNonNull(signer, "'signer' cannot be null.");
        this.http = Objects.requireNonNull(http, "'http' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /**
     * Delivers the message; {@link WebhookRefusedException} when the receiver did not answer 2xx, another
     * {@link IOException} when it could not be reached.
     */
    public void send(String eventId, String body) throws IOException {
        Request.Builder request = new Request.Builder().url(url.toString()).post(RequestBody.create(body, JSON));
        signer.headers(eventId, clock.instant(), body).forEach(request::header);
        try (Response response = http.newCall(request.build()).execute()) {
            if (!response.isSuccessful()) {
                throw new WebhookRefusedException(response.code(), response.header("Retry-After"));
            }
        }
    }
}
