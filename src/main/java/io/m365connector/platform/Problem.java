package io.m365connector.platform;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem+json body. {@code code} is the stable machine-readable code; {@code detail}
 * tells the reader what to do. Extensions (for example the admin-consent link or field errors) are
 * written as top-level members.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String code, String detail, String connectionId,
                      @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public static Problem of(ProblemCode code, String detail) {
        return new Problem("urn:m365-connector:problem:" + code.code(), code.title(), code.httpStatus(), code.code(), detail, null, Map.of());
    }

    public static Problem of(ConnectorException e) {
        return new Problem("urn:m365-connector:problem:" + e.code().code(), e.code().title(), e.code().httpStatus(),
                e.code().code(), e.detail(), e.connectionId(), extensionsOf(e));
    }

    public Problem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type, title, status, code, detail, connectionId, more);
    }

    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return extensions;
    }

    private static Map<String, Object> extensionsOf(ConnectorException e) {
        return e instanceof ProblemExtensions p ? p.problemExtensions() : Map.of();
    }

    /** Implemented by exceptions that add members to their problem body (field errors, links, retry hints). */
    public interface ProblemExtensions {
        Map<String, Object> problemExtensions();
    }
}
