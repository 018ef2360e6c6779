package io.m365connector.demo;

import static io.m365connector.platform.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The sample web app's "Book a room" step: pick a room, see the user's and the room's free/busy for a
 * day, book the first hour both are free, and see the room's answer. Each page is one or two calls of
 * the connector's API (rooms, availability, events, events/{eventId}).
 */
final class DemoRoomBooking {
    static final String DAY = "2026-12-01";
    static final String ZONE = "W. Europe Standard Time";


    /** GET /rooms: the rooms to pick from (or, where the cloud has no room directory, a field for a room's address). */
    String pickRoom(DemoWebApp.Api api, String connectionId) throws IOException, InterruptedException {
        HttpResponse<String> rooms = api.call("GET", "/api/connections/" + connectionId + "/rooms?pageSize=20", null);
        StringBuilder body = new StringBuilder("<form method=\"post\" action=\"/rooms/availability\">");
        if (rooms.statusCode() == 200) {
            body.append("<p>Rooms of your organization:</p>");
            for (JsonNode room : Json.MAPPER.readTree(rooms.body()).get("rooms")) {
                String address = room.get("emailAddress").asText();
                String name = room.path("displayName").asText(address);
                body.append("<p><label><input type=\"radio\" name=\"room\" id=\"room-").append(escape(address)).append("\" value=\"")
                        .append(escape(address + "|" + name)).append("\"> ").append(escape(name))
                        .append(" (").append(room.path("capacity").asInt()).append(" seats, ").append(escape(room.path("building").asText("")))
                        .append(")</label></p>");
            }
        } else {
            JsonNode problem = Json.MAPPER.readTree(rooms.body());
            body.append("<p id=\"rooms-problem\">").append(escape(problem.path("code").asText())).append(": ")
                    .append(escape(problem.path("detail").asText())).append("</p>")
                    .append("<p><label>Room address <input name=\"room\" id=\"room-address\"></label></p>");
        }
        body.append("<p><button id=\"show-availability\">Show free/busy on ").append(DAY).append("</button></p></form>");
        return DemoWebApp.page("Book a room", body + "<p><a href=\"/\">Back</a></p>");
    }

    /** POST /rooms/availability: the user's and the room's day, merged, with a button for the first free hour. */
    String availability(DemoWebApp.Api api, String connectionId, String user, Map<String, String> form) throws IOException, InterruptedException {
        String[] picked = form.getOrDefault("room", "").split("\\|", 2);
        String room = picked[0];
        String name = picked.length > 1 ? picked[1] : room;
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.putArray("schedules").add(user).add(room);
        request.putObject("start").put("dateTime", DAY + "T08:00:00").put("timeZone", ZONE);
        request.putObject("end").put("dateTime", DAY + "T18:00:00").put("timeZone", ZONE);
        request.put("intervalMinutes", 60);
        HttpResponse<String> response = api.call("POST", "/api/connections/" + connectionId + "/availability", request.toString());
        if (response.statusCode() != 200) {
            return DemoWebApp.page("Free/busy: HTTP " + response.statusCode(), "<pre id=\"result\">" + escape(response.body()) + "</pre>");
        }
        JsonNode a = Json.MAPPER.readTree(response.body());
        StringBuilder table = new StringBuilder("<table id=\"availability\"><tr><th></th>");
        for (int h = 8; h < 18; h++) {
            table.append("<th>").append(h).append("</th>");
        }
        table.append("</tr>");
        for (JsonNode s : a.get("schedules")) {
            table.append(row(s.get("address").asText(), s.path("availabilityView").asText()));
        }
        table.append(row("Both", a.get("merged").path("availabilityView").asText())).append("</table>");
        String slot = a.get("merged").get("free").isEmpty() ? null : a.get("merged").get("free").get(0).get("start").asText();
        StringBuilder body = new StringBuilder("<p>0 free · 1 tentative · 2 busy · 3 away (").append(escape(ZONE)).append(")</p>").append(table);
        if (slot != null) {
            body.append("<form method=\"post\" action=\"/rooms/book\"><input type=\"hidden\" name=\"room\" value=\"").append(escape(room))
                    .append("\"><input type=\"hidden\" name=\"roomName\" value=\"").append(escape(name)).append("\"><input type=\"hidden\" name=\"start\" value=\"").append(escape(slot)).append("\"><button id=\"book\">Book ")
                    .append(escape(slot.substring(11, 16))).append(" for one hour</button></form>");
        }
        return DemoWebApp.page("Free/busy: you and " + name, body + "<p><a href=\"/rooms\">Another room</a> · <a href=\"/\">Back</a></p>");
    }

    /** POST /rooms/book: the event with the room, then the event read back with the room's answer. */
    String book(DemoWebApp.Api api, String connectionId, Map<String, String> form) throws IOException, InterruptedException {
        String start = form.getOrDefault("start", DAY + "T09:00:00");
        String end = start.substring(0, 11) + String.format("%02d", Integer.parseInt(start.substring(11, 13)) + 1) + start.substring(13);
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("subject", "Interview (room booked by the demo)");
        event.putObject("start").put("dateTime", start).put("timeZone", ZONE);
        event.putObject("end").put("dateTime", end).put("timeZone", ZONE);
        event.putArray("attendees").add("candidate@fabrikam.com");
        event.putArray("rooms").addObject().put("address", form.getOrDefault("room", "")).put("name", form.getOrDefault("roomName", "Room"));
        HttpResponse<String> created = api.call("POST", "/api/connections/" + connectionId + "/events", event.toString());
        if (created.statusCode() != 201) {
            return DemoWebApp.page("Booking: HTTP " + created.statusCode(), "<pre id=\"result\">" + escape(created.body()) + "</pre>");
        }
        String eventId = Json.MAPPER.readTree(created.body()).get("eventId").asText();
        JsonNode read = Json.MAPPER.readTree(api.call("GET", "/api/connections/" + connectionId + "/events/" + eventId, null).body());
        JsonNode room = read.get("rooms").get(0);
        return DemoWebApp.page("Booked", "<p>" + escape(read.path("subject").asText()) + ", " + escape(start.replace('T', ' ')) + " in "
                + escape(read.path("location").asText()) + ".</p><p>The room answered: <strong id=\"room-response\">"
                + escape(room.get("response").asText()) + "</strong></p><p><a href=\"/mailbox\">Mailbox and calendar</a> · "
                + "<a id=\"back\" href=\"/\">Back</a></p>");
    }

    private static String row(String who, String view) {
        StringBuilder row = new StringBuilder("<tr><th>").append(escape(who)).append("</th>");
        for (char c : view.toCharArray()) {
            String colour = switch (c) {
                case '0', '4' -> "#cfc";
                case '1' -> "#ffc";
                default -> "#fcc";
            };
            row.append("<td style=\"background:").append(colour).append("\">").append(c).append("</td>");
        }
        return row.append("</tr>").toString();
    }
}
