package io.m365connector.platform.http;

import okhttp3.OkHttpClient;

/**
 * A hook on the one outbound client for where connections go. Production uses {@link #DIRECT}.
 * Tests and the local demo install a route table that sends the real cloud host names
 * (login.microsoftonline.us, graph.microsoft.us, ...) to local HTTPS fakes, so the production code
 * runs unmodified with the real host names.
 */
@FunctionalInterface
public interface HostRouting {
    HostRouting DIRECT = builder -> { };

    void applyTo(OkHttpClient.Builder builder);
}
