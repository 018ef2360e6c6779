package io.m365connector.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.RequestValidationException;
import java.util.Set;

/**
 * The body of POST /connections/{id}/completion: the {@code completion} code the browser brought back to the web app's
 * return URL. It names the login session it came from and carries that session's one secret.
 */
public record CompletionRequest(String sessionId, String secret) {
    private static final Set<String> FIELDS = Set.of("completion");

    public static CompletionRequest parse(String body) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonNode json = JsonFields.parseObject(body);
        JsonFields fields = new JsonFields(json, "", errors);
        fields.allowOnly(FIELDS);
        String completion = fields.string("completion", true, 200, false);
        String[] parts = completion == null ? new String[0] : completion.split("\\.", -1);
        if (completion != null && (parts.length != 3 || !SessionIds.isValid(parts[0] + "." + parts[1]) || !SessionIds.isValidSecret(parts[2]))) {
            errors.add("completion", "Not a completion code: pass the completion parameter of the return URL as it came.");
        }
        errors.throwIfAny();
        return new CompletionRequest(parts[0] + "." + parts[1], parts[2]);
    }

    /** The code the return URL carries for a session and its secret. */
    static String code(String sessionId, String secret) {
        return sessionId + "." + secret;
    }

    @Override
    public String toString() {
        return "CompletionRequest[sessionId=" + sessionId + ", secret=<redacted>]";
    }
}
