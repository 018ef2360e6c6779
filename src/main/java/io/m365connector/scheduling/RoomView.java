package io.m365connector.scheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import java.util.List;

/**
 * A bookable room as GET /connections/{id}/rooms returns it: what Graph's room resource has, where it
 * has it (a field the tenant's administrator never filled in is left out).
 *
 * @param emailAddress the address to book with (POST events "rooms") and to ask free/busy for
 * @param bookingType  standard | reserved (Graph: reserved rooms are booked through a delegate)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoomView(String emailAddress, String displayName, Address address, Integer capacity, String building,
                       Integer floorNumber, String floorLabel, Boolean isWheelChairAccessible, Equipment equipment,
                       String bookingType) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Address(String street, String city, String state, String postalCode, String countryOrRegion) {
    }

    /** Devices and free-form tags ("whiteboard", "standing desk") the administrator recorded for the room. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Equipment(String audioDeviceName, String videoDeviceName, String displayDeviceName, List<String> tags) {
    }

    /** A room of Graph's answer, read as the SDK's {@code Room} model read it (an unknown bookingType is none). */
    static RoomView of(JsonNode room) {
        // A null tag (on which the SDK-model code failed) is left out.
        List<String> tags = GraphValues.list(room, "tags").stream().filter(t -> !t.isNull()).map(JsonNode::asText).toList();
        Equipment equipment = new Equipment(GraphValues.text(room, "audioDeviceName"), GraphValues.text(room, "videoDeviceName"),
                GraphValues.text(room, "displayDeviceName"), tags);
        boolean noEquipment = equipment.audioDeviceName() == null && equipment.videoDeviceName() == null
                && equipment.displayDeviceName() == null && tags.isEmpty();
        String bookingType = GraphValues.member(GraphValues.text(room, "bookingType"), "unknown", "standard", "reserved");
        return new RoomView(GraphValues.text(room, "emailAddress"), GraphValues.text(room, "displayName"), address(room.get("address")),
                GraphValues.integer(room, "capacity"), GraphValues.text(room, "building"), GraphValues.integer(room, "floorNumber"),
                GraphValues.text(room, "floorLabel"), GraphValues.bool(room, "isWheelChairAccessible"), noEquipment ? null : equipment,
                bookingType);
    }

    private static Address address(JsonNode a) {
        Address address = a == null || a.isNull() ? null : new Address(GraphValues.text(a, "street"), GraphValues.text(a, "city"),
                GraphValues.text(a, "state"), GraphValues.text(a, "postalCode"), GraphValues.text(a, "countryOrRegion"));
        return address == null || (address.street() == null && address.city() == null && address.state() == null
                && address.postalCode() == null && address.countryOrRegion() == null) ? null : address;
    }
}
