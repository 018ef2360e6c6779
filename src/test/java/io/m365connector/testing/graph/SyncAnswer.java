package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one of the fake's sync classes answers; {@link FakeGraph} turns it into an HTTP reply (errors get
 * Graph's body with innerError, request-id and date there).
 *
 * @param json a JSON body, or null
 * @param errorCode Graph's error code when this is an error, else null
 * @param raw a non-JSON body ({@code $value}, text), or null
 */
record SyncAnswer(int status, JsonNode json, String errorCode, String message, Map<String, String> headers, String contentType,
                  byte[] raw) {
    SyncAnswer {
        headers = new LinkedHashMap<>(headers);
    }

    static SyncAnswer json(int status, JsonNode body) {
        return new SyncAnswer(status, body, null, null, Map.of(), null, null);
    }

    static SyncAnswer ok(JsonNode body) {
        return json(200, body);
    }

    static SyncAnswer error(int status, String code, String message) {
        return new SyncAnswer(status, null, code, message, Map.of(), null, null);
    }

    static SyncAnswer raw(int status, String contentType, byte[] body) {
        return new SyncAnswer(status, null, null, null, Map.of(), contentType, body);
    }

    static SyncAnswer empty(int status) {
        return new SyncAnswer(status, null, null, null, Map.of(), null, null);
    }

    static SyncAnswer notImplemented(String what) {
        return error(400, "BadRequest", "The fake Microsoft Graph does not implement " + what + ".");
    }

    SyncAnswer withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new SyncAnswer(status, json, errorCode, message, h, contentType, raw);
    }

    boolean isError() {
        return errorCode != null;
    }
}
