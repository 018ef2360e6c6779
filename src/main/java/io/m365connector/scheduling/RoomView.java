package io.m365connector.scheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.PhysicalAddress;
import com.microsoft.graph.models.Room;
import java.util.List;
import java.util.Locale;

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

    static RoomView of(Room room) {
        List<String> tags = room.getTags() == null ? List.of() : List.copyOf(room.getTags());
        Equipment equipment = new Equipment(room.getAudioDeviceName(), room.getVideoDeviceName(), room.getDisplayDeviceName(), tags);
        boolean noEquipment = equipment.audioDeviceName() == null && equipment.videoDeviceName() == null
                && equipment.displayDeviceName() == null && tags.isEmpty();
        return new RoomView(room.getEmailAddress(), room.getDisplayName(), address(room.getAddress()), room.getCapacity(),
                room.getBuilding(), room.getFloorNumber(), room.getFloorLabel(), room.getIsWheelChairAccessible(),
                noEquipment ? null : equipment,
                room.getBookingType() == null ? null : room.getBookingType().getValue().toLowerCase(Locale.ROOT));
    }

    private static Address address(PhysicalAddress a) {
        if (a == null || (a.getStreet() == null && a.getCity() == null && a.getState() == null && a.getPostalCode() == null
                && a.getCountryOrRegion() == null)) {
            return null;
        }
        return new Address(a.getStreet(), a.getCity(), a.getState(), a.getPostalCode(), a.getCountryOrRegion());
    }
}
