package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import com.microsoft.graph.models.PhysicalAddress;
import com.microsoft.graph.models.Room;
import com.microsoft.graph.models.RoomCollectionResponse;
import com.microsoft.kiota.serialization.JsonParseNode;
import io.m365connector.graph.GraphValues;
import io.m365connector.platform.Json;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The room list reads Graph's answer with Jackson (the SDK's {@code Room} derives from {@code Entity}, which costs a cold
 * start ~1,100 class loads: GraphJsonRequests). Each room must read as the SDK's model read it: compared on Learn's
 * "List places" example (rooms) and the variations a tenant's directory has (fields the administrator never filled in,
 * an empty address, a reserved room, a bookingType Graph adds later). The SDK-model code is what RoomView ran until
 * this change, kept here as the reference.
 */
class RoomJsonTest {
    private static final String ROOMS = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#places/microsoft.graph.room\",\"value\":["
            + "{\"id\":\"3162F1E1-C4C0-604B-51D8-91DA78989EB1\",\"emailAddress\":\"cf100@contoso.com\",\"displayName\":\"Conf Room 100\","
            + "\"address\":{\"street\":\"4567 Main Street\",\"city\":\"Buffalo\",\"state\":\"NY\",\"postalCode\":\"98052\",\"countryOrRegion\":\"USA\"},"
            + "\"geoCoordinates\":{\"latitude\":47.0,\"longitude\":-122.0,\"accuracy\":null,\"altitude\":null,\"altitudeAccuracy\":null},"
            + "\"phone\":\"000-000-0000\",\"nickname\":\"Conf Room\",\"label\":\"100\",\"capacity\":50,\"building\":\"1\",\"floorNumber\":1,"
            + "\"isManaged\":true,\"isWheelChairAccessible\":false,\"bookingType\":\"standard\",\"tags\":[\"bean bags\"],"
            + "\"audioDeviceName\":null,\"videoDeviceName\":null,\"displayDeviceName\":\"surface hub\"},"
            + "{\"id\":\"3162F1E1-C4C0-604B-51D8-91DA78970B97\",\"emailAddress\":\"cf200@contoso.com\",\"displayName\":\"Conf Room 200\","
            + "\"address\":{\"street\":null,\"city\":null,\"state\":null,\"postalCode\":null,\"countryOrRegion\":null},\"capacity\":null,"
            + "\"building\":null,\"floorNumber\":null,\"floorLabel\":\"Ground\",\"isWheelChairAccessible\":true,\"bookingType\":\"reserved\","
            + "\"tags\":[],\"audioDeviceName\":\"Polycom\",\"videoDeviceName\":\"Teams Room\"},"
            + "{\"id\":\"x3\",\"emailAddress\":\"cf300@contoso.com\",\"bookingType\":\"someFutureKind\",\"address\":null,\"tags\":null},"
            + "{\"id\":\"x4\",\"emailAddress\":\"cf400@contoso.com\",\"bookingType\":\"unknown\",\"address\":{\"city\":\"Redmond\"}},"
            + "{\"id\":\"x5\"}]}";

    @Test
    void whenGraphListsRoomsThenEachRoomReadsAsTheGraphSdkReadIt() throws Exception {
        RoomCollectionResponse sdk = new JsonParseNode(JsonParser.parseString(ROOMS)).getObjectValue(RoomCollectionResponse::createFromDiscriminatorValue);
        List<RoomView> expected = sdk.getValue().stream().map(RoomJsonTest::view).toList();
        List<RoomView> actual = GraphValues.list(Json.MAPPER.readTree(ROOMS), "value").stream().map(RoomView::of).toList();
        assertEquals(expected, actual);
        assertEquals(5, actual.size());
        assertEquals("reserved", actual.get(1).bookingType());
        assertEquals(null, actual.get(2).bookingType(), "a bookingType Graph adds later reads as none, as the SDK's enum read it");
        assertEquals(Json.write(expected), Json.write(actual), "the API's JSON too");
    }

    @Test
    void whenARoomHasANullTagThenItIsLeftOutWhereTheSdkCodeFailed() throws Exception {
        JsonNode room = Json.MAPPER.readTree("{\"emailAddress\":\"cf100@contoso.com\",\"tags\":[\"quiet\",null]}");
        assertEquals(List.of("quiet"), RoomView.of(room).equipment().tags());
    }

    // What RoomView built from the SDK's model until this change (the reference).

    private static RoomView view(Room room) {
        List<String> tags = room.getTags() == null ? List.of() : List.copyOf(room.getTags());
        RoomView.Equipment equipment = new RoomView.Equipment(room.getAudioDeviceName(), room.getVideoDeviceName(), room.getDisplayDeviceName(), tags);
        boolean noEquipment = equipment.audioDeviceName() == null && equipment.videoDeviceName() == null
                && equipment.displayDeviceName() == null && tags.isEmpty();
        return new RoomView(room.getEmailAddress(), room.getDisplayName(), address(room.getAddress()), room.getCapacity(),
                room.getBuilding(), room.getFloorNumber(), room.getFloorLabel(), room.getIsWheelChairAccessible(),
                noEquipment ? null : equipment,
                room.getBookingType() == null ? null : room.getBookingType().getValue().toLowerCase(Locale.ROOT));
    }

    private static RoomView.Address address(PhysicalAddress a) {
        if (a == null || (a.getStreet() == null && a.getCity() == null && a.getState() == null && a.getPostalCode() == null
                && a.getCountryOrRegion() == null)) {
            return null;
        }
        return new RoomView.Address(a.getStreet(), a.getCity(), a.getState(), a.getPostalCode(), a.getCountryOrRegion());
    }
}
