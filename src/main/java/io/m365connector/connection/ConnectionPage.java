package io.m365connector.connection;

import java.util.List;

/**
 * One page of an owner's connections, newest first.
 *
 * @param next where the next page starts (pass it as {@link OwnerQuery#after()}), or null when this is the last page
 */
public record ConnectionPage(List<Connection> connections, String next) {
    public ConnectionPage {
        connections = List.copyOf(connections);
    }
}
