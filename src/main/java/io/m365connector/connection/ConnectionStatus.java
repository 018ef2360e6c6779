package io.m365connector.connection;

import java.util.Locale;

/** Where a connection stands. */
public enum ConnectionStatus {
    /** Created by the web app; the user has not finished signing in yet. */
    PENDING,
    /** Tokens stored and usable. */
    ACTIVE,
    /** The refresh token no longer works (revoked, expired, policy): the user must connect again. */
    NEEDS_REAUTH,
    /** Disconnected by the web app: tokens deleted. */
    DISCONNECTED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConnectionStatus fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
