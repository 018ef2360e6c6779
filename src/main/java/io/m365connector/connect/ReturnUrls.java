package io.m365connector.connect;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Adds result parameters to an allow-listed return URL, keeping its own query. */
public final class ReturnUrls {
    private ReturnUrls() {
    }

    public static String with(URI returnUrl, Map<String, String> params) {
        StringBuilder url = new StringBuilder(returnUrl.toString());
        char separator = returnUrl.getRawQuery() == null ? '?' : '&';
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (p.getValue() == null) {
                continue;
            }
            url.append(separator).append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return url.toString();
    }
}
