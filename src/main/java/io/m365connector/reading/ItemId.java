package io.m365connector.reading;

import io.m365connector.platform.RequestValidationException;
import java.util.List;
import java.util.regex.Pattern;

/** A Graph item id from a route (message, attachment, event): Graph's id alphabet only, so nothing else reaches a Graph URL. */
public record ItemId(String value) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_=+-]{1,512}");

    public static ItemId parse(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError(field,
                    "Not an id: use the id returned by a listing.")));
        }
        return new ItemId(value);
    }
}
