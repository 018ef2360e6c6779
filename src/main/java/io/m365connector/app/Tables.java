package io.m365connector.app;

/** The Table Storage tables the app uses (created on first use; the infrastructure creates them too). */
public final class Tables {
    public static final String CONNECTIONS = "connections";
    public static final String REFRESH_DUE = "refreshdue";

    private Tables() {
    }
}
