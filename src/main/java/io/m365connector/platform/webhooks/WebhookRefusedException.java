package io.m365connector.platform.webhooks;

import java.io.IOException;

/** The web app answered a webhook with something other than 2xx: its status, and its {@code Retry-After} header, if any. */
public final class WebhookRefusedException extends IOException {
    private final int status;
    private final String retryAfter;

    public WebhookRefusedException(int status, String retryAfter) {
        super("webhook answered HTTP " + status);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The answer's {@code Retry-After} as sent (seconds or an HTTP date), or null. */
    public String retryAfter() {
        return retryAfter;
    }

    /** 410 Gone: Standard Webhooks says the sender "should disable the webhook endpoint, and stop sending it messages". */
    public boolean gone() {
        return status == 410;
    }
}
