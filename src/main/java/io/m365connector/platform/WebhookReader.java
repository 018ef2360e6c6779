package io.m365connector.platform;

import io.m365connector.platform.Settings.Webhook;
import io.m365connector.platform.webhooks.WebhookSecret;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads where webhooks go and their Standard Webhooks signing secret, and refuses the setting of the
 * signature format that is gone, saying what replaced it.
 */
final class WebhookReader {
    /** Read only to be refused with a message that says what replaced it. */
    static final String RETIRED_WEBHOOK_SECRET = "NOTIFY_WEBHOOK_SECRET";
    private static final int MAX_SECRETS = 2;

    private final RawSettings reader;

    WebhookReader(RawSettings reader) {
        this.reader = reader;
    }

    Optional<Webhook> webhook() {
        if (reader.optional(RETIRED_WEBHOOK_SECRET).isPresent()) {
            reader.problem(RETIRED_WEBHOOK_SECRET, "is no longer read: webhooks are signed the Standard Webhooks way now (webhook-id, "
                    + "webhook-timestamp, webhook-signature headers). Set " + Setting.NOTIFY_WEBHOOK_SIGNING_SECRET.settingName()
                    + " to a new whsec_ secret (echo \"whsec_$(openssl rand -base64 32)\"), verify deliveries with a Standard Webhooks "
                    + "library given the same secret, and remove " + RETIRED_WEBHOOK_SECRET + " (see CHANGELOG.md).", null);
        }
        Optional<String> url = reader.optional(Setting.NOTIFY_WEBHOOK_URL.settingName());
        Optional<String> secret = reader.optional(Setting.NOTIFY_WEBHOOK_SIGNING_SECRET.settingName());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        URI uri = null;
        try {
            uri = URI.create(url.get());
            boolean local = "http".equals(uri.getScheme()) && RawSettings.isLoopback(uri.getHost());
            if (!("https".equals(uri.getScheme()) || local) || uri.getHost() == null) {
                reader.problem(Setting.NOTIFY_WEBHOOK_URL, "must be an https URL (http only for localhost).");
            }
        } catch (IllegalArgumentException e) {
            reader.problem(Setting.NOTIFY_WEBHOOK_URL, "is not a URL.");
        }
        String secretName = Setting.NOTIFY_WEBHOOK_SIGNING_SECRET.settingName();
        if (secret.isEmpty()) {
            reader.problem(secretName, "must be set when NOTIFY_WEBHOOK_URL is set: whsec_ followed by the base64 of 24-64 random bytes "
                    + "(echo \"whsec_$(openssl rand -base64 32)\").", null);
            return Optional.empty();
        }
        List<WebhookSecret> secrets = secrets(secret.get().trim().split("\\s+"));
        return uri == null || secrets.isEmpty() ? Optional.empty() : Optional.of(new Webhook(uri, secrets));
    }

    /** One secret, or two while the web app moves to a new one (each delivery is signed with both). */
    private List<WebhookSecret> secrets(String[] texts) {
        String secretName = Setting.NOTIFY_WEBHOOK_SIGNING_SECRET.settingName();
        if (texts.length > MAX_SECRETS) {
            reader.problem(secretName, "holds " + texts.length + " secrets; at most " + MAX_SECRETS + " (the current one and the next, "
                    + "separated by a space, while you rotate: docs/OPERATIONS.md).", null);
            return List.of();
        }
        List<WebhookSecret> secrets = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            try {
                secrets.add(WebhookSecret.parse(texts[i]));
            } catch (IllegalArgumentException e) {
                reader.problem(secretName, (texts.length > 1 ? "(secret " + (i + 1) + " of " + texts.length + ") " : "") + e.getMessage()
                        + " Create one with: echo \"whsec_$(openssl rand -base64 32)\"", null);
                return List.of();
            }
        }
        return secrets;
    }
}
