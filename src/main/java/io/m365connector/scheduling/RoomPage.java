package io.m365connector.scheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of rooms. {@code nextPageToken} is present while Graph may have more rooms: pass it back
 * unchanged with the same filters. A page can hold fewer rooms than asked for (even none) when the
 * filters matched few of the rooms looked at; only a missing token means the listing is complete.
 *
 * @param source where the rooms come from: {@code places} (Graph's room directory)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoomPage(String connectionId, String cloud, String source, List<RoomView> rooms, String nextPageToken) {
    public RoomPage {
        rooms = List.copyOf(rooms);
    }
}
