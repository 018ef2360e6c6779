package io.m365connector.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The failure the first request with an Idempotency-Key ended with, answered again to a retry with
 * the same key (same code, detail and extensions; the response says it is a replay).
 */
public final class StoredProblem extends ConnectorException implements Problem.ProblemExtensions {
    private static final Set<String> STANDARD = Set.of("type", "title", "status", "code", "detail", "connectionId");

    private final Map<String, Object> extensions;

    private StoredProblem(ProblemCode code, String detail, String connectionId, Map<String, Object> extensions) {
        super(code, detail, connectionId, null);
        this.extensions = Map.copyOf(extensions);
    }

    static StoredProblem from(String problemJson) {
        try {
            JsonNode body = Json.MAPPER.readTree(problemJson);
            ProblemCode code = ProblemCode.fromCode(body.path("code").asText()).orElse(ProblemCode.INTERNAL_ERROR);
            Map<String, Object> extensions = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (!STANDARD.contains(member.getKey())) {
                    extensions.put(member.getKey(), Json.MAPPER.treeToValue(member.getValue(), Object.class));
                }
            }
            return new StoredProblem(code, body.path("detail").asText(code.title()),
                    body.hasNonNull("connectionId") ? body.get("connectionId").asText() : null, extensions);
        } catch (Exception e) {
            throw new IllegalStateException("a stored problem cannot be read", e);
        }
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return extensions;
    }
}
