package io.m365connector.sync;

import java.net.URI;
import java.util.Optional;

/**
 * Where Graph delivers notifications: {@code <PUBLIC_BASE_URL>/api/graph/notifications} and
 * {@code .../api/graph/lifecycle}. Graph delivers only to public https endpoints, so a local run on
 * http://localhost has none (and syncs by the timer alone).
 */
public record NotificationUrls(Optional<String> notification, Optional<String> lifecycle) {
    public static NotificationUrls of(URI publicBaseUrl) {
        if (!"https".equals(publicBaseUrl.getScheme())) {
            return new NotificationUrls(Optional.empty(), Optional.empty());
        }
        String base = publicBaseUrl.toString().replaceAll("/+$", "");
        return new NotificationUrls(Optional.of(base + "/api/graph/notifications"), Optional.of(base + "/api/graph/lifecycle"));
    }
}
