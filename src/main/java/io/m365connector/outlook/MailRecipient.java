package io.m365connector.outlook;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.RequestValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An e-mail recipient or attendee: an address and an optional display name. */
public record MailRecipient(String address, String name) {
    /** Null when {@code address} is a valid e-mail address (RFC 5322 addr-spec, no control characters), else why not. */
    public static String problem(String address) {
        return EmailAddresses.problem(address);
    }

    /**
     * Reads an array of recipients at {@code field}; each is "address" or {"address": ..., "name": ...}.
     * Attendees may also carry "type" (read by the caller through {@code extraFields}).
     */
    public static List<MailRecipient> list(JsonFields json, String field, int max, RequestValidationException.Collector errors) {
        List<MailRecipient> result = new ArrayList<>();
        List<JsonNode> items = json.array(field, max);
        for (int i = 0; i < items.size(); i++) {
            MailRecipient r = one(items.get(i), json.field(field) + "[" + i + "]", errors, Set.of());
            if (r != null) {
                result.add(r);
            }
        }
        return result;
    }

    public static MailRecipient one(JsonNode item, String path, RequestValidationException.Collector errors, Set<String> extraFields) {
        String address;
        String name = null;
        if (item.isTextual()) {
            address = item.asText();
        } else if (item.isObject()) {
            JsonFields fields = new JsonFields(item, path, errors);
            Set<String> allowed = new HashSet<>(Set.of("address", "name"));
            allowed.addAll(extraFields);
            fields.allowOnly(allowed);
            address = fields.string("address", true, 254, false);
            name = fields.string("name", false, 256, false);
            if (address == null) {
                return null;
            }
        } else {
            errors.add(path, "Must be an address string or an object with address and name.");
            return null;
        }
        String problem = EmailAddresses.problem(address);
        if (problem != null) {
            errors.add(item.isObject() ? path + ".address" : path, problem);
            return null;
        }
        return new MailRecipient(address, name);
    }
}
