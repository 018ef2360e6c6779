package io.m365connector.platform.webhooks;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The web app answered a webhook with something other than 2xx: its status, and the wait its {@code Retry-After} asked for. */
public final class WebhookRefusedException extends IOException {
    private final int status;
    private final transient Optional<Duration> retryAfter;

    public WebhookRefusedException(int status, Optional<Duration> retryAfter) {
        super("webhook answered HTTP " + status);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The wait the answer's {@code Retry-After} named (capped at an hour), if any. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** 410 Gone: Standard Webhooks says the sender "should disable the webhook endpoint, and stop sending it messages". */
    public boolean gone() {
        return status == 410;
    }
}
