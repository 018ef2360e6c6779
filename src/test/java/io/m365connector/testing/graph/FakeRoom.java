package io.m365connector.testing.graph;

import java.util.List;

/**
 * A room of the fake Graph's room directory, with the properties of Graph's room resource.
 *
 * @param roomList the e-mail address of the room list it belongs to, or null
 */
public record FakeRoom(String emailAddress, String displayName, Integer capacity, String building, Integer floorNumber,
                       String floorLabel, Boolean isWheelChairAccessible, String audioDeviceName, String videoDeviceName,
                       String displayDeviceName, List<String> tags, String street, String city, String roomList) {
    public FakeRoom {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** A room with a name, seats and a building; the rest unset. */
    public static FakeRoom of(String emailAddress, String displayName, Integer capacity, String building) {
        return new FakeRoom(emailAddress, displayName, capacity, building, null, null, null, null, null, null, List.of(), null, null, null);
    }

    public FakeRoom inList(String roomListAddress) {
        return new FakeRoom(emailAddress, displayName, capacity, building, floorNumber, floorLabel, isWheelChairAccessible,
                audioDeviceName, videoDeviceName, displayDeviceName, tags, street, city, roomListAddress);
    }

    /** How the room's mailbox answers invitations (Exchange resource booking, automatic processing). */
    public enum Response {
        /** Accepts when free, declines a conflict (the default, as AutoAccept does). */
        ACCEPT_IF_FREE,
        /** Declines every invitation (for example a room restricted to some bookers). */
        DECLINE,
        /** Accepts tentatively: the request waits for a delegate's approval. */
        TENTATIVE,
        /** Never answers. */
        NONE
    }
}
