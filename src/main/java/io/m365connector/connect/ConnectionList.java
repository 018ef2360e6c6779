package io.m365connector.connect;

import java.util.List;

/**
 * What {@code GET /connections?ownerId=…} answers: a page of the owner's connections, newest first,
 * each as {@link ConnectionView} (never tokens).
 *
 * @param nextCursor pass it as {@code cursor} for the next page; absent on the last page. A page can
 *                   hold fewer than {@code pageSize} connections and still have a next one.
 */
public record ConnectionList(String ownerId, List<ConnectionView> connections, String nextCursor) {
    public ConnectionList {
        connections = List.copyOf(connections);
    }
}
